"""Ingest DAG: new source files -> extracted events -> validated, committed Parquet lake.

Wiring only; every step is a function in transforms.pipeline. Emits the `timeline_lake` Asset, which
schedules the warehouse DAG (dags/timeline_warehouse.py).
"""
from __future__ import annotations

import datetime as dt
import os

from airflow.sdk import dag, task
from timeline_assets import LAKE, run_params, settings


@dag(
    dag_id="timeline_ingest",
    schedule=os.environ.get("TIMELINE_SCHEDULE", "@daily"),
    start_date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["timeline"],
    params=run_params("sources", "lake", "warehouse", "reports"),
    doc_md=__doc__,
)
def timeline_ingest():
    @task
    def plan() -> dict:
        from transforms.pipeline import new_run_id, plan

        run_id = new_run_id()
        return {"run_id": run_id, "batches": plan(settings(), run_id)}

    @task(max_active_tis_per_dagrun=int(os.environ.get("TIMELINE_PARALLEL_BATCHES", "4")))
    def extract(manifest: str) -> dict:
        from transforms.pipeline import process_batch

        return process_batch(manifest)

    @task(outlets=[LAKE])
    def validate_and_commit(planned: dict, batch_stats: list[dict]) -> dict:
        from transforms.pipeline import validate_and_commit

        extract_seconds = round(sum(s["seconds"] for s in batch_stats), 3)
        return {**validate_and_commit(settings(), planned["run_id"]), "extract_seconds": extract_seconds}

    planned = plan()
    validate_and_commit(planned, extract.expand(manifest=planned["batches"]))


dag = timeline_ingest()

if __name__ == "__main__":
    dag.test()
