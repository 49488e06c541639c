#!/usr/bin/env python3
"""Certificates in bulk for bench/run.sh (issue 11): one batch per body (every active
appointment of it, reissued, no mail), made through the gateway one after the other, each
polled until finished. Prints `BENCH <certificates> <seconds> <per second> <failed>`.

    batches.py GATEWAY_URL TOKEN [LIMIT]

LIMIT stops making batches once that many certificates are asked for (default: all bodies).
The suite's RSS is sampled by the caller while this runs.
"""
import sys
import time

from gateway_api import client


def main() -> None:
    base, token = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    call = client(base, token, timeout=60)

    bodies = call("GET", "/api/v1/members/bodies?limit=100")["items"]
    total = failed = 0
    started = time.monotonic()
    for b in bodies:
        if limit is not None and total >= limit:
            break
        batch = call("POST", "/api/v1/documents/batches", {"body_id": b["id"], "send_mail": False, "reissue": True})
        while batch["status"] != "finished":
            time.sleep(0.01)  # a poll, not a wait on a condition the API could signal
            batch = call("GET", f"/api/v1/documents/batches/{batch['id']}")
        total += batch["total"]
        failed += batch["failed"]
        print(f"body {b['id']}: {batch['total']} certificates, {time.monotonic() - started:.1f} s so far",
              file=sys.stderr)
    took = time.monotonic() - started
    print(f"BENCH {total} {took:.2f} {total / took:.1f} {failed}")


if __name__ == "__main__":
    main()
