#!/usr/bin/env bash
# Runs every test: all crates on SQLite; every test that uses a database again on PostgreSQL
# (each in its own fresh databases on the server named by TEST_DATABASE_URL); the fault suite
# (the real binaries as processes, on that server, a PostgreSQL cluster of its own and a real
# SMTP server; SKIP_FAULTS=1 skips it) — these three side by side (TEST_SERIAL=1: one after
# another) — then contract fuzzing (schemathesis through the gateway, scripts/fuzz-contract.sh;
# SKIP_FUZZ=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# How long each step took, printed at the end (docs/benchmarks.md "Test loop").
timings=()
step_started=$SECONDS
step_name=""
step() {
  if [ -n "$step_name" ]; then timings+=("$(printf '%5d s  %s' $((SECONDS - step_started)) "$step_name")"); fi
  step_name="$1"
  step_started=$SECONDS
  if [ -n "$1" ]; then echo "== $1"; fi
}
report() {
  step ""
  echo "== time per step"
  printf '%s\n' "${timings[@]}"
  echo "$(printf '%5d s' "$SECONDS")  in all"
}
fault_pg_stop() { :; }
trap 'fault_pg_stop; report' EXIT

# The three runs: every crate on SQLite; every test that uses a database again on PostgreSQL;
# the fault suite (the real binaries, on that server and a cluster of its own).
sqlite_run() { env -u TEST_DATABASE_URL cargo test --workspace --exclude fault-suite; }
postgres_run() {
  TEST_DATABASE_URL="$pg_url" cargo test -p service-kit -p gateway -p members-service \
    -p documents-service -p meetings-service -p e2e-tests
}
fault_run() { FAULT_DATABASE_URL="$fault_pg_url" cargo test -p fault-suite; }

# The fault suite runs beside the PostgreSQL run: on a PostgreSQL cluster of its own (initdb in a
# temporary folder, its own port, fsync off), so that the two never share one server's
# connection limit. TEST_SERIAL=1 puts it on the server of the other runs instead.
fault_pg_url="$pg_url"
fault_pg_dir=""
start_fault_cluster() {
  fault_as=()
  fault_bindir=$(pg_config --bindir)
  [ -x "$fault_bindir/initdb" ] || fault_bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fault_pg_dir=$(mktemp -d /tmp/test-sh-pg-XXXXXX)
  if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$fault_pg_dir"; fault_as=(runuser -u postgres --); fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${fault_as[@]}" "$fault_bindir/initdb" -D "$fault_pg_dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  "${fault_as[@]}" "$fault_bindir/pg_ctl" -D "$fault_pg_dir/data" -l "$fault_pg_dir/server.log" -w -t 60 \
    -o "-p $port -k $fault_pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  fault_pg_url="postgres://postgres@127.0.0.1:$port/postgres"
  fault_pg_stop() { "${fault_as[@]}" "$fault_bindir/pg_ctl" -D "$fault_pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$fault_pg_dir"; }
}
runs=(sqlite_run)
if [ "${SKIP_POSTGRES:-0}" = "1" ]; then
  echo "== SKIP_POSTGRES=1: the PostgreSQL run and the fault suite were skipped on request" >&2
else
  runs+=(postgres_run)
  if [ "${SKIP_FAULTS:-0}" = "1" ]; then
    echo "== SKIP_FAULTS=1: the fault suite was skipped on request" >&2
  else
    runs+=(fault_run)
  fi
fi

# Build once, then run. The runs mostly wait (on outbox and inbox polling, restarts, timeouts),
# so by default they run side by side, each into its own log, printed whole when it ends;
# TEST_SERIAL=1 runs them one after another with their output as it comes.
step "build (test binaries and the services' binaries)"
cargo test --workspace --no-run
cargo build --bins
if [ "${TEST_SERIAL:-0}" = "1" ]; then
  for run in "${runs[@]}"; do
    step "$run"
    "$run"
  done
else
  step "${runs[*]} (side by side)"
  if [[ " ${runs[*]} " == *" fault_run "* ]]; then start_fault_cluster; fi
  logs=$(mktemp -d)
  declare -A pids
  for run in "${runs[@]}"; do
    ( started=$SECONDS; if "$run"; then rc=0; else rc=$?; fi; echo "== $run: exit $rc after $((SECONDS - started)) s"; exit $rc ) >"$logs/$run.log" 2>&1 &
    pids[$run]=$!
  done
  failed=()
  for run in "${runs[@]}"; do
    if ! wait "${pids[$run]}"; then failed+=("$run"); fi
    echo "== output of $run"
    cat "$logs/$run.log"
    timings+=("$(tail -1 "$logs/$run.log")")
  done
  rm -rf "$logs"
  if [ ${#failed[@]} -gt 0 ]; then
    echo "== failed: ${failed[*]}" >&2
    exit 1
  fi
fi
if [ "${SKIP_POSTGRES:-0}" = "1" ]; then
  exit 0
fi

if [ "${SKIP_FUZZ:-0}" = "1" ]; then
  echo "== SKIP_FUZZ=1: contract fuzzing was skipped on request" >&2
  exit 0
fi
# schemathesis against the suite binary built above (the same build, nothing new).
step "contract fuzzing (scripts/fuzz-contract.sh, about 1 min; docs/reliability.md)"
FUZZ_SKIP_BUILD=1 scripts/fuzz-contract.sh
