#!/usr/bin/env bash
# bench/idle.sh — idle memory of every binary (issue 11: each separate service ≤ 40 MiB idle).
#
#   bench/idle.sh            # release binaries in target/release (cargo build --release first)
#
# Starts, on a fresh data dir with the embedded defaults (SQLite, generated keys, mail to files),
# the gateway and then the three services as separate processes, waits for each `/readyz`, then
# for BENCH_IDLE_SECS (12) more, and prints each process's VmRSS and the part of it that is
# anonymous huge pages (`/proc/PID/smaps_rollup`), then the one-process suite the same way.
# Extra environment (e.g. MIMALLOC_ALLOW_THP=0) is passed on to every process.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
BIN=${BENCH_BIN_DIR:-$ROOT/target/release}
WAIT=${BENCH_IDLE_SECS:-12}
PORT=${BENCH_PORT:-18180}
DATA=$(mktemp -d /tmp/alliance-idle.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$DATA"
}
trap cleanup EXIT

mib() { awk -v k="$2" '$1 == k":" {printf "%.0f", $2 / 1024}' "/proc/$1/$3"; }
row() { printf '| %s | %s MiB | %s MiB |\n' "$1" "$(mib "$2" VmRSS status)" "$(mib "$2" AnonHugePages smaps_rollup)"; }

export ALLIANCE_DATA_DIR=$DATA/separate
export ALLIANCE_GATEWAY_URL=http://127.0.0.1:$PORT
export ALLIANCE_MEMBERS_URL=http://127.0.0.1:$((PORT + 1))
export ALLIANCE_MEETINGS_URL=http://127.0.0.1:$((PORT + 2))
export ALLIANCE_DOCUMENTS_URL=http://127.0.0.1:$((PORT + 3))
export GATEWAY_MEMBERS_URL=$ALLIANCE_MEMBERS_URL GATEWAY_MEETINGS_URL=$ALLIANCE_MEETINGS_URL
export GATEWAY_DOCUMENTS_URL=$ALLIANCE_DOCUMENTS_URL
export GATEWAY_SERVICE_CLIENTS=idle-members:idle-secret-0123456789,idle-meetings:idle-secret-0123456789,idle-documents:idle-secret-0123456789
mkdir -p "$ALLIANCE_DATA_DIR"
RUST_LOG=warn GATEWAY_BIND=127.0.0.1:$PORT "$BIN/gateway" >"$DATA/gateway.log" 2>&1 &
GW=$!; PIDS+=("$GW")
ready "$ALLIANCE_GATEWAY_URL"
declare -A SVC
i=1
for s in members meetings documents; do
    up=${s^^}
    env RUST_LOG=warn "${up}_BIND=127.0.0.1:$((PORT + i))" "${up}_CLIENT_ID=idle-$s" \
        "${up}_CLIENT_SECRET=idle-secret-0123456789" "$BIN/$s-service" >"$DATA/$s.log" 2>&1 &
    SVC[$s]=$!; PIDS+=("$!")
    i=$((i + 1))
done
for s in members meetings documents; do
    v=ALLIANCE_${s^^}_URL
    ready "${!v}"
done
sleep "$WAIT" # idle on purpose: what is measured is the memory after this quiet time

echo "| process (idle ${WAIT} s after /readyz) | VmRSS | of it anon huge pages |"
echo "|---|---|---|"
row gateway "$GW"
for s in members meetings documents; do row "$s-service" "${SVC[$s]}"; done
for p in "${PIDS[@]}"; do kill "$p"; done
wait 2>/dev/null || true
PIDS=()

ALLIANCE_DATA_DIR=$DATA/suite SUITE_PORT=$PORT RUST_LOG=warn "$BIN/alliance-suite" >"$DATA/suite.log" 2>&1 &
SUITE=$!; PIDS+=("$SUITE")
ready "http://127.0.0.1:$PORT"
sleep "$WAIT"
row "alliance-suite (one process)" "$SUITE"
