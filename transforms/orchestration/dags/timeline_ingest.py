"""Ingest DAG: new source files -> extracted events -> validated, committed Parquet lake.

Runs on its time schedule (TIMELINE_SCHEDULE: claims the inbox, walks the source folders) and whenever the
triggerer finds the inbox's READY marker (the `timeline.inbox` Asset's watcher: claims the inbox only).
Wiring only; every step is a function in transforms.orchestration.pipeline. Emits the `timeline.lake`
Asset, which schedules the warehouse DAG (dags/timeline_warehouse.py).
"""
from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, task
from transforms.orchestration.dag_support import (DEFAULTS, INBOX, INGEST_SCHEDULE, LAKE, announce, record_failure,
                                                  run_params, settings, started_by)


@dag(
    dag_id="timeline_ingest",
    schedule=INGEST_SCHEDULE,
    start_date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["timeline"],
    default_args={"on_failure_callback": record_failure},  # why a task failed, for `timeline run`
    params=run_params("sources", "lake", "warehouse", "reports", "workers", "batch_size", "inbox"),
    doc_md=__doc__,
)
def timeline_ingest():
    @task
    def plan() -> list[str]:
        from transforms.orchestration.pipeline import new_run_id, plan

        return plan(settings(), new_run_id(), walk=not started_by(INBOX))

    @task(max_active_tis_per_dagrun=DEFAULTS.parallel_batches,
          retries=2, retry_delay=dt.timedelta(seconds=30))  # idempotent: a retry rewrites its own part files
    def extract(manifest: str) -> dict:
        from transforms.orchestration.pipeline import process_batch

        return process_batch(manifest)

    @task(outlets=[LAKE])
    def validate_and_commit(batch_stats: list[dict]) -> dict:
        from transforms.orchestration.pipeline import validate_and_commit

        stats = list(batch_stats)
        (run_id,) = {s["run_id"] for s in stats}
        run_settings = settings()
        summary = validate_and_commit(run_settings, run_id, batch_stats=stats)
        announce(LAKE, run_settings)
        return summary

    validate_and_commit(extract.expand(manifest=plan()))


dag = timeline_ingest()

if __name__ == "__main__":
    dag.test()
