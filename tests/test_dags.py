"""The DAG files import cleanly and wire the tasks the README describes."""
from __future__ import annotations

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == {"timeline_ingest", "timeline_warehouse"}


def test_ingest_dag_fans_out_and_emits_the_lake_asset(dagbag):
    dag = dagbag.dags["timeline_ingest"]
    assert {t.task_id for t in dag.tasks} == {"plan", "extract", "validate_and_commit"}
    assert not dag.catchup and dag.max_active_runs == 1
    extract = dag.get_task("extract")
    assert extract.__class__.__name__.endswith("MappedOperator")  # .expand() over batches
    commit = dag.get_task("validate_and_commit")
    assert [o.name for o in commit.outlets] == ["timeline_lake"]


def test_warehouse_dag_is_scheduled_by_the_lake_asset(dagbag):
    dag = dagbag.dags["timeline_warehouse"]
    assert "timeline_lake" in repr(dag.timetable)
    assert [o.name for o in dag.get_task("publish").outlets] == ["timeline_warehouse"]
    assert dag.get_task("report").upstream_task_ids == {"publish"}


def test_dag_files_only_wire():
    """Thin DAGs: no heavy imports at parse time (pyarrow, duckdb, great_expectations)."""
    import subprocess
    import sys

    code = ("import sys; sys.path.insert(0, 'dags'); import timeline_ingest, timeline_warehouse; "
            "heavy = [m for m in ('pyarrow', 'duckdb', 'great_expectations') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
