#!/usr/bin/env bash
# Multi-worker demo: the timeline DAGs on Airflow 3's CeleryExecutor (Redis broker, Postgres metadata db)
# with two Celery workers on this machine, compared with `timeline run` on the same corpus.
#
#  1. installs what is missing: Debian's redis-server and postgresql (apt-get, as root or via sudo) and
#     the project's `celery` extra (apache-airflow-providers-celery, psycopg2) into the project's .venv;
#  2. writes a corpus (te3-silver from ../shared if present, else varied copies of seeds/) and runs
#     `timeline run` on it (one machine, in-process, every core) into a reference warehouse;
#  3. starts its own Redis and its own PostgreSQL cluster from those packages, on free 127.0.0.1 ports with
#     their data in the temp folder (the system's services, if any, are not touched), and creates a
#     throwaway database for Airflow's metadata (dropped at the end);
#  4. starts `airflow api-server`, `scheduler`, `dag-processor` and two `airflow celery worker`s, each
#     its own process session with its own working folder, AIRFLOW_HOME, Great Expectations project and
#     --celery-hostname, sharing
#     only the lake/warehouse folder, the broker and the metadata db (workers reach Airflow through the
#     API server's Execution API; the JWT secret is shared);
#  5. triggers `timeline_ingest` (the corpus cut into >= 8 batches), waits for it and the Asset-triggered
#     `timeline_warehouse`, and prints every try of each `extract` map index with the worker that ran it,
#     how many ran at once, the extract phase's wall time, and the published warehouse's counts next to
#     the reference's: documents, events and event_markets must be equal (and the event ids the same).
#
# FAULT=kill-worker: as soon as a worker has run an `extract` task for FAULT_AFTER seconds, every
# process of that worker (the Celery worker, its pool and the task) gets SIGKILL, as if its machine were
# lost. Nothing acknowledges the Celery message or heartbeats the task instance any more, so the
# scheduler fails that try after AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT (30 s here, default
# 300 s), `extract`'s retries (2, 30 s apart) queue it again, and the other worker runs it. The final
# warehouse must still equal the reference.
#
# Every process it started is stopped on exit by session id (shell functions shared with
# scheduler_demo.sh in benchmarks/lib/services.sh), the metadata database is dropped, PostgreSQL and
# Redis are stopped and the temp folder is removed (kept on failure or with KEEP=1). Exit status
# non-zero on any failure. Takes ~3-5 min on 2 cores (the fault mode ~1 min more).
#
#     benchmarks/celery_demo.sh                          # 4000 documents, 500 per batch, 2 workers x 1
#     FAULT=kill-worker benchmarks/celery_demo.sh        # kill -9 one worker mid-task
#     DOCS=400 BATCH_SIZE=50 benchmarks/celery_demo.sh   # quicker
set -euo pipefail
{ # the whole script is read before it runs: editing this file meanwhile cannot change a running demo

# shellcheck source=lib/services.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/services.sh"
DOCS="${DOCS:-4000}"
BATCH_SIZE="${BATCH_SIZE:-500}"
CONCURRENCY="${CONCURRENCY:-1}"       # task slots per Celery worker
FAULT="${FAULT:-}"
FAULT_AFTER="${FAULT_AFTER:-1}"       # seconds an extract has run before its worker is killed
RUN_TIMEOUT="${RUN_TIMEOUT:-900}"     # seconds, per DAG run
case "$FAULT" in ""|kill-worker) ;; *) echo "FAULT must be empty or kill-worker" >&2; exit 2 ;; esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/timeline-celery-demo.XXXXXX")"
chmod 755 "$WORK"                     # PostgreSQL runs as the postgres user and needs to reach WORK/pg
mkdir -p "$WORK/logs"
WORKERS=(worker1 worker2)
DB=""

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
AS_PG=()                              # PostgreSQL refuses to run as root: as root, run it as postgres
[ "$(id -u)" = 0 ] && AS_PG=(runuser -u postgres --)

on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  local airflow_pids
  airflow_pids="$(pids_of api-server scheduler dag-processor "${WORKERS[@]}")"
  # shellcheck disable=SC2086
  stop_sessions "Airflow services and workers" $airflow_pids || rc=1
  if [ -n "$DB" ]; then
    if "$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
         -c "DROP DATABASE \"$DB\" WITH (FORCE)" >>"$WORK/logs/psql.log" 2>&1; then
      log "dropped database $DB"
    else
      log "could not drop database $DB"; rc=1
    fi
  fi
  # shellcheck disable=SC2086
  stop_sessions "redis and postgres" $(pids_of redis postgres) || rc=1
  finish "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- 1. what is missing ---------------------------------------------------------------------------------
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
need=()
command -v redis-server >/dev/null || need+=(redis-server)
[ -x "$PGBIN/postgres" ] || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  log "apt-get install ${need[*]}"
  as_root apt-get update -q >"$WORK/logs/apt.log" 2>&1
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >>"$WORK/logs/apt.log" 2>&1
  PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
if ! "$PY" -c 'import psycopg2, asyncpg; from airflow.providers.celery.executors import celery_executor_utils' \
     >/dev/null 2>&1; then
  log "installing the project's celery extra into $ROOT/.venv"
  # the same install as the Dockerfile's (tests/test_deploy.py keeps them equal); editable, as `make setup`
  (cd "$ROOT" && "$BIN/pip" install --quiet -e ".[celery]") >"$WORK/logs/pip.log" 2>&1
fi
log "redis $(redis-server --version | grep -o 'v=[0-9.]*'), postgres $("$PGBIN/postgres" --version | awk '{print $3}'), \
celery provider $("$PY" -c 'from importlib.metadata import version as v; print(v("apache-airflow-providers-celery"))')"

# --- 2. corpus and the single-machine reference ------------------------------------------------------------
demo_py corpus "$WORK/sources" "$DOCS"
BATCHES=$(( (DOCS + BATCH_SIZE - 1) / BATCH_SIZE ))
[ "$BATCHES" -ge 8 ] || log "note: $BATCHES batches (the demo is meant for >= 8: DOCS / BATCH_SIZE)"
log "reference: timeline run on the same corpus (one machine, in-process)"
t=$(date +%s%N)
AIRFLOW_HOME="$WORK/single/airflow" TIMELINE_EXPECTATIONS="$WORK/single/expectations" TIMELINE_WORKERS=0 \
  TIMELINE_BATCH_SIZE="$BATCH_SIZE" "$BIN/timeline" run --source "$WORK/sources" \
  --lake "$WORK/single/lake" --warehouse "$WORK/single/timeline.duckdb" --reports "$WORK/single/reports" \
  >"$WORK/logs/timeline-run.log" 2>&1 || { cat "$WORK/logs/timeline-run.log" >&2; exit 1; }
t=$(( ($(date +%s%N) - t) / 100000000 ))
REF_SECONDS="$((t / 10)).$((t % 10))"
log "timeline run: $REF_SECONDS s; $(grep -E 'ingest .*success in' "$WORK/logs/timeline-run.log" | sed 's/^ *//'); $(load)"

# --- 3. Redis and PostgreSQL of our own, on loopback --------------------------------------------------------
REDIS_PORT="$(free_port)"
mkdir -p "$WORK/redis"
start_service redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" \
  --save "" --appendonly no --daemonize no --protected-mode yes
PGPORT="$(free_port)"
mkdir -p "$WORK/pg/sock"
[ "$(id -u)" = 0 ] && chown -R postgres: "$WORK/pg"
(cd "$WORK/pg" && "${AS_PG[@]}" "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 --no-sync) \
  >"$WORK/logs/initdb.log" 2>&1
SERVICE_CWD="$WORK/pg" start_service postgres "${AS_PG[@]}" "$PGBIN/postgres" -D "$WORK/pg/data" -p "$PGPORT" \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories="$WORK/pg/sock" -c fsync=off \
  -c synchronous_commit=off -c full_page_writes=off -c max_connections=200
WATCHED=(redis postgres)
for _ in $(seq 1 60); do
  alive_or_die "${WATCHED[@]}"
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" -U postgres && redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.5
done
DB="airflow_demo_$$"
"$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "CREATE DATABASE \"$DB\"" >"$WORK/logs/psql.log" 2>&1
log "redis on 127.0.0.1:$REDIS_PORT, postgres on 127.0.0.1:$PGPORT, metadata database $DB"

# --- 4. Airflow ---------------------------------------------------------------------------------------------
PORT="$(free_port)"
airflow_env "$PORT"
export AIRFLOW_HOME="$WORK/airflow"
export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
export AIRFLOW__CORE__PARALLELISM=32
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://postgres@127.0.0.1:$PGPORT/$DB"
export AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
export AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql+psycopg2://postgres@127.0.0.1:$PGPORT/$DB"
export AIRFLOW__CELERY__WORKER_CONCURRENCY="$CONCURRENCY"
export AIRFLOW__CELERY__OPERATION_TIMEOUT=10        # seconds to publish a task (default 1; 2 busy cores)
# a lost worker: its task instance stops heartbeating; fail that try after 30 s instead of 300 s
export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=30
export AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL=5
export TIMELINE_BATCH_SIZE="$BATCH_SIZE"
export TIMELINE_PARALLEL_BATCHES=$(( ${#WORKERS[@]} * CONCURRENCY ))   # extract's max_active_tis_per_dagrun
mkdir -p "$AIRFLOW_HOME"
log "airflow db migrate (PostgreSQL)"
"$AIRFLOW" db migrate >"$WORK/logs/db-migrate.log" 2>&1
start_airflow_core
HOST="$(hostname -s)"
for w in "${WORKERS[@]}"; do
  mkdir -p "$WORK/$w/tmp" "$WORK/$w/airflow"
  # own working folder, temp folder, AIRFLOW_HOME (task logs), Great Expectations project (created from
  # the suites shipped in the package; Data Docs) and name; no log server (it binds every interface): task
  # logs stay in WORK/<worker>/airflow/logs. The hostname callable makes each task instance record the
  # worker's name (two workers on one machine share the machine's hostname).
  SERVICE_CWD="$WORK/$w" start_service "$w" env TMPDIR="$WORK/$w/tmp" AIRFLOW_HOME="$WORK/$w/airflow" \
    TIMELINE_EXPECTATIONS="$WORK/$w/expectations" \
    DEMO_WORKER_HOSTNAME="$w@$HOST" PYTHONPATH="$DEMO_LIB" AIRFLOW__CORE__HOSTNAME_CALLABLE=airflow_demo.worker_hostname \
    "$AIRFLOW" celery worker --celery-hostname "$w@$HOST" --concurrency "$CONCURRENCY" --skip-serve-logs
done
WATCHED=(redis postgres api-server scheduler dag-processor "${WORKERS[@]}")
wait_for_api_and_dags
for _ in $(seq 1 120); do   # both workers connected to the broker
  alive_or_die "${WATCHED[@]}"
  ready=0
  for w in "${WORKERS[@]}"; do grep -q "$w@$HOST ready" "$WORK/logs/$w.log" && ready=$((ready + 1)); done
  [ "$ready" = "${#WORKERS[@]}" ] && break
  sleep 1
done
[ "$ready" = "${#WORKERS[@]}" ] || { echo "timed out waiting for the Celery workers" >&2; exit 1; }
log "Celery workers ready: ${WORKERS[*]/%/@$HOST} (concurrency $CONCURRENCY each)"

# --- 5. the run ---------------------------------------------------------------------------------------------
log "$BATCHES batches of <= $BATCH_SIZE files; extract's max_active_tis_per_dagrun $TIMELINE_PARALLEL_BATCHES"
trigger_ingest celery_demo
KILLED=""
INGEST_STATE=""
for _ in $(seq 1 "$RUN_TIMEOUT"); do
  alive_or_die "${WATCHED[@]}"
  INGEST_STATE="$(run_state timeline_ingest "run_id = ?" "$RUN_ID")"
  case "$INGEST_STATE" in success|failed) break ;; esac
  if [ "$FAULT" = kill-worker ] && [ -z "$KILLED" ]; then
    victim="$(mdb "SELECT hostname, map_index FROM task_instance WHERE dag_id = 'timeline_ingest' AND run_id = ?
                   AND task_id = 'extract' AND state = 'running' AND start_date < now() - make_interval(secs => ?)
                   ORDER BY start_date LIMIT 1" "$RUN_ID" "$FAULT_AFTER" | head -n 1)"
    if [ -n "$victim" ]; then
      host="${victim%%$'\t'*}"
      w="${host%@*}"
      KILLED="$host:${victim##*$'\t'}"
      n="$(signal_sessions KILL "$(service_pid "$w")")"
      log "FAULT: kill -9 to all $n processes of $host while it runs extract map index ${victim##*$'\t'}"
      keep=()
      for name in "${WATCHED[@]}"; do [ "$name" = "$w" ] || keep+=("$name"); done
      WATCHED=("${keep[@]}")
    fi
  fi
  sleep 1
done
log "timeline_ingest $RUN_ID: ${INGEST_STATE:-not finished} after $(( $(date +%s) - T0 )) s; $(load)"
WH_STATE=""
if [ "$INGEST_STATE" = success ]; then
  WH_STATE="$(wait_run timeline_warehouse "triggered_by = 'ASSET'")"
  log "timeline_warehouse (Asset-triggered): ${WH_STATE:-not finished} after $(( $(date +%s) - T0 )) s"
fi
if [ "$FAULT" = kill-worker ] && [ -z "$KILLED" ]; then log "FAULT: no extract ran long enough to be killed"; fi

echo
args=(--run-id "$RUN_ID" --warehouse "$TIMELINE_WAREHOUSE" --ingest-state "$INGEST_STATE" --warehouse-state "$WH_STATE"
      --min-batches 8 --min-concurrent 2 --reference "$WORK/single/timeline.duckdb" --reference-seconds "$REF_SECONDS"
      --reference-lake "$WORK/single/lake")
if [ -n "$FAULT" ]; then args+=(--killed "${KILLED:-none:-1}"); else args+=(--min-workers 2); fi
demo_py report "${args[@]}"
exit
}
