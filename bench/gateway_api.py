"""The JSON calls bench/latency.py and bench/batches.py make through the gateway."""
import http.client
import json
import urllib.parse


def client(base: str, token: str, timeout: float):
    """`call(method, path, body=None)` on one kept-alive connection; a non-2xx answer ends the run."""
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method: str, path: str, body=None):
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        r = conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
        return json.loads(data) if data else None

    return call
