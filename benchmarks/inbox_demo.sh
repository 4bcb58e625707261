#!/usr/bin/env bash
# Event-driven ingestion demo: files dropped into the inbox reach the published warehouse in seconds.
#
# In a throwaway AIRFLOW_HOME with a SQLite metadata db it starts api-server, scheduler, dag-processor and
# **triggerer** (LocalExecutor) on 127.0.0.1, unpauses both DAGs, waits until the triggerer runs the
# inbox's AssetWatcher (DirectoryFileDeleteTrigger on inbox/READY), then drops articles one at a time
# (benchmarks/lib/inbox_drops.py): each lands in the inbox, the READY marker is written, the trigger
# consumes the marker, the Asset event starts `timeline_ingest` (inbox only, no walk of the sources),
# whose `timeline.lake` event starts `timeline_warehouse`, which publishes the DuckDB file. Prints per
# drop the seconds from landing to its event in the published warehouse, and the median (target 60 s);
# then checks that every dropped file is archived under the sources and the inbox is empty.
# Needs the project's .venv, curl, ps. Takes ~2-4 min.
#
#     benchmarks/inbox_demo.sh            # 5 drops
#     DROPS=3 KEEP=1 benchmarks/inbox_demo.sh
set -euo pipefail

# shellcheck source=lib/services.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/services.sh"
DROPS="${DROPS:-5}"
WATCHED+=(triggerer)

local_executor_demo inbox-demo 4
mkdir -p "$WORK/sources" "$WORK/inbox"
export AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC=1
export TIMELINE_INBOX="$WORK/inbox"
export TIMELINE_INBOX_POLL=1

log "work folder $WORK, inbox $TIMELINE_INBOX; $(load)"
cp "$ROOT"/seeds/*.txt "$WORK/sources/"
"$AIRFLOW" db migrate >"$WORK/logs/db-migrate.log" 2>&1
start_airflow_core
start_service triggerer "$AIRFLOW" triggerer
wait_for_api_and_dags
"$AIRFLOW" dags unpause timeline_warehouse >>"$WORK/logs/cli.log" 2>&1
"$AIRFLOW" dags unpause timeline_ingest >>"$WORK/logs/cli.log" 2>&1
log "both DAGs unpaused; waiting for the triggerer to run the inbox watcher"
for _ in $(seq 1 120); do
  alive_or_die "${WATCHED[@]}"
  n="$(mdb "SELECT count(*) FROM trigger WHERE classpath LIKE '%DirectoryFileDeleteTrigger' AND triggerer_id IS NOT NULL" 2>/dev/null || echo 0)"
  [ "$n" != 0 ] && [ -n "$n" ] && break
  sleep 1
done
[ "${n:-0}" != 0 ] || { echo "the triggerer never picked up the inbox watcher" >&2; exit 1; }
log "inbox watcher running in the triggerer"

"$PY" "$DEMO_LIB/inbox_drops.py" "$WORK/inbox" "$TIMELINE_WAREHOUSE" --drops "$DROPS"

left="$(find "$WORK/inbox" -type f ! -name '.*' | wc -l)"
archived="$(find "$WORK/sources/inbox-archive" -type f -name 'drop-*' | wc -l)"
log "inbox files left: $left; archived under the sources: $archived of $DROPS"
mdb "SELECT dag_id, run_type, triggered_by, state, count(*) FROM dag_run GROUP BY 1, 2, 3, 4 ORDER BY 1"
[ "$left" = 0 ] && [ "$archived" = "$DROPS" ]
