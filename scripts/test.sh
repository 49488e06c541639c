#!/usr/bin/env bash
# Runs every test: all crates on SQLite, then every test that uses a database again on
# PostgreSQL (each in its own fresh databases on the server named by TEST_DATABASE_URL), then
# the fault suite (the real binaries as processes, on that server, a PostgreSQL cluster of its
# own and a real SMTP server; SKIP_FAULTS=1 skips it), then contract fuzzing (schemathesis through
# the gateway, scripts/fuzz-contract.sh; SKIP_FUZZ=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

echo "== all tests on SQLite"
# The fault suite needs PostgreSQL and the built binaries: it runs in its own step below.
env -u TEST_DATABASE_URL cargo test --workspace --exclude fault-suite

if [ "${SKIP_POSTGRES:-0}" = "1" ]; then
  echo "== SKIP_POSTGRES=1: the PostgreSQL run was skipped on request" >&2
  exit 0
fi
echo "== database tests on PostgreSQL ($pg_url)"
TEST_DATABASE_URL="$pg_url" cargo test -p service-kit -p gateway -p members-service -p documents-service -p meetings-service -p e2e-tests

if [ "${SKIP_FAULTS:-0}" = "1" ]; then
  echo "== SKIP_FAULTS=1: the fault suite was skipped on request" >&2
else
  echo "== fault suite (docs/reliability.md; FAULT_LONG=1 for the long variants)"
  cargo build --bins
  FAULT_DATABASE_URL="$pg_url" cargo test -p fault-suite
fi

if [ "${SKIP_FUZZ:-0}" = "1" ]; then
  echo "== SKIP_FUZZ=1: contract fuzzing was skipped on request" >&2
  exit 0
fi
# schemathesis against the suite binary the fault step built (the same build, nothing new).
echo "== contract fuzzing (scripts/fuzz-contract.sh, about 2 min; docs/reliability.md)"
cargo build --bins
FUZZ_SKIP_BUILD=1 scripts/fuzz-contract.sh
