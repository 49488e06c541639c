#!/usr/bin/env bash
# Contract fuzzing (issue 9): schemathesis, with all of its checks, against the whole suite
# through the gateway and an admin token. Fails on any server error, response-schema violation,
# undocumented status code, schema-valid request rejected or schema-invalid request accepted.
#
#   scripts/fuzz-contract.sh            # FUZZ_MAX_EXAMPLES=20 FUZZ_SEED=1 FUZZ_PHASES=examples,coverage,fuzzing
#
# Prints schemathesis' summary and the cases run per operation; exits non-zero on any failure.
# Needs python3 (with venv) and network access to PyPI on the first run only.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-20}
SEED=${FUZZ_SEED:-1}
PHASES=${FUZZ_PHASES:-examples,coverage,fuzzing}
# One worker: hypothesis parses lambdas with ast, which is not thread-safe on CPython 3.11
# ("AST constructor recursion depth mismatch" runtime errors with two).
WORKERS=${FUZZ_WORKERS:-1}
# The whole schemathesis run, bounded (seconds).
RUN_TIMEOUT=${FUZZ_TIMEOUT_SECS:-1500}

venv=target/fuzz-venv
# Where cargo puts the binaries (CARGO_TARGET_DIR or the workspace's target/).
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ -z "${FUZZ_SKIP_BUILD:-}" ]; then
  echo "== cargo build -p alliance-suite"
  cargo build -q -p alliance-suite
fi

work=$(mktemp -d)
suite_pid=
cleanup() {
  if [ -n "$suite_pid" ] && kill -0 "$suite_pid" 2>/dev/null; then
    kill "$suite_pid" 2>/dev/null || true
    wait "$suite_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
echo "== starting the suite (data in $work/data)"
# The verification routes' per-address rate would answer most cases 429 (its own test checks it).
ALLIANCE_DATA_DIR="$work/data" SUITE_PORT=0 GATEWAY_ADMIN_PASSWORD="$password" GATEWAY_VERIFY_PER_MINUTE=0 \
  RUST_LOG=${RUST_LOG:-warn} "$target_dir/debug/alliance-suite" >"$work/suite.out" 2>"$work/suite.err" &
suite_pid=$!

gateway=
for _ in $(seq 1 120); do
  gateway=$(sed -n 's/^ *gateway: *\(http[^ ]*\).*/\1/p' "$work/suite.out" | head -1)
  [ -n "$gateway" ] && break
  kill -0 "$suite_pid" 2>/dev/null || { cat "$work/suite.err" >&2; echo "the suite did not start" >&2; exit 1; }
  sleep 0.5
done
[ -n "$gateway" ] || { echo "the suite printed no gateway address" >&2; exit 1; }
for _ in $(seq 1 60); do
  curl -fsS "$gateway/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
echo "   gateway at $gateway"

token=$(curl -fsS "$gateway/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"grant_type\":\"password\",\"username\":\"admin\",\"password\":\"$password\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# The fuzzer must not change the account it runs as (scripts/fuzz_hooks.py, map_case).
own_account=$(curl -fsS "$gateway/api/v1/auth/accounts?limit=100" -H "Authorization: Bearer $token" |
  python3 -c 'import json,sys; print(next(a["id"] for a in json.load(sys.stdin)["items"] if a["username"] == "admin"))')
export FUZZ_OWN_ACCOUNT_ID=$own_account

echo "== schemathesis run --checks all (max $MAX_EXAMPLES examples, seed $SEED, phases $PHASES)"
status=0
# The run's events stay in target/fuzz-report/ for `schemathesis replay` and the next session.
# It runs there too, so that its crash cache (.schemathesis/) stays out of the working tree.
report=$PWD/target/fuzz-report
mkdir -p "$report"
# All checks, with positive_data_acceptance in the form of scripts/fuzz_hooks.py (a 422 that
# names only rules of the charter JSON Schema cannot state is not a rejected valid request).
(cd "$report" && SCHEMATHESIS_HOOKS=fuzz_hooks PYTHONPATH="$OLDPWD/scripts${PYTHONPATH:+:$PYTHONPATH}" \
timeout "$RUN_TIMEOUT" "$OLDPWD/$venv/bin/schemathesis" --no-color run "$gateway/api-docs/openapi.json" \
  --url "$gateway" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  -H "Authorization: Bearer $token" \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --phases "$PHASES" \
  --workers "$WORKERS" \
  --request-timeout 30 \
  --continue-on-failure \
  --generation-database none \
  --report ndjson --report-ndjson-path "$report/events.ndjson") || status=$?

echo "== cases per operation"
python3 - "$report/events.ndjson" <<'PY' || true
import collections, json, sys

cases = collections.Counter()
failures = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        event = json.loads(line)
    except ValueError:
        continue
    for kind, body in event.items():
        if kind != "ScenarioFinished" or not isinstance(body, dict):
            continue
        recorder = body.get("recorder") or {}
        label = recorder.get("label") or "?"
        cases[label] += len(recorder.get("cases") or {})
        for checks in (recorder.get("checks") or {}).values():
            for check in checks:
                if check.get("status") == "FAILURE":
                    failures[label] += 1
for label in sorted(cases):
    extra = f"  failed checks {failures[label]}" if failures[label] else ""
    print(f"  {cases[label]:5d}  {label}{extra}")
print(f"  {sum(cases.values()):5d}  cases in all, {len(cases)} operations")
PY

if grep -q "panicked" "$work/suite.err"; then
  echo "== the suite panicked:" >&2
  grep -A3 "panicked" "$work/suite.err" | head -40 >&2
  status=1
fi
exit "$status"
