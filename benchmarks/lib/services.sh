# shellcheck shell=bash
# Shell functions shared by the Airflow demos (benchmarks/scheduler_demo.sh, benchmarks/celery_demo.sh).
# Sourced, not run: sets ROOT, BIN, PY, AIRFLOW (the project's .venv); the caller sets WORK (its temp
# folder, with WORK/logs). The started services' pids are kept in PIDS, their names in NAMES.
#
# Processes: every service is started with setsid, so each is a session leader; Airflow's task processes
# set their own process group (the task supervisor does setpgid) but stay in the session, and so do a
# Celery worker's pool processes. Stopping = signalling every process of those sessions, found by
# session id: nothing is found by name, and nothing that the demo did not start is touched.

PIDS=()
NAMES=()
WATCHED=(api-server scheduler dag-processor)   # services that must stay up while a run is awaited
DEMO_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DEMO_LIB/../.." && pwd)"
BIN="$ROOT/.venv/bin"
PY="$BIN/python"
AIRFLOW="$BIN/airflow"
[ -x "$AIRFLOW" ] || { echo "no $AIRFLOW (run 'make setup' first)" >&2; exit 2; }

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"; }  # others share the machine

# (zombies, already dead and waiting to be reaped by init, are not counted)
session_pids() { ps -e -o pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'; }

signal_sessions() {  # signal_sessions SIG PID... -> prints how many processes were signalled
  local sig=$1 n=0 pid p
  shift
  for pid in "$@"; do
    for p in $(session_pids "$pid"); do kill "-$sig" "$p" 2>/dev/null && n=$((n + 1)); done
  done
  echo "$n"
}

start_service() {  # [SERVICE_CWD=DIR] start_service NAME COMMAND...: own session, output to logs/NAME.log
  local name=$1
  shift
  (
    if [ -n "${SERVICE_CWD:-}" ]; then cd "$SERVICE_CWD"; fi
    exec setsid "$@" >"$WORK/logs/$name.log" 2>&1 </dev/null
  ) &
  PIDS+=("$!")
  NAMES+=("$name")
  log "started $name (pid/session $!)"
}

service_pid() {  # service_pid NAME
  local i
  for i in "${!NAMES[@]}"; do [ "${NAMES[$i]}" = "$1" ] && { echo "${PIDS[$i]}"; return; }; done
  return 1
}

alive_or_die() {  # alive_or_die NAME...: exit 1 if one of these services has died
  local name pid
  for name in "$@"; do
    pid="$(service_pid "$name")"
    if ! kill -0 "$pid" 2>/dev/null; then echo "$name died (see $WORK/logs/$name.log)" >&2; exit 1; fi
  done
}

stop_sessions() {  # stop_sessions LABEL PID...: SIGTERM, again after 4 s, SIGKILL after 15 s; 1 if any left
  local label=$1 i left pid p
  shift
  [ "$#" -gt 0 ] || return 0
  log "stopping $label (sessions $*): SIGTERM to $(signal_sessions TERM "$@") processes"
  for i in $(seq 1 30); do
    [ "$(signal_sessions 0 "$@")" = 0 ] && break
    # the scheduler waits for running tasks after the first SIGTERM, a second one stops it at once
    [ "$i" = 8 ] && log "second SIGTERM to $(signal_sessions TERM "$@") processes"
    sleep 0.5
  done
  left="$(signal_sessions 0 "$@")"
  if [ "$left" != 0 ]; then
    log "$left processes still alive: SIGKILL"
    for pid in "$@"; do
      for p in $(session_pids "$pid"); do ps -o pid=,stat=,args= -p "$p" | cut -c1-120; done
    done
    signal_sessions KILL "$@" >/dev/null
    sleep 1
  fi
  for pid in "$@"; do wait "$pid" 2>/dev/null || true; done
  left="$(signal_sessions 0 "$@")"
  if [ "$left" = 0 ]; then log "$label stopped"; else log "WARNING: $left processes of $label left"; return 1; fi
}

pids_of() {  # pids_of NAME...: the pids of these started services
  local name
  for name in "$@"; do service_pid "$name" || true; done
}

finish() {  # finish RC: on failure show the logs' tails; remove WORK (unless KEEP=1 or failed); exit RC
  local rc=$1 f
  if [ "$rc" != 0 ]; then
    for f in "$WORK"/logs/*.log; do
      [ -f "$f" ] || continue
      echo "----- last lines of $f" >&2
      tail -n 25 "$f" >&2
    done
  fi
  if [ -n "${KEEP:-}" ] || [ "$rc" != 0 ]; then
    log "kept $WORK (service logs in $WORK/logs)"
  else
    rm -rf "$WORK"
  fi
  log "exit $rc"
  exit "$rc"
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

demo_py() { "$PY" "$DEMO_LIB/airflow_demo.py" "$@"; }
mdb() { demo_py q "$@"; }  # read-only query of the metadata db: mdb SQL PARAM...

airflow_env() {  # airflow_env PORT: the Airflow and pipeline settings shared by every service and task
  local port=$1
  export AIRFLOW__CORE__LOAD_EXAMPLES=False
  export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
  export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True  # UI/API without login; bound to 127.0.0.1 only
  export AIRFLOW__API__HOST=127.0.0.1
  export AIRFLOW__API__PORT="$port"
  export AIRFLOW__API__BASE_URL="http://127.0.0.1:$port"
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$port/execution/"
  AIRFLOW__API_AUTH__JWT_SECRET="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')"
  export AIRFLOW__API_AUTH__JWT_SECRET                        # shared by api-server (checks) and scheduler (signs)
  export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
  export AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC=2
  export GX_ANALYTICS_ENABLED=false
  # the pipeline's settings (read by the DAG files at parse time and by the tasks)
  export TIMELINE_SOURCES="$WORK/sources"
  export TIMELINE_LAKE="$WORK/lake"
  export TIMELINE_WAREHOUSE="$WORK/warehouse/timeline.duckdb"
  export TIMELINE_REPORTS="$WORK/reports"
  export TIMELINE_WORKERS=1                                   # one process per task: the mapped tasks are the parallelism
  export PYTHONUNBUFFERED=1
}

local_executor_demo() {  # local_executor_demo NAME PARALLELISM: WORK, traps, Airflow env for a LocalExecutor + SQLite demo
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/timeline-$1.XXXXXX")"
  mkdir -p "$WORK/logs" "$WORK/airflow"
  trap _demo_exit EXIT
  trap 'exit 130' INT TERM
  airflow_env "$(free_port)"
  export AIRFLOW_HOME="$WORK/airflow"
  export AIRFLOW__CORE__EXECUTOR=LocalExecutor
  export AIRFLOW__CORE__PARALLELISM="$2"                    # LocalExecutor worker processes
  export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$WORK/airflow/airflow.db"
}

_demo_exit() {  # stop every started service, then finish
  local rc=$?
  trap - EXIT INT TERM
  stop_sessions services "${PIDS[@]}" || rc=1
  finish "$rc"
}

start_airflow_core() {  # api-server, scheduler and dag-processor (the caller has run airflow_env)
  start_service api-server "$AIRFLOW" api-server --host 127.0.0.1 --port "$AIRFLOW__API__PORT" --workers 1
  start_service scheduler "$AIRFLOW" scheduler
  start_service dag-processor "$AIRFLOW" dag-processor
}

wait_for_api_and_dags() {  # <= 120 s for a healthy api-server and both DAGs parsed without import errors
  local api=0 dags=0 errors
  log "waiting for the api-server and the parsed DAGs"
  for _ in $(seq 1 120); do
    alive_or_die "${WATCHED[@]}"
    api=0; curl -fsS -o /dev/null "http://127.0.0.1:$AIRFLOW__API__PORT/api/v2/monitor/health" 2>/dev/null && api=1
    dags="$(mdb "SELECT count(*) FROM dag WHERE dag_id IN ('timeline_ingest','timeline_warehouse') AND NOT is_stale" 2>/dev/null || echo 0)"
    errors="$(mdb "SELECT count(*) FROM import_error" 2>/dev/null || echo 0)"
    if [ "$errors" != 0 ] && [ "$errors" != "" ]; then
      mdb "SELECT filename, stacktrace FROM import_error" >&2; echo "DAG import errors" >&2; exit 1
    fi
    [ "$api" = 1 ] && [ "$dags" = 2 ] && break
    sleep 1
  done
  [ "$api" = 1 ] && [ "$dags" = 2 ] || { echo "timed out: api-server up=$api, DAGs parsed=$dags/2" >&2; exit 1; }
  log "api-server healthy, both DAGs parsed"
}

trigger_ingest() {  # trigger_ingest PREFIX: sets RUN_ID, T0; unpauses both DAGs
  # With catchup=False a cron DAG still gets a run for its latest past interval when it is unpaused
  # (@daily: today 00:00 UTC), and that scheduled run would do the work instead of ours. So the manual
  # run takes the logical date of that pending interval: the scheduler then sees the run exists and
  # moves on to the next (future) interval. (Within seconds of 00:00 UTC a scheduled run may still slip
  # in; it then finds nothing new, skips extract, and is listed in the report.)
  local next
  next="$(mdb "SELECT next_dagrun FROM dag WHERE dag_id = 'timeline_ingest'")"
  next="${next%%+*}"                      # Postgres prints an offset (+00:00), SQLite none: UTC either way
  RUN_ID="${1}__$(date -u +%Y%m%dT%H%M%S)"
  "$AIRFLOW" dags unpause timeline_warehouse >>"$WORK/logs/cli.log" 2>&1
  if [ -n "$next" ]; then
    "$AIRFLOW" dags trigger timeline_ingest --run-id "$RUN_ID" --logical-date "${next/ /T}+00:00" >>"$WORK/logs/cli.log" 2>&1
  else
    "$AIRFLOW" dags trigger timeline_ingest --run-id "$RUN_ID" >>"$WORK/logs/cli.log" 2>&1
  fi
  "$AIRFLOW" dags unpause timeline_ingest >>"$WORK/logs/cli.log" 2>&1
  T0=$(date +%s)
  log "triggered timeline_ingest run $RUN_ID (logical date ${next:-none}) and unpaused both DAGs"
}

run_state() {  # run_state DAG_ID SQL_CONDITION PARAM...: the state of the first matching run
  mdb "SELECT state FROM dag_run WHERE dag_id = ? AND $2 ORDER BY id LIMIT 1" "$1" "${@:3}"
}

wait_run() {  # wait_run DAG_ID SQL_CONDITION PARAM... -> prints the final state (RUN_TIMEOUT s at most)
  local state=""
  for _ in $(seq 1 "$RUN_TIMEOUT"); do
    alive_or_die "${WATCHED[@]}"
    state="$(run_state "$@")"
    case "$state" in success|failed) break ;; esac
    sleep 1
  done
  echo "$state"
}
