#!/usr/bin/env python3
"""Side-effect latency for bench/run.sh (issue 11): an appointment is made through the gateway,
then its 聘书 is polled for (GET /api/v1/documents?appointment_id=…, every millisecond or so)
until it is listed. Prints `BENCH <n> <median ms> <p90 ms> <max ms>`.

    latency.py GATEWAY_URL TOKEN COUNT FIRST_PERSON_ID

People from FIRST_PERSON_ID on must hold no appointment (the seed appoints the first
n_appointments people only); each round nominates one of them as an expert (专家) of the expert
committee's current term (filled by nomination, R9 does not apply) and appoints the nomination.
"""
import statistics
import sys
import time

from gateway_api import client


def main() -> None:
    base, token, count, first = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    call = client(base, token, timeout=10)

    bodies = call("GET", "/api/v1/members/bodies")["items"]
    committee = next(b["id"] for b in bodies if b["kind"] == "expert_committee")
    terms = call("GET", f"/api/v1/members/bodies/{committee}/terms")
    term = max(terms, key=lambda t: t["starts_on"])["id"]

    took = []
    for i in range(count):
        person = first + i
        nomination = call("POST", "/api/v1/members/nominations",
                          {"body_id": committee, "term_id": term, "person_id": person, "post": "expert"})
        start = time.perf_counter()
        appointment = call("POST", f"/api/v1/members/nominations/{nomination['id']}/appointment", {})
        path = f"/api/v1/documents?appointment_id={appointment['id']}"
        while True:
            if call("GET", path)["items"]:
                break
            if time.perf_counter() - start > 10:
                raise SystemExit(f"no 聘书 for appointment {appointment['id']} within 10 s")
            time.sleep(0.001)
        took.append((time.perf_counter() - start) * 1000)
    took.sort()
    p90 = took[min(len(took) - 1, int(len(took) * 0.9))]
    print(f"BENCH {len(took)} {statistics.median(took):.1f} {p90:.1f} {took[-1]:.1f}")


if __name__ == "__main__":
    main()
