#!/usr/bin/env bash
# bench/run.sh — issue 11's harness, first step: the HTTP lists and search, with their peers
# measured in the same run. Documented in docs/benchmarks.md ("HTTP lists and search").
#
#   bench/run.sh                  # full run: 100,000 people in 2,000 units, 10,000 appointments
#   BENCH_SMOKE=1 bench/run.sh    # smoke: scale 0.01, 3 s per measure (well under a minute once built)
#
# What it does, in order:
#  1. installs wrk, nginx and (only when pgbench is missing) postgresql-contrib with apt-get;
#  2. builds `cargo build --release -p alliance-suite` (nice -n 10; BENCH_NO_BUILD=1 skips it);
#  3. creates fresh databases bench_<pid>_{gateway,members,meetings,documents} on the PostgreSQL
#     server at 127.0.0.1:5432 (trust auth, user postgres), starts the one-process suite on them
#     (release build, generated keys in a temporary data dir) so that it runs its migrations, and
#     seeds members-service's tables with bench/seed.sql (SQL straight into the tables, every
#     constraint kept; attendance rows are not seeded yet);
#  4. captures the statements members-service sends for the people list and the `q=建国` search
#     (ALTER DATABASE … SET log_statement='all' for a short window, read back from PostgreSQL's
#     log by bench/capture.py) and turns them into pgbench scripts with the same parameters;
#  5. measures with wrk (BENCH_CONNECTIONS=64 connections, 2 threads, BENCH_WARMUP=3 s warm-up
#     then BENCH_SECONDS=15 s, admin token in an Authorization header) through the gateway, and
#     beside each measure its peers: nginx (2 workers, keepalive) proxying members-service, the
#     members-service port directly, pgbench replaying the captured statements (at the pool's
#     size, MEMBERS_DB_POOL_SIZE=8, and at 64 clients when the server has the connections free);
#  6. prints one markdown table (date, commit, machine above it) and writes it to
#     target/bench/last.md; the raw outputs stay in target/bench/raw/.
# Everything it starts is stopped and its databases dropped on exit.
#
# Variables: BENCH_SCALE (1.0), BENCH_SECONDS (15), BENCH_WARMUP (3; smoke 0), BENCH_CONNECTIONS (64),
# BENCH_CLIENT_CAP (GATEWAY_MAX_REQUESTS_PER_CLIENT for the run, 0 = no cap: see below),
# BENCH_PGBENCH_CLIENTS ("8 64"), BENCH_LATENCY_COUNT (40), BENCH_PROFILE (1: perf profile of the people list), BENCH_SUITE_BIN (another build, e.g. the
# commit before a change, to measure before and after with the same script), BENCH_PORT (18080: gateway, +1 members, +2 meetings,
# +3 documents, +10 nginx), BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_NO_BUILD,
# BENCH_ONLY (certificates: seed, then only the batches and the suite's RSS through them; the
# other rows print "-"; for memory experiments, e.g. with an allocator setting in the environment).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"
cd "$ROOT"

if [[ "${BENCH_SMOKE:-0}" == 1 ]]; then
    SCALE=${BENCH_SCALE:-0.01}; DURATION=${BENCH_SECONDS:-3}; WARMUP=${BENCH_WARMUP:-0}
else
    SCALE=${BENCH_SCALE:-1.0}; DURATION=${BENCH_SECONDS:-15}; WARMUP=${BENCH_WARMUP:-3}
fi
CONNS=${BENCH_CONNECTIONS:-64}
# wrk's connections all come from one address: at the default per-address cap (64) some of its
# 64 connections' requests get 429 (seen in the first smoke run), so the cap is off unless set.
CLIENT_CAP=${BENCH_CLIENT_CAP:-0}
THREADS=2
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
ONLY=${BENCH_ONLY:-}
PORT=${BENCH_PORT:-18080}
GW=http://127.0.0.1:$PORT
MEMBERS=http://127.0.0.1:$((PORT + 1))
NGINX=http://127.0.0.1:$((PORT + 10))
POOL=8
PGBENCH_CLIENTS=${BENCH_PGBENCH_CLIENTS:-"$POOL 64"}
OUT=$ROOT/target/bench
RAW=$OUT/raw
mkdir -p "$RAW"
rm -f "$RAW"/*

say() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1; }
psql_() { psql "$PG/${1}" -X -q -v ON_ERROR_STOP=1 "${@:2}"; }

# ---- 1. tools -----------------------------------------------------------------------------
PGBENCH=$(command -v pgbench || true)
[[ -z "$PGBENCH" && -x "$(pg_config --bindir 2>/dev/null)/pgbench" ]] && PGBENCH=$(pg_config --bindir)/pgbench
[[ -z "$PGBENCH" ]] && PGBENCH=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1 || true)
missing=()
need wrk || missing+=(wrk)
need nginx || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
[[ -n "$PGBENCH" ]] || missing+=(postgresql-contrib)
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    [[ -n "$PGBENCH" ]] || PGBENCH=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

# ---- 2. build -----------------------------------------------------------------------------
if [[ "${BENCH_NO_BUILD:-0}" != 1 ]]; then
    say "cargo build --release -p alliance-suite"
    nice -n 10 cargo build --release -q -p alliance-suite
fi
SUITE_BIN=${BENCH_SUITE_BIN:-$ROOT/target/release/alliance-suite}
[[ -x "$SUITE_BIN" ]] || { echo "no $SUITE_BIN" >&2; exit 1; }

# ---- 3. databases, suite, seed ------------------------------------------------------------
TMP=$(mktemp -d /tmp/alliance-bench.XXXXXX)
DB=bench_$$
SUITE_PID=""
NGINX_PID=""
cleanup() {
    set +e
    [[ -n "$SUITE_PID" ]] && kill "$SUITE_PID" 2>/dev/null && wait "$SUITE_PID" 2>/dev/null
    [[ -n "$NGINX_PID" ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
    for s in gateway members meetings documents; do
        psql_ postgres -c "DROP DATABASE IF EXISTS ${DB}_$s WITH (FORCE)" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for s in gateway members meetings documents; do
    psql_ postgres -c "CREATE DATABASE ${DB}_$s"
done
ADMIN_PASSWORD=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

start_suite() {
    ALLIANCE_DATA_DIR=$TMP/data \
    SUITE_PORT=$PORT \
    GATEWAY_BIND=127.0.0.1:$PORT MEMBERS_BIND=127.0.0.1:$((PORT + 1)) \
    MEETINGS_BIND=127.0.0.1:$((PORT + 2)) DOCUMENTS_BIND=127.0.0.1:$((PORT + 3)) \
    ALLIANCE_GATEWAY_URL=$GW \
    GATEWAY_DATABASE_URL=$PG/${DB}_gateway MEMBERS_DATABASE_URL=$PG/${DB}_members \
    MEETINGS_DATABASE_URL=$PG/${DB}_meetings DOCUMENTS_DATABASE_URL=$PG/${DB}_documents \
    GATEWAY_ADMIN_PASSWORD=$ADMIN_PASSWORD GATEWAY_TOKEN_TTL_SECS=3600 \
    GATEWAY_MAX_REQUESTS_PER_CLIENT=$CLIENT_CAP RUST_LOG=warn \
        "$SUITE_BIN" >>"$RAW/suite.log" 2>&1 &
    SUITE_PID=$!
    for _ in $(seq 1 300); do
        if curl -sf "$GW/readyz" >/dev/null 2>&1 && curl -sf "$MEMBERS/readyz" >/dev/null 2>&1; then return 0; fi
        kill -0 "$SUITE_PID" 2>/dev/null || { tail -20 "$RAW/suite.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "the suite did not get ready" >&2; tail -20 "$RAW/suite.log" >&2; exit 1
}
# People seeded by SQL have no name keys (姓氏笔画, pinyin; issue 14): members-service writes them
# at start, in batches. Measure only once that is done.
wait_for_name_keys() {
    for _ in $(seq 1 1200); do
        left=$(psql_ "${DB}_members" -Atc "SELECT count(*) FROM people WHERE name_keys_version = 0")
        if [ "$left" = 0 ]; then
            # Keying rewrote every row: vacuum, as autovacuum would in time, so that index-only
            # scans do not visit the heap for the dead versions (the measures are of steady state).
            psql_ "${DB}_members" -c "VACUUM ANALYZE people, person_name_grams"
            return 0
        fi
        sleep 0.5
    done
    echo "members-service did not key the people's names" >&2; exit 1
}
stop_suite() { kill "$SUITE_PID"; wait "$SUITE_PID" 2>/dev/null || true; SUITE_PID=""; }
token() {
    curl -sf "$GW/api/v1/auth/token" -H 'content-type: application/json' \
        -d "{\"grant_type\":\"password\",\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

say "starting the suite on ${DB}_* (migrations)"
start_suite
stop_suite

n() { python3 -c "import sys; print(max(int(sys.argv[2]), round(float(sys.argv[1]) * int(sys.argv[3]))))" "$SCALE" "$@"; }
N_UNITS=$(n 2 2000); N_PEOPLE=$(n 50 100000); N_APPS=$(n 20 10000); N_GROUPS=$(n 2 20)
say "seeding $N_PEOPLE people in $N_UNITS units, $N_APPS appointments in $N_GROUPS groups + council + expert committee"
psql_ "${DB}_members" -v n_units="$N_UNITS" -v n_people="$N_PEOPLE" -v n_groups="$N_GROUPS" \
    -v n_appointments="$N_APPS" -f bench/seed.sql >"$RAW/seed.out"
tail -3 "$RAW/seed.out" | head -1 >&2
UNIT_ID=$(psql_ "${DB}_members" -Atc "SELECT id FROM units ORDER BY id OFFSET $((N_UNITS / 2)) LIMIT 1")
say "seeding meetings: every appointment invited to its body's activities, 10 a work year for 10 years, one attendance record each"
psql_ "${DB}_members" -c "\copy (SELECT a.id, a.body_id, b.name, a.person_id, p.name, p.email, a.unit_id, u.name, a.post, a.starts_on, a.ends_on FROM appointments a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = a.unit_id JOIN bodies b ON b.id = a.body_id) TO '$TMP/appointments.csv' CSV"
psql_ "${DB}_meetings" -c "CREATE UNLOGGED TABLE bench_appointments (id bigint, body_id bigint, body_name text, person_id bigint, person_name text, person_email text, unit_id bigint, unit_name text, post text, starts_on date, ends_on date)"
psql_ "${DB}_meetings" -c "\copy bench_appointments FROM '$TMP/appointments.csv' CSV"
psql_ "${DB}_meetings" -v per_year=10 -f bench/seed-meetings.sql >"$RAW/seed-meetings.out"
tail -3 "$RAW/seed-meetings.out" | head -1 >&2
N_ATT=$(psql_ "${DB}_meetings" -Atc "SELECT count(*) FROM attendance")
# A council member (100 invitations over ten years, 10 in 2025).
ATT_PERSON=$(psql_ "${DB}_members" -Atc "SELECT a.person_id FROM appointments a JOIN bodies b ON b.id = a.body_id WHERE b.kind = 'council' ORDER BY a.id OFFSET 10 LIMIT 1")

PEOPLE_PATH="/api/v1/members/people?limit=50"
JIANGUO_PATH="/api/v1/members/people?limit=50&q=%E5%BB%BA%E5%9B%BD"   # q=建国
OUYANG_PATH="/api/v1/members/people?limit=50&q=%E6%AC%A7%E9%98%B3"    # q=欧阳
UNIT_PATH="/api/v1/members/people?limit=50&unit_id=$UNIT_ID"
STROKES_PATH="/api/v1/members/people?limit=50&sort=surname_strokes"   # 姓氏笔画 order (issue 14)
PINYIN_Q_PATH="/api/v1/members/people?limit=50&q=jianguo"             # full pinyin of 建国
INITIALS_PATH="/api/v1/members/people?limit=50&q=jg"                  # its initials
APPOINTMENTS_PATH="/api/v1/members/appointments?limit=50"
ATTENDANCE_PATH="/api/v1/meetings/attendance?person=$ATT_PERSON&year=2025"
BODIES_PATH="/api/v1/members/bodies"

# ---- 4. capture the statements ------------------------------------------------------------
PGLOG=$(psql_ postgres -Atc "SELECT CASE WHEN current_setting('logging_collector') = 'on' THEN current_setting('data_directory') || '/' || current_setting('log_directory') END" 2>/dev/null || true)
[[ -z "$PGLOG" ]] && PGLOG=$(ls -t /var/log/postgresql/postgresql-*.log 2>/dev/null | head -1 || true)
[[ -d "$PGLOG" ]] && PGLOG=$(ls -t "$PGLOG"/* | head -1)
PGBENCH_OK=0
if [[ "$ONLY" == certificates ]]; then
    :
elif [[ -n "$PGLOG" && -r "$PGLOG" ]]; then
    say "capturing members-service's statements (log_statement=all on ${DB}_members, log $PGLOG)"
    psql_ postgres -c "ALTER DATABASE ${DB}_members SET log_statement = 'all'"
    psql_ postgres -c "ALTER DATABASE ${DB}_meetings SET log_statement = 'all'"
    start_suite
    wait_for_name_keys
    TOKEN=$(token)
    capture() { # name path [service table]
        local service=${3:-members} table=${4:-people}
        curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$GW$2" # warm the pool's connection
        sleep 0.3
        local a b; a=$(stat -c %s "$PGLOG")
        curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$GW$2"
        sleep 0.3; b=$(stat -c %s "$PGLOG")
        echo "${DB}_$service" >"$RAW/$1.db"
        python3 bench/capture.py "$PGLOG" "$a" "$b" "${DB}_$service" "$RAW/$1.sql" "$table" >"$RAW/$1.mode"
    }
    if capture people "$PEOPLE_PATH" && capture jianguo "$JIANGUO_PATH"; then PGBENCH_OK=1; fi
    capture appointments "$APPOINTMENTS_PATH" members appointments || true
    capture unit "$UNIT_PATH" || true
    capture strokes "$STROKES_PATH" || true
    capture pinyin "$PINYIN_Q_PATH" || true
    capture initials "$INITIALS_PATH" || true
    capture attendance "$ATTENDANCE_PATH" meetings invitees || true
    stop_suite
    psql_ postgres -c "ALTER DATABASE ${DB}_members RESET log_statement"
    psql_ postgres -c "ALTER DATABASE ${DB}_meetings RESET log_statement"
    for f in people jianguo appointments unit attendance; do
        [[ -f "$RAW/$f.sql" ]] && { say "captured for $f ($(cat "$RAW/$f.mode" 2>/dev/null)):"; sed 's/^/    /' "$RAW/$f.sql" >&2; }
    done
else
    say "PostgreSQL's log is not readable here: no pgbench peer"
fi

say "starting the suite for the measures"
start_suite
wait_for_name_keys
TOKEN=$(token)

ROWS=()
lat_n=0; lat_p50=-; lat_p90=-; lat_max=-; cold_first=-; cold_p50=-; cold_max=-
if [[ "$ONLY" != certificates ]]; then
# ---- nginx: 2 workers, keepalive to members-service, same path prefix ---------------------
nginx_conf "$TMP/nginx" "$((PORT + 1))" "$((PORT + 10))"
"$NGINX_BIN" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' 2>>"$RAW/nginx.log" &
NGINX_PID=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "$NGINX$BODIES_PATH" && break; sleep 0.1; done

# ---- 5. measures --------------------------------------------------------------------------
cat >"$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("BENCH %.1f %.2f %.2f %d %d\n", summary.requests / s,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
EOF
# wrk NAME URL → "req/s p50 p99" (ms), with a warm-up first; non-2xx or socket errors are reported
wrk_() {
    local name=$1 url=$2
    ((WARMUP > 0)) && wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -H "Authorization: Bearer $TOKEN" "$url" >/dev/null 2>&1 || true
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$TMP/report.lua" \
        -H "Authorization: Bearer $TOKEN" "$url" >"$RAW/$name.wrk" 2>&1
    local line rps p50 p99 bad sock; line=$(grep '^BENCH ' "$RAW/$name.wrk" | tail -1 || true)
    if [[ -z "$line" ]]; then say "$name: wrk failed (see $RAW/$name.wrk)"; echo "- - -"; return; fi
    read -r _ rps p50 p99 bad sock <<<"$line"
    ((bad + sock == 0)) || say "$name: $bad non-2xx answers, $sock socket errors (see $RAW/$name.wrk)"
    say "$name: $rps req/s, p50 $p50 ms, p99 $p99 ms"
    echo "$rps $p50 $p99"
}
# pgbench NAME CLIENTS → "tps p50 p99" (ms), from its per-transaction log
pgbench_() {
    local name=$1 clients=$2 mode vars=() db
    [[ -s "$RAW/$name.sql" ]] || { echo "- - -"; return; }
    mode=$(cat "$RAW/$name.mode"); db=$(cat "$RAW/$name.db")
    while IFS= read -r v; do vars+=(-D "$v"); done <"$RAW/$name.sql.vars"
    local free
    free=$(psql_ postgres -Atc "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int - count(*) FROM pg_stat_activity")
    if ((free < clients + 5)); then say "pgbench $name -c $clients: only $free connections free, skipped"; echo "- - -"; return; fi
    ((WARMUP > 0)) && "$PGBENCH" -n -M "$mode" -c "$clients" -j "$THREADS" -T "$WARMUP" "${vars[@]}" -f "$RAW/$name.sql" "$PG/$db" >/dev/null 2>&1 || true
    rm -f "$TMP"/pgb.*
    (cd "$TMP" && "$PGBENCH" -n -M "$mode" -c "$clients" -j "$THREADS" -T "$DURATION" -l --log-prefix=pgb \
        "${vars[@]}" -f "$RAW/$name.sql" "$PG/$db") >"$RAW/$name-c$clients.pgbench" 2>&1
    local tps p50 p99
    tps=$(awk '/^tps = /{printf "%.1f", $3}' "$RAW/$name-c$clients.pgbench")
    read -r p50 p99 < <(cat "$TMP"/pgb.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.5); j=int(NR*0.99); if(i<1)i=1; if(j<1)j=1; printf "%.2f %.2f\n", a[i]/1000, a[j]/1000}')
    say "pgbench $name -c $clients ($mode): $tps tps, p50 $p50 ms, p99 $p99 ms"
    echo "$tps $p50 $p99"
}

row() { # measure "gw figures" peer "peer figures"
    local m=$1 peer=$3; local rps p50 p99 prps pp50 pp99 ratio
    read -r rps p50 p99 <<<"$2"
    read -r prps pp50 pp99 <<<"${4:-- - -}"
    if [[ "$prps" == "-" || "$rps" == "-" ]]; then ratio="—"; prps="—"; pp99="—"
    else ratio=$(python3 -c "print(f'{$rps / $prps:.2f}')"); pp99="$pp99 ms"; fi
    ROWS+=("| $m | $rps | $p50 ms | $p99 ms | $peer | $prps | $pp99 | $ratio |")
}

say "measuring: $CONNS connections, $THREADS threads, ${WARMUP} s warm-up + ${DURATION} s each"
# BENCH_PROFILE=1: a whole-machine CPU profile (perf, cpu-clock) while the people list is
# measured through the gateway; the report by process and symbol goes to raw/people.profile.txt.
PERF_PID=""
if [[ "${BENCH_PROFILE:-0}" == 1 ]] && command -v perf >/dev/null; then
    perf record -q -e cpu-clock -F 499 -a -g -o "$RAW/people.perf.data" -- sleep $((WARMUP + DURATION)) 2>/dev/null &
    PERF_PID=$!
fi
g=$(wrk_ people-gw "$GW$PEOPLE_PATH")
if [[ -n "$PERF_PID" ]]; then
    wait "$PERF_PID" || true
    perf report -q -i "$RAW/people.perf.data" --no-children --sort comm,dso,sym --stdio -g none 2>/dev/null |
        head -80 >"$RAW/people.profile.txt" || true
    perf report -q -i "$RAW/people.perf.data" --no-children --sort comm --stdio -g none 2>/dev/null \
        >"$RAW/people.profile-by-process.txt" || true
    say "profile: $RAW/people.profile.txt"
fi
n1=$(wrk_ people-nginx "$NGINX$PEOPLE_PATH")
d1=$(wrk_ people-direct "$MEMBERS$PEOPLE_PATH")
row "people, first page of 50" "$g" "nginx → members-service" "$n1"
row "people, first page of 50" "$g" "members-service direct" "$d1"
if ((PGBENCH_OK)); then
    for c in $PGBENCH_CLIENTS; do row "people, first page of 50" "$g" "pgbench, captured statements, -c $c" "$(pgbench_ people "$c")"; done
fi
g=$(wrk_ jianguo-gw "$GW$JIANGUO_PATH")
if ((PGBENCH_OK)); then
    for c in $PGBENCH_CLIENTS; do row "people search \`q=建国\`" "$g" "pgbench, captured statements, -c $c" "$(pgbench_ jianguo "$c")"; done
else row "people search \`q=建国\`" "$g" "—"; fi
row "people search \`q=欧阳\` (no match)" "$(wrk_ ouyang-gw "$GW$OUYANG_PATH")" "—"
peered() { # measure name path: through the gateway, beside pgbench replaying its statements
    local g; g=$(wrk_ "$2-gw" "$GW$3")
    if ((PGBENCH_OK)) && [[ -s "$RAW/$2.sql" ]]; then
        for c in $PGBENCH_CLIENTS; do row "$1" "$g" "pgbench, captured statements, -c $c" "$(pgbench_ "$2" "$c")"; done
    else row "$1" "$g" "—"; fi
}
peered "people of one unit" unit "$UNIT_PATH"
peered "people in 姓氏笔画 order, first page of 50" strokes "$STROKES_PATH"
peered "people search \`q=jianguo\` (full pinyin)" pinyin "$PINYIN_Q_PATH"
peered "people search \`q=jg\` (initials)" initials "$INITIALS_PATH"
peered "appointments, first page of 50" appointments "$APPOINTMENTS_PATH"
peered "a council member's attendance in work year 2025" attendance "$ATTENDANCE_PATH"
g=$(wrk_ bodies-gw "$GW$BODIES_PATH")
n1=$(wrk_ bodies-nginx "$NGINX$BODIES_PATH")
d1=$(wrk_ bodies-direct "$MEMBERS$BODIES_PATH")
row "\`GET /bodies\`" "$g" "nginx → members-service" "$n1"
row "\`GET /bodies\`" "$g" "members-service direct" "$d1"
fi

# ---- side effects and memory ----------------------------------------------------------------
# The suite's RSS: total, anonymous (heap) and file-backed (the binary, its embedded fonts) MiB.
rss3() { awk '/^VmRSS/{t=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2} END{printf "%.0f %.0f %.0f\n", t/1024, a/1024, f/1024}' "/proc/$SUITE_PID/status"; }
rss() { rss3 | cut -d' ' -f1; }
RSS_LOADED=$(rss)
FIRST_FREE=$(psql_ "${DB}_members" -Atc "SELECT min(id) + $N_APPS FROM people")
LAT_N=${BENCH_LATENCY_COUNT:-40}
if [[ "$ONLY" != certificates ]]; then
say "side effects: $LAT_N appointments, each until its 聘书 is listed"
LAT=$(python3 bench/latency.py "$GW" "$TOKEN" "$LAT_N" "$FIRST_FREE" 2>"$RAW/latency.err" | grep '^BENCH ' || true)
if [[ -n "$LAT" ]]; then read -r _ lat_n lat_p50 lat_p90 lat_max <<<"$LAT"
else say "latency: failed ($(tail -1 "$RAW/latency.err"))"; lat_n=0; lat_p50=-; lat_p90=-; lat_max=-; fi
say "appointment → 聘书 listed: median $lat_p50 ms, p90 $lat_p90 ms, max $lat_max ms ($lat_n)"
fi

# Certificates in bulk: a batch per body (every appointment reissued, no mail), the suite's RSS
# sampled every 0.2 s meanwhile (issue 11: ≤ 150 MiB through 10,000 certificates, not growing).
say "certificates: a batch per body, RSS sampled"
( while :; do rss3 >>"$RAW/batch-rss.txt"; sleep 0.2; done ) & SAMPLER=$!
BATCH=$(python3 bench/batches.py "$GW" "$TOKEN" 2>"$RAW/batches.err" | grep '^BENCH ' || true)
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
read -r RSS_PEAK PEAK_ANON PEAK_FILE < <(grep -v '^$' "$RAW/batch-rss.txt" | sort -n | tail -1)
RSS_MEDIAN=$(grep -v '^$' "$RAW/batch-rss.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
read -r RSS_AFTER AFTER_ANON AFTER_FILE < <(rss3)
if [[ -n "$BATCH" ]]; then read -r _ batch_n batch_s batch_rate batch_failed <<<"$BATCH"
else say "batches: failed ($(tail -1 "$RAW/batches.err"))"; batch_n=0; batch_s=-; batch_rate=-; batch_failed=-; fi
say "certificates: $batch_n in $batch_s s ($batch_rate/s, $batch_failed failed); RSS median $RSS_MEDIAN MiB, peak $RSS_PEAK MiB (anon $PEAK_ANON, file $PEAK_FILE), after $RSS_AFTER MiB (anon $AFTER_ANON, file $AFTER_FILE)"

# Cold start: the suite on its embedded defaults (SQLite), spawn → gateway ready.
if [[ "$ONLY" != certificates ]]; then
say "cold start: the suite on SQLite, 1 fresh + 5 restarts"
COLD=$(python3 bench/coldstart.py "$SUITE_BIN" $((PORT + 20)) 5 2>"$RAW/coldstart.err" | grep '^BENCH ' || true)
if [[ -n "$COLD" ]]; then read -r _ cold_first cold_p50 cold_max <<<"$COLD"
else say "cold start: failed ($(tail -1 "$RAW/coldstart.err"))"; cold_first=-; cold_p50=-; cold_max=-; fi
fi

# ---- 6. the table -------------------------------------------------------------------------
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' ':!docs' 2>/dev/null || echo ' (+ uncommitted changes)'); machine: $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB ($(uname -m)), load when written: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "data: $N_PEOPLE people in $N_UNITS units, $N_APPS appointments, $N_ATT attendance rows (scale $SCALE), PostgreSQL $(psql_ postgres -Atc 'SHOW server_version' | cut -d' ' -f1); wrk $CONNS connections, $THREADS threads, ${WARMUP} s warm-up + ${DURATION} s; ratio = req/s ÷ peer req/s"
    echo
    echo "| measure | req/s | p50 | p99 | peer | peer req/s | peer p99 | ratio |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "| side effect / memory | median | p90 | max |"
    echo "|---|---|---|---|"
    echo "| appointment made → its 聘书 listed ($lat_n rounds, through the gateway) | $lat_p50 ms | $lat_p90 ms | $lat_max ms |"
    echo "| one-process suite RSS after the HTTP measures | $RSS_LOADED MiB | | |"
    echo "| one-process suite RSS through $batch_n certificates (a batch per body, PostgreSQL): median / after / peak (peak: anonymous + file-backed) | $RSS_MEDIAN MiB | $RSS_AFTER MiB | $RSS_PEAK MiB ($PEAK_ANON + $PEAK_FILE) |"
    echo "| cold start to a ready gateway (SQLite defaults): fresh data dir / restarts (5) | $cold_first ms | $cold_p50 ms | $cold_max ms |"
    echo
    echo "| certificates | count | seconds | per second | failed |"
    echo "|---|---|---|---|---|"
    echo "| batches through the gateway, every body's appointments reissued, no mail | $batch_n | $batch_s | $batch_rate | $batch_failed |"
} >"$OUT/last.md"
echo
cat "$OUT/last.md"
