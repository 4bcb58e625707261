#!/usr/bin/env bash
# Scale-out demo: the timeline DAGs under a real Airflow 3 scheduler with the LocalExecutor.
#
# In a throwaway AIRFLOW_HOME (a temp folder; the project's .airflow is never touched) with a SQLite
# metadata db, it starts api-server + scheduler + dag-processor on 127.0.0.1, writes a small corpus
# (te3-silver sample from ../shared if present, else varied copies of seeds/) cut into >= 4 batches,
# unpauses and triggers `timeline_ingest`, waits for it and for the Asset-triggered `timeline_warehouse`
# run, then prints the run states, the mapped `extract` task instances with start/end times, the
# maximum number of `extract` map indexes that ran at the same time, and the warehouse row counts.
# Every service is stopped on exit (all processes of their sessions, SIGKILL after 15 s); exits
# non-zero if anything failed. No triggerer: nothing in these DAGs defers. SQLite + LocalExecutor is
# accepted by Airflow 3.3 (fine for one machine; Celery/Kubernetes need Postgres/MySQL).
# Needs: the project's .venv, curl, ps, column. Takes ~1-2 min (most of it Airflow start-up).
#
#     benchmarks/scheduler_demo.sh                      # defaults: 80 docs, 20 per batch, parallelism 4
#     DOCS=2400 BATCH_SIZE=600 PARALLELISM=2 benchmarks/scheduler_demo.sh   # bigger batches
#     KEEP=1 benchmarks/scheduler_demo.sh               # keep the temp folder (logs, lake, warehouse)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/.venv/bin"
PY="$BIN/python"
AIRFLOW="$BIN/airflow"
DOCS="${DOCS:-80}"
BATCH_SIZE="${BATCH_SIZE:-20}"
PARALLELISM="${PARALLELISM:-4}"
RUN_TIMEOUT="${RUN_TIMEOUT:-600}"     # seconds, per DAG run
[ -x "$AIRFLOW" ] || { echo "no $AIRFLOW (create the project's virtualenv first)" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/timeline-scheduler-demo.XXXXXX")"
PIDS=()

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# Every service is started with setsid, so each is a session leader; task processes set their own
# process group (the task supervisor does setpgid) but stay in the session. Stopping = signalling
# every process of those sessions, found by session id.
# (zombies, already dead and waiting to be reaped by init, are not counted)
session_pids() { ps -e -o pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'; }
signal_sessions() {  # signal_sessions SIG -> prints how many processes were signalled
  local n=0 pid p
  for pid in "${PIDS[@]}"; do
    for p in $(session_pids "$pid"); do kill "-$1" "$p" 2>/dev/null && n=$((n + 1)); done
  done
  echo "$n"
}

stop_services() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "${#PIDS[@]}" -gt 0 ]; then
    log "stopping services (sessions ${PIDS[*]}): SIGTERM to $(signal_sessions TERM) processes"
    for i in $(seq 1 30); do            # up to 15 s for a clean shutdown
      [ "$(signal_sessions 0)" = 0 ] && break
      # the scheduler waits for running tasks after the first SIGTERM, a second one stops it at once
      [ "$i" = 8 ] && log "second SIGTERM to $(signal_sessions TERM) processes"
      sleep 0.5
    done
    left="$(signal_sessions 0)"
    if [ "$left" != 0 ]; then
      log "$left processes still alive: SIGKILL"
      for pid in "${PIDS[@]}"; do
        for p in $(session_pids "$pid"); do ps -o pid=,stat=,args= -p "$p" | cut -c1-120; done
      done
      signal_sessions KILL >/dev/null
      sleep 1
    fi
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    left="$(signal_sessions 0)"
    if [ "$left" = 0 ]; then log "all services stopped"; else log "WARNING: $left processes left"; rc=1; fi
  fi
  if [ "$rc" != 0 ]; then
    for f in "$WORK"/logs/*.log; do
      [ -f "$f" ] || continue
      echo "----- last lines of $f" >&2
      tail -n 25 "$f" >&2
    done
  fi
  if [ -n "${KEEP:-}" ] || [ "$rc" != 0 ]; then
    log "kept $WORK (logs in $WORK/logs, task logs in $WORK/airflow/logs)"
  else
    rm -rf "$WORK"
  fi
  log "exit $rc"
  exit "$rc"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$WORK/logs" "$WORK/airflow" "$WORK/sources"

# --- Airflow configuration: all in the environment, inherited by every service and task ------------
export AIRFLOW_HOME="$WORK/airflow"
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__CORE__PARALLELISM="$PARALLELISM"           # LocalExecutor worker processes
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True  # UI/API without login; bound to 127.0.0.1 only
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$WORK/airflow/airflow.db"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$PORT"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:$PORT"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$PORT/execution/"
AIRFLOW__API_AUTH__JWT_SECRET="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')"
export AIRFLOW__API_AUTH__JWT_SECRET                        # shared by api-server (checks) and scheduler (signs)
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
export AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC=2
# --- the pipeline's settings (read by the DAG files at parse time and by the tasks) ----------------
export TIMELINE_SOURCES="$WORK/sources"
export TIMELINE_LAKE="$WORK/lake"
export TIMELINE_WAREHOUSE="$WORK/warehouse/timeline.duckdb"
export TIMELINE_REPORTS="$WORK/reports"
export TIMELINE_BATCH_SIZE="$BATCH_SIZE"
export TIMELINE_PARALLEL_BATCHES="$PARALLELISM"             # extract's max_active_tis_per_dagrun
export TIMELINE_WORKERS=1                                   # one process per task: the mapped tasks are the parallelism
export PYTHONUNBUFFERED=1

log "work folder $WORK, api-server on 127.0.0.1:$PORT, LocalExecutor parallelism $PARALLELISM"

# --- corpus -------------------------------------------------------------------------------------------
"$PY" - "$WORK/sources" "$DOCS" "$ROOT" <<'EOF'
import random, sys
from pathlib import Path

out, n, root = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, str(root / "benchmarks"))
from bench_pipeline import SILVER, write_corpus  # noqa: E402

if SILVER.is_dir():
    size = write_corpus(out, n)
    print(f"corpus: {n} te3-silver documents, {size / 1e6:.2f} MB")
else:  # no ../shared: varied copies of the seeds (paragraphs shuffled, so every copy has its own hash)
    seeds = sorted(p for p in (root / "seeds").iterdir() if p.suffix in (".txt", ".md"))
    for i in range(n):
        src = seeds[i % len(seeds)]
        paras = src.read_text(encoding="utf-8").split("\n\n")
        rng = random.Random(i)
        body = "\n\n".join(paras[:1] + rng.sample(paras[1:], len(paras) - 1)) + f"\n\n(copy {i})\n"
        (out / f"{src.stem}-{i:05d}{src.suffix}").write_text(body, encoding="utf-8")
    print(f"corpus: {n} varied copies of {len(seeds)} seeds (../shared not found)")
EOF
log "expect $(( (DOCS + BATCH_SIZE - 1) / BATCH_SIZE )) batches of <= $BATCH_SIZE files"

# --- metadata db and services ---------------------------------------------------------------------
log "airflow db migrate (SQLite)"
"$AIRFLOW" db migrate >"$WORK/logs/db-migrate.log" 2>&1

start() {  # start NAME ARGS...: own session/process group, output to logs/NAME.log
  local name=$1; shift
  setsid "$AIRFLOW" "$@" >"$WORK/logs/$name.log" 2>&1 </dev/null &
  PIDS+=("$!")
  log "started $name (pid/pgid $!)"
}
start api-server api-server --host 127.0.0.1 --port "$PORT" --workers 1
start scheduler scheduler
start dag-processor dag-processor

alive_or_die() {
  local i=0
  for name in api-server scheduler dag-processor; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then echo "$name died (see $WORK/logs/$name.log)" >&2; exit 1; fi
    i=$((i + 1))
  done
}

# Read-only queries of the metadata db (sqlite3 URI mode=ro; Airflow keeps writing to it).
DBQ="$WORK/dbq.py"
cat >"$DBQ" <<'EOF'
import json, sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
rows = con.execute(sys.argv[2], sys.argv[3:]).fetchall()
for r in rows:
    print("\t".join("" if v is None else str(v) for v in r))
EOF
db() { "$PY" "$DBQ" "$WORK/airflow/airflow.db" "$@"; }

log "waiting for the api-server and the parsed DAGs"
for _ in $(seq 1 120); do    # <= 120 s
  alive_or_die
  api=0; curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/v2/monitor/health" 2>/dev/null && api=1
  dags="$(db "SELECT count(*) FROM dag WHERE dag_id IN ('timeline_ingest','timeline_warehouse') AND NOT is_stale" 2>/dev/null || echo 0)"
  errors="$(db "SELECT count(*) FROM import_error" 2>/dev/null || echo 0)"
  if [ "$errors" != 0 ] && [ "$errors" != "" ]; then
    db "SELECT filename, stacktrace FROM import_error" >&2; echo "DAG import errors" >&2; exit 1
  fi
  [ "$api" = 1 ] && [ "$dags" = 2 ] && break
  sleep 1
done
[ "$api" = 1 ] && [ "$dags" = 2 ] || { echo "timed out: api-server up=$api, DAGs parsed=$dags/2" >&2; exit 1; }
log "api-server healthy, both DAGs parsed"

# With catchup=False a cron DAG still gets a run for its latest past interval when it is unpaused
# (@daily: today 00:00 UTC), and that scheduled run would do the work instead of ours. So the manual
# run takes the logical date of that pending interval: the scheduler then sees the run exists and
# moves on to the next (future) interval. (Within seconds of 00:00 UTC a scheduled run may still slip
# in; it then finds nothing new, skips extract, and is listed below.)
NEXT="$(db "SELECT next_dagrun FROM dag WHERE dag_id = 'timeline_ingest'")"
RUN_ID="scheduler_demo__$(date -u +%Y%m%dT%H%M%S)"
"$AIRFLOW" dags unpause timeline_warehouse >>"$WORK/logs/cli.log" 2>&1
if [ -n "$NEXT" ]; then
  "$AIRFLOW" dags trigger timeline_ingest --run-id "$RUN_ID" --logical-date "${NEXT/ /T}+00:00" >>"$WORK/logs/cli.log" 2>&1
else
  "$AIRFLOW" dags trigger timeline_ingest --run-id "$RUN_ID" >>"$WORK/logs/cli.log" 2>&1
fi
"$AIRFLOW" dags unpause timeline_ingest >>"$WORK/logs/cli.log" 2>&1
T0=$(date +%s)
log "triggered timeline_ingest run $RUN_ID (logical date ${NEXT:-none}) and unpaused both DAGs"

wait_run() {  # wait_run DAG_ID SQL_CONDITION... -> prints final state
  local dag=$1 where=$2 state=""
  for _ in $(seq 1 "$RUN_TIMEOUT"); do
    alive_or_die
    state="$(db "SELECT state FROM dag_run WHERE dag_id = ? AND $where ORDER BY id LIMIT 1" "$dag" "${@:3}")"
    case "$state" in success|failed) break ;; esac
    sleep 1
  done
  echo "$state"
}

INGEST_STATE="$(wait_run timeline_ingest "run_id = ?" "$RUN_ID")"
log "timeline_ingest $RUN_ID: ${INGEST_STATE:-not finished} after $(( $(date +%s) - T0 )) s"
if [ "$INGEST_STATE" = success ]; then
  WH_STATE="$(wait_run timeline_warehouse "triggered_by = 'ASSET'")"
  log "timeline_warehouse (Asset-triggered): ${WH_STATE:-not finished} after $(( $(date +%s) - T0 )) s"
fi

# --- report ---------------------------------------------------------------------------------------
echo
echo "== DAG runs"
db "SELECT dag_id, run_id, run_type, triggered_by, state, start_date, end_date FROM dag_run ORDER BY id" | column -t -s $'\t'
echo
echo "== task instances of $RUN_ID and the warehouse run"
db "SELECT ti.dag_id, ti.task_id, ti.map_index, ti.state, ti.start_date, ti.end_date, ti.duration, ti.pid
    FROM task_instance ti JOIN dag_run dr ON dr.dag_id = ti.dag_id AND dr.run_id = ti.run_id
    WHERE ti.run_id = ? OR (ti.dag_id = 'timeline_warehouse' AND dr.triggered_by = 'ASSET')
    ORDER BY ti.dag_id, ti.start_date, ti.map_index" "$RUN_ID" | column -t -s $'\t'
echo
"$PY" - "$WORK/airflow/airflow.db" "$RUN_ID" "$TIMELINE_WAREHOUSE" "$INGEST_STATE" "${WH_STATE:-}" "$PARALLELISM" <<'EOF'
import datetime as dt, sqlite3, sys
from pathlib import Path

db, run_id, warehouse, ingest_state, wh_state, parallelism = sys.argv[1:]
parallelism = int(parallelism)
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
others = con.execute("SELECT run_id, state FROM dag_run WHERE dag_id = 'timeline_ingest' AND run_id != ?",
                     (run_id,)).fetchall()
if others:
    print(f"note: other timeline_ingest runs were created: {others}")
rows = con.execute("SELECT map_index, start_date, end_date FROM task_instance WHERE dag_id = 'timeline_ingest' "
                   "AND task_id = 'extract' AND run_id = ? AND state = 'success' ORDER BY map_index",
                   (run_id,)).fetchall()
ok = ingest_state == "success" and wh_state == "success"
if not rows:
    print("extract: no successful mapped task instances")
    ok = False
else:
    iv = [(m, dt.datetime.fromisoformat(s), dt.datetime.fromisoformat(e)) for m, s, e in rows]
    events = sorted([(s, 1, m) for m, s, _ in iv] + [(e, -1, m) for m, _, e in iv], key=lambda x: (x[0], x[1]))
    cur = best = 0
    best_at = None
    for t, d, _ in events:
        cur += d
        if cur > best:
            best, best_at = cur, t
    running = sorted(m for m, s, e in iv if best_at is not None and s <= best_at < e)
    pairs = sum(1 for i, a in enumerate(iv) for b in iv[i + 1:] if a[1] < b[2] and b[1] < a[2])
    span = (max(e for *_, e in iv) - min(s for _, s, _ in iv)).total_seconds()
    busy = sum((e - s).total_seconds() for _, s, e in iv)
    print(f"extract: {len(iv)} mapped task instances, {busy:.1f} task-seconds in {span:.1f} s wall "
          f"(overlap factor {busy / span:.2f}); {pairs} overlapping pairs")
    print(f"MAX CONCURRENT extract map indexes: {best} (map indexes {running} at {best_at:%H:%M:%S.%f})")
    need = min(2, parallelism)
    if len(iv) < 4 or best < need:
        print(f"FAIL: expected >= 4 mapped extract tasks with >= {need} running at the same time")
        ok = False
if Path(warehouse).exists():
    import duckdb
    with duckdb.connect(warehouse, read_only=True) as wh:
        tables = [r[0] for r in wh.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
                                           "ORDER BY table_name").fetchall()]
        print("warehouse", warehouse)
        for t in tables:
            n = wh.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            print(f"  {t:<20} {n:>8} rows")
else:
    print("warehouse not published:", warehouse)
    ok = False
print("RESULT:", "OK" if ok else "FAILED")
sys.exit(0 if ok else 1)
EOF
