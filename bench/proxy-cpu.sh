#!/usr/bin/env bash
# bench/proxy-cpu.sh — what one proxied request costs the gateway, beside nginx (issue 11).
#
#   bench/proxy-cpu.sh        # release binaries in target/release
#                             # (cargo build --release -p gateway -p members-service --bins)
#
# On a 2-core machine the client, the proxy and the service share the cores, so a throughput
# ratio mixes the three. This measures the proxy alone: members-service (embedded SQLite) and
# the gateway run as separate processes, nginx (2 workers, keepalive, access log off) proxies
# the same service, and wrk (64 connections, 2 threads, BENCH_SECONDS each) asks both for the
# same path, in turn, BENCH_ROUNDS times. For each run it prints the requests per second and the
# proxy's CPU time (user + system, every thread, from /proc) divided by the requests it served.
# Environment: BENCH_PATH (/api/v1/members/bodies), BENCH_SECONDS (8), BENCH_ROUNDS (2),
# BENCH_PORT (18280), BENCH_BIN_DIR (target/release). Needs wrk and nginx (Debian packages).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
BIN=${BENCH_BIN_DIR:-$ROOT/target/release}
PORT=${BENCH_PORT:-18280}
SECONDS_EACH=${BENCH_SECONDS:-8}
ROUNDS=${BENCH_ROUNDS:-2}
URL_PATH=${BENCH_PATH:-/api/v1/members/bodies}
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
command -v wrk >/dev/null && [[ -x "$NGINX_BIN" ]] || { echo "needs wrk and nginx (apt-get install wrk nginx-light)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/alliance-proxy.XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

GW=http://127.0.0.1:$PORT
MEMBERS=http://127.0.0.1:$((PORT + 1))
NGINX=http://127.0.0.1:$((PORT + 2))
PASSWORD=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
export ALLIANCE_DATA_DIR=$TMP/data ALLIANCE_GATEWAY_URL=$GW RUST_LOG=warn


GATEWAY_BIND=127.0.0.1:$PORT GATEWAY_MEMBERS_URL=$MEMBERS GATEWAY_ADMIN_PASSWORD=$PASSWORD \
    GATEWAY_TOKEN_TTL_SECS=3600 GATEWAY_MAX_REQUESTS_PER_CLIENT=0 "$BIN/gateway" >"$TMP/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=("$GW_PID")
ready "$GW" # the gateway writes the key pair the service reads
MEMBERS_BIND=127.0.0.1:$((PORT + 1)) "$BIN/members-service" >"$TMP/members.log" 2>&1 &
PIDS+=("$!")
ready "$MEMBERS"
TOKEN=$(curl -fsS "$GW/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"grant_type\":\"password\",\"username\":\"admin\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

nginx_conf "$TMP/nginx" "$((PORT + 1))" "$((PORT + 2))"
"$NGINX_BIN" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' 2>"$TMP/nginx.log" &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
for _ in $(seq 1 50); do curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "$NGINX$URL_PATH" && break; sleep 0.1; done
NGINX_WORKERS=$(pgrep -P "$NGINX_PID" | tr '\n' ' ')

# Clock ticks (user + system) of every thread of the given processes.
ticks() {
    local total=0 f
    for p in "$@"; do
        for stat in /proc/"$p"/task/*/stat; do
            read -r -a f < <(sed 's/^.*) //' "$stat")
            total=$((total + f[11] + f[12]))
        done
    done
    echo "$total"
}
HZ=$(getconf CLK_TCK)
measure() { # name url pid...
    local name=$1 url=$2; shift 2
    wrk -t2 -c64 -d1s -H "Authorization: Bearer $TOKEN" "$url" >/dev/null
    local before after out requests rps
    before=$(ticks "$@")
    out=$(wrk -t2 -c64 -d"${SECONDS_EACH}s" -H "Authorization: Bearer $TOKEN" "$url")
    after=$(ticks "$@")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    grep -qE 'Non-2xx|Socket errors' <<<"$out" && echo "$name: wrk saw errors: $out" >&2
    python3 -c 'import sys; t, hz, n = map(float, sys.argv[2:5]); print(f"| {sys.argv[1]} | {sys.argv[5]} | {t / hz * 1e6 / n:.1f} µs |")' \
        "$name" "$((after - before))" "$HZ" "$requests" "$rps"
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); machine: $(nproc) cores"
echo "GET $URL_PATH through each proxy to members-service (SQLite), wrk -t2 -c64 -d${SECONDS_EACH}s"
echo
echo "| proxy | req/s | proxy CPU per request |"
echo "|---|---|---|"
for _ in $(seq 1 "$ROUNDS"); do
    measure gateway "$GW$URL_PATH" "$GW_PID"
    # shellcheck disable=SC2086 # one pid per worker
    measure "nginx (2 workers)" "$NGINX$URL_PATH" $NGINX_WORKERS
done
