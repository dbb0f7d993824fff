#!/usr/bin/env bash
# `make bench`: our after-sales system side by side with django-helpdesk 2.6.1 and a floor
# (one INSERT / one indexed SELECT in a bare Django view), on SQLite then PostgreSQL, in one run.
#
#   bash bench/run.sh                                   # 1,000,000 orders, sqlite + postgres
#   BENCH_ORDERS=100000 BENCH_DBS=sqlite bash bench/run.sh
#
# Everything generated lives under $BENCH_ROOT (default /tmp/aftersales-bench), outside the
# repository: the peer's virtualenv, the databases, the results ($BENCH_ROOT/results/<stamp>/).
# Only 127.0.0.1 is ever targeted; every load phase is bounded by a count, a wall-clock cap and
# `timeout`. PostgreSQL databases are created for the run and dropped at the end (BENCH_KEEP=1
# keeps them and the SQLite files, e.g. to profile afterwards).
#
# Tunables: BENCH_ORDERS, BENCH_PEER_TICKETS (default: same as BENCH_ORDERS), BENCH_DBS, BENCH_SEED,
# BENCH_BATCH, BENCH_WORKERS (2), BENCH_N_INTAKE (1000), BENCH_C (8), BENCH_N_READ (200),
# BENCH_READ_CAP (60 s), BENCH_API_CAP (60 s), BENCH_INTAKE_CAP (120 s), BENCH_PG (server URL),
# BENCH_ONLY (workloads), BENCH_SYSTEMS ("ours peer floor"), BENCH_KEEP, BENCH_REUSE (1: keep the
# data of a previous BENCH_KEEP run and only serve + measure), BENCH_PG_SUFFIX (appended to the
# three PostgreSQL database names, so two checkouts can keep their own data on one server),
# BENCH_PORT_OURS / BENCH_PORT_PEER / BENCH_PORT_FLOOR (8801-8803).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BENCH_ROOT="${BENCH_ROOT:-/tmp/aftersales-bench}"
ORDERS="${BENCH_ORDERS:-1000000}"
PEER_TICKETS="${BENCH_PEER_TICKETS:-$ORDERS}"
DBS="${BENCH_DBS:-sqlite postgres}"
SEED="${BENCH_SEED:-42}"
BATCH="${BENCH_BATCH:-5000}"
WORKERS="${BENCH_WORKERS:-2}"
N_INTAKE="${BENCH_N_INTAKE:-1000}"
C="${BENCH_C:-8}"
N_READ="${BENCH_N_READ:-200}"
READ_CAP="${BENCH_READ_CAP:-60}"
API_CAP="${BENCH_API_CAP:-60}"
INTAKE_CAP="${BENCH_INTAKE_CAP:-120}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
ONLY="${BENCH_ONLY:-intake,queue,detail,search,dashboard}"
SYSTEMS="${BENCH_SYSTEMS:-ours peer floor}"
KEEP="${BENCH_KEEP:-0}"
REUSE="${BENCH_REUSE:-0}"
SFX="${BENCH_PG_SUFFIX:-}"
PORT_OURS="${BENCH_PORT_OURS:-8801}" PORT_PEER="${BENCH_PORT_PEER:-8802}" PORT_FLOOR="${BENCH_PORT_FLOOR:-8803}"

OURPY="$REPO/.venv/bin/python"
PEERVENV="$BENCH_ROOT/peer-venv"
PEERPY="$PEERVENV/bin/python"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RES="$BENCH_ROOT/results/$STAMP"
mkdir -p "$RES"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$RES/run.log"; }
elapsed() { python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$(date +%s.%N)"; }

# ---- the peer's virtualenv (pinned: the versions ../shared/bench/peer measured) -----------------
if [ ! -x "$PEERVENV/bin/gunicorn" ] || ! "$PEERPY" -c "import helpdesk, httpx, aiohttp" 2>/dev/null; then
  log "creating $PEERVENV (django-helpdesk 2.6.1)"
  python3 -m venv "$PEERVENV"
  "$PEERVENV/bin/pip" install -q --upgrade pip
  "$PEERVENV/bin/pip" install -q "django-helpdesk==2.6.1" "Django==5.2.19" "djangorestframework==3.18.3" \
      "gunicorn==27.0.1" "psycopg[binary]==3.3.9" "httpx==0.28.1" "aiohttp==3.14.5"
fi

{
  echo "date_utc=$STAMP"
  echo "command=BENCH_ORDERS=$ORDERS BENCH_PEER_TICKETS=$PEER_TICKETS BENCH_DBS='$DBS' BENCH_REUSE=$REUSE BENCH_READ_CAP=$READ_CAP BENCH_API_CAP=$API_CAP bash bench/run.sh"
  echo "nproc=$(nproc)"; grep -m1 'model name' /proc/cpuinfo || true; free -g | sed -n 2p
  echo "uptime: $(uptime)"
  "$OURPY" --version
  "$OURPY" -c 'from importlib.metadata import version as v; import sqlite3; print("ours:", *(f"{p} {v(p)}" for p in ("django", "django-ninja", "gunicorn", "psycopg")), "sqlite", sqlite3.sqlite_version)'
  "$PEERVENV/bin/pip" freeze 2>/dev/null | grep -iE '^(django|django-helpdesk|djangorestframework|gunicorn|psycopg|httpx|aiohttp)==' | tr '\n' ' '; echo
  psql "$PG/postgres" -qtAc "SELECT version()" 2>/dev/null || echo "postgres: not reachable"
} > "$RES/env.txt" 2>&1
cat "$RES/env.txt"

PIDS=()
stop_all() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    for _ in $(seq 1 50); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
  PIDS=()
}
trap stop_all EXIT

wait_up() {  # url
  for _ in $(seq 1 150); do curl -s -o /dev/null "$1" && return 0; sleep 0.2; done
  log "server at $1 did not come up"; return 1
}

rss_of() {  # master pid, label, db -> one JSON line per worker into results
  local master="$1" label="$2" db="$3"
  for w in $(pgrep -P "$master" || true); do
    local kb; kb="$(awk '/VmRSS/ {print $2}' "/proc/$w/status" 2>/dev/null || echo 0)"
    echo "{\"system\": \"$label\", \"db\": \"$db\", \"orders\": $ORDERS, \"workload\": \"rss\", \"name\": \"worker $w\", \"rss_mb\": $((kb / 1024))}" >> "$RES/results.jsonl"
    log "[$label/$db] worker $w RSS $((kb / 1024)) MB"
  done
}

pg_recreate() {  # name
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
  psql "$PG/postgres" -qc "CREATE DATABASE $1 ENCODING 'UTF8' TEMPLATE template0"
}

for db in $DBS; do
  STATE="$BENCH_ROOT/$db"
  if [ "$db" = postgres ]; then
    export DATABASE_URL="$PG/aftersales_bench$SFX" PEER_DB=postgres PEER_PG_DB="peer_bench$SFX" FLOOR_DATABASE_URL="$PG/floor_bench$SFX"
  else
    unset DATABASE_URL FLOOR_DATABASE_URL PEER_PG_DB || true
    export PEER_DB=sqlite
  fi
  export AFTERSALES_VAR_DIR="$STATE/ours" PEER_STATE_DIR="$STATE/peer" FLOOR_STATE_DIR="$STATE/floor"
  unset DJANGO_SETTINGS_MODULE || true  # each project uses its own default (ours: config.settings.base)
  export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench-only-secret
  export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost LOG_LEVEL=WARNING

  if [ "$REUSE" != 1 ]; then
    rm -rf "$STATE"; mkdir -p "$STATE/ours" "$STATE/peer" "$STATE/floor"
    if [ "$db" = postgres ]; then pg_recreate "aftersales_bench$SFX"; pg_recreate "peer_bench$SFX"; pg_recreate "floor_bench$SFX"; fi

    log "[$db] ours: migrate"
    (cd "$REPO" && "$OURPY" manage.py migrate -v0 --noinput)
    log "[$db] ours: seed_demo --orders $ORDERS --seed $SEED --batch $BATCH"
    t0=$(date +%s.%N)
    (cd "$REPO" && /usr/bin/time -v "$OURPY" manage.py seed_demo --orders "$ORDERS" --seed "$SEED" --batch "$BATCH" \
        2> "$RES/seed-time-$db.txt" | tee -a "$RES/run.log" | tail -3)
    seed_s=$(elapsed "$t0")
    seed_rss=$(awk '/Maximum resident/ {print int($6/1024)}' "$RES/seed-time-$db.txt")
    echo "{\"system\": \"ours\", \"db\": \"$db\", \"orders\": $ORDERS, \"workload\": \"load\", \"name\": \"seed_demo\", \"seconds\": $seed_s, \"max_rss_mb\": ${seed_rss:-0}}" >> "$RES/results.jsonl"
    log "[$db] ours: seed_demo took $seed_s s (max RSS ${seed_rss:-?} MB)"
    t0=$(date +%s.%N)
    (cd "$REPO" && "$OURPY" bench/clocks_backfill.py | tee -a "$RES/run.log" | sed "s/^{/{\"system\": \"ours\", \"db\": \"$db\", \"orders\": $ORDERS, \"workload\": \"load\", \"name\": \"clocks_backfill\", /" >> "$RES/results.jsonl")
    log "[$db] ours: clocks backfill took $(elapsed "$t0") s"
    (cd "$REPO" && "$OURPY" bench/setup_ours.py --state "$STATE" | tee -a "$RES/run.log")

    if [[ " $SYSTEMS " == *" peer "* ]]; then
      log "[$db] peer: migrate + fixtures + superuser/queues"
      (cd "$HERE/peer" && "$PEERPY" manage.py migrate -v0 && "$PEERPY" manage.py loaddata -v0 emailtemplate.json \
          && "$PEERPY" peer_setup.py --manifest "$STATE/manifest.json" --write "$STATE/peer.json" | tee -a "$RES/run.log")
      log "[$db] peer: bulk load of $PEER_TICKETS tickets (+1 follow-up each)"
      (cd "$HERE/peer" && /usr/bin/time -v "$PEERPY" bulk_load.py --orders "$STATE/orders.tsv" --limit "$PEER_TICKETS" \
          --peer-json "$STATE/peer.json" 2> "$RES/peer-load-time-$db.txt" \
          | sed "s/^{/{\"system\": \"peer\", \"db\": \"$db\", \"orders\": $ORDERS, \"workload\": \"load\", \"name\": \"bulk_load\", /" \
          | tee -a "$RES/results.jsonl" "$RES/run.log")
    fi
    if [[ " $SYSTEMS " == *" floor "* ]]; then
      (cd "$HERE/floor" && "$OURPY" manage.py migrate -v0)
    fi
  fi

  if [ "$REUSE" = 1 ]; then  # data of a kept run: bring the schema up to date (new indexes)
    (cd "$REPO" && "$OURPY" manage.py migrate -v0 --noinput)
  fi
  (cd "$REPO" && "$OURPY" manage.py collectstatic --noinput -v0)  # the console's CSS/JS, served by whitenoise
  # Every benchmark intake must really be assigned: give the demo engineers room for this run's
  # intakes (plus warm-ups), whatever earlier runs on kept data left them (docs/dispatch.md).
  (cd "$REPO" && "$OURPY" manage.py shell -c "from django.db.models import F; from dispatch.models import EngineerProfile as E; E.objects.update(capacity=F('open_orders') + $N_INTAKE + 500)")
  log "[$db] load before measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
  common=(--db "$db" --orders "$ORDERS" --only "$ONLY" -c "$C" --n-intake "$N_INTAKE" --intake-cap "$INTAKE_CAP"
          --n-read "$N_READ" --read-cap "$READ_CAP" --api-cap "$API_CAP" --out "$RES/results.jsonl")
  for system in $SYSTEMS; do
    case "$system" in
      ours)
        (cd "$REPO" && exec "$REPO/.venv/bin/gunicorn" config.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT_OURS" --timeout 120 \
            --access-logfile /dev/null --error-logfile "$RES/gunicorn-ours-$db.log") &
        PIDS+=($!); wait_up "http://127.0.0.1:$PORT_OURS/healthz"
        timeout 1800 "$PEERPY" "$HERE/load.py" ours --base "http://127.0.0.1:$PORT_OURS" --manifest "$STATE/manifest.json" \
            --server-pid "${PIDS[-1]}" "${common[@]}" | tee -a "$RES/run.log"
        rss_of "${PIDS[-1]}" ours "$db" ;;
      peer)
        (cd "$HERE/peer" && exec "$PEERVENV/bin/gunicorn" peerdesk.wsgi:application -w "$WORKERS" -b "127.0.0.1:$PORT_PEER" \
            --timeout 120 --access-logfile /dev/null --error-logfile "$RES/gunicorn-peer-$db.log") &
        PIDS+=($!); wait_up "http://127.0.0.1:$PORT_PEER/helpdesk/login/"
        timeout 3600 "$PEERPY" "$HERE/load.py" peer --base "http://127.0.0.1:$PORT_PEER" --manifest "$STATE/manifest.json" \
            --peer "$STATE/peer.json" --server-pid "${PIDS[-1]}" "${common[@]}" | tee -a "$RES/run.log"
        rss_of "${PIDS[-1]}" peer "$db" ;;
      floor)
        (cd "$HERE/floor" && exec "$REPO/.venv/bin/gunicorn" floor.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT_FLOOR" \
            --timeout 120 --access-logfile /dev/null --error-logfile "$RES/gunicorn-floor-$db.log") &
        PIDS+=($!); wait_up "http://127.0.0.1:$PORT_FLOOR/select"
        timeout 900 "$PEERPY" "$HERE/load.py" floor --base "http://127.0.0.1:$PORT_FLOOR" --server-pid "${PIDS[-1]}" "${common[@]}" | tee -a "$RES/run.log"
        rss_of "${PIDS[-1]}" floor "$db" ;;
    esac
    stop_all
  done
  log "[$db] load after measuring: $(cut -d' ' -f1-3 /proc/loadavg)"

  if [ "$KEEP" != 1 ]; then
    if [ "$db" = postgres ]; then
      for name in "aftersales_bench$SFX" "peer_bench$SFX" "floor_bench$SFX"; do psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"; done
    fi
    rm -rf "$STATE"
  fi
done

"$OURPY" "$HERE/report.py" "$RES" | tee "$RES/summary.md"
log "done; results in $RES"
