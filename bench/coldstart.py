#!/usr/bin/env python3
"""Cold start for bench/run.sh (issue 11: ≤ 200 ms to a ready gateway): the one-process suite
on its embedded defaults (SQLite, mail to files, generated keys) in a fresh data dir, timed
from spawn to the gateway's first `GET /readyz` 200, then stopped and started again on the
same dir (migrations done, keys kept). Prints `BENCH <first ms> <again median ms> <again max ms>`.

    coldstart.py SUITE_BINARY BASE_PORT [ROUNDS]
"""
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def ready_ms(binary: str, port: int, data: str) -> float:
    env = dict(os.environ)
    env.update({
        "ALLIANCE_DATA_DIR": data, "SUITE_PORT": str(port), "RUST_LOG": "warn",
        "GATEWAY_BIND": f"127.0.0.1:{port}", "MEMBERS_BIND": f"127.0.0.1:{port + 1}",
        "MEETINGS_BIND": f"127.0.0.1:{port + 2}", "DOCUMENTS_BIND": f"127.0.0.1:{port + 3}",
        "ALLIANCE_GATEWAY_URL": f"http://127.0.0.1:{port}",
    })
    for k in ("GATEWAY_DATABASE_URL", "MEMBERS_DATABASE_URL", "MEETINGS_DATABASE_URL", "DOCUMENTS_DATABASE_URL"):
        env.pop(k, None)
    start = time.monotonic()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - start < 30:
            if proc.poll() is not None:
                raise SystemExit(f"the suite exited with {proc.returncode}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    return (time.monotonic() - start) * 1000
            except OSError:
                pass  # not listening yet: try again at once (a busy poll, for a ms figure)
        raise SystemExit("the gateway was not ready within 30 s")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    binary, port = sys.argv[1], int(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    with tempfile.TemporaryDirectory() as data:
        first = ready_ms(binary, port, data)
        again = [ready_ms(binary, port, data) for _ in range(rounds)]
    print(f"BENCH {first:.0f} {statistics.median(again):.0f} {max(again):.0f}")


if __name__ == "__main__":
    main()
