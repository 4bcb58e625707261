#!/usr/bin/env bash
# Scale-out demo: the timeline DAGs under a real Airflow 3 scheduler with the LocalExecutor.
#
# In a throwaway AIRFLOW_HOME (a temp folder; the project's .airflow is never touched) with a SQLite
# metadata db, it starts api-server + scheduler + dag-processor on 127.0.0.1, writes a small corpus
# (te3-silver sample from ../shared if present, else varied copies of seeds/) cut into >= 4 batches,
# unpauses and triggers `timeline_ingest`, waits for it and for the Asset-triggered `timeline_warehouse`
# run, then prints the run states, the mapped `extract` task instances with start/end times, the
# maximum number of `extract` map indexes that ran at the same time, and the warehouse row counts.
# Every service is stopped on exit (all processes of their sessions, SIGKILL after 15 s; the shell
# functions are shared with celery_demo.sh in benchmarks/lib/services.sh); exits
# non-zero if anything failed. No triggerer: this demo starts its run by hand (benchmarks/inbox_demo.sh
# runs one, for the inbox's AssetWatcher). SQLite + LocalExecutor is
# accepted by Airflow 3.3 (fine for one machine; Celery/Kubernetes need Postgres/MySQL).
# Needs: the project's .venv, curl, ps. Takes ~1-2 min (most of it Airflow start-up).
#
#     benchmarks/scheduler_demo.sh                      # defaults: 80 docs, 20 per batch, parallelism 4
#     DOCS=2400 BATCH_SIZE=600 PARALLELISM=2 benchmarks/scheduler_demo.sh   # bigger batches
#     KEEP=1 benchmarks/scheduler_demo.sh               # keep the temp folder (logs, lake, warehouse)
set -euo pipefail

# shellcheck source=lib/services.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/services.sh"
DOCS="${DOCS:-80}"
BATCH_SIZE="${BATCH_SIZE:-20}"
PARALLELISM="${PARALLELISM:-4}"
RUN_TIMEOUT="${RUN_TIMEOUT:-600}"     # seconds, per DAG run

local_executor_demo scheduler-demo "$PARALLELISM"
export TIMELINE_BATCH_SIZE="$BATCH_SIZE"
export TIMELINE_PARALLEL_BATCHES="$PARALLELISM"             # extract's max_active_tis_per_dagrun

log "work folder $WORK, api-server on 127.0.0.1:$AIRFLOW__API__PORT, LocalExecutor parallelism $PARALLELISM"
demo_py corpus "$WORK/sources" "$DOCS"
log "expect $(( (DOCS + BATCH_SIZE - 1) / BATCH_SIZE )) batches of <= $BATCH_SIZE files"

log "airflow db migrate (SQLite)"
"$AIRFLOW" db migrate >"$WORK/logs/db-migrate.log" 2>&1
start_airflow_core
wait_for_api_and_dags
trigger_ingest scheduler_demo

INGEST_STATE="$(wait_run timeline_ingest "run_id = ?" "$RUN_ID")"
log "timeline_ingest $RUN_ID: ${INGEST_STATE:-not finished} after $(( $(date +%s) - T0 )) s"
WH_STATE=""
if [ "$INGEST_STATE" = success ]; then
  WH_STATE="$(wait_run timeline_warehouse "triggered_by = 'ASSET'")"
  log "timeline_warehouse (Asset-triggered): ${WH_STATE:-not finished} after $(( $(date +%s) - T0 )) s"
fi

echo
demo_py report --run-id "$RUN_ID" --warehouse "$TIMELINE_WAREHOUSE" --ingest-state "$INGEST_STATE" \
  --warehouse-state "$WH_STATE" --min-batches 4 --min-concurrent "$(( PARALLELISM < 2 ? PARALLELISM : 2 ))"
