"""Warehouse DAG: rebuild and atomically publish the DuckDB warehouse whenever the lake changes, then
write the HTML report of the timeline.

Wiring only; the work is transforms.warehouse.builder.build and transforms.report.render. Scheduled by the
`timeline.lake` Asset that the ingest DAG emits when it commits new data.
"""
from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, task
from transforms.orchestration.dag_support import LAKE, WAREHOUSE, announce, record_failure, run_params, settings


@dag(
    dag_id="timeline_warehouse",
    schedule=[LAKE],
    start_date=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    tags=["timeline"],
    default_args={"on_failure_callback": record_failure},  # why a task failed, for `timeline run`
    params=run_params("lake", "warehouse", "reports"),
    doc_md=__doc__,
)
def timeline_warehouse():
    @task(outlets=[WAREHOUSE])
    def publish() -> dict:
        from transforms.warehouse.builder import build_apart

        s = settings()
        result = build_apart(s.lake, s.warehouse, memory=s.build_memory)
        announce(WAREHOUSE, s)
        return result

    @task
    def report(published: dict) -> str:
        from transforms.report.render import render
        from transforms.quality.validate import data_docs_index

        s = settings()
        return str(render(s.warehouse, s.reports, data_docs_index(s.expectations)))

    report(publish())


dag = timeline_warehouse()

if __name__ == "__main__":
    dag.test()
