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
    assert [o.name for o in commit.outlets] == ["timeline.lake"]


def test_ingest_dag_runs_on_time_and_when_the_inbox_marker_appears(dagbag):
    from airflow.providers.standard.triggers.file import DirectoryFileDeleteTrigger

    from transforms.ingest.inbox import MARKER
    from transforms.orchestration.dag_support import INBOX, started_by
    from transforms.settings import Settings

    dag = dagbag.dags["timeline_ingest"]
    assert type(dag.timetable).__name__ == "AssetOrTimeSchedule" and "timeline.inbox" in repr(dag.timetable)
    (watcher,) = INBOX.watchers
    trigger = watcher.trigger
    assert isinstance(trigger, DirectoryFileDeleteTrigger)  # Airflow's own file trigger, consuming the marker only
    assert (trigger.directory, trigger.filename) == (str(Settings.from_env().inbox), MARKER)

    class Event:
        def __init__(self, name):
            self.asset = type("A", (), {"name": name})()

    assert started_by(INBOX, {"triggering_asset_events": {INBOX: [Event("timeline.inbox")]}})
    assert not started_by(INBOX, {"triggering_asset_events": {}})  # a scheduled or manual run walks the sources
    assert not started_by(INBOX, {"triggering_asset_events": {"x": [Event("timeline.inbox"), Event("other")]}})


def test_warehouse_dag_is_scheduled_by_the_lake_asset(dagbag):
    dag = dagbag.dags["timeline_warehouse"]
    assert "timeline.lake" in repr(dag.timetable)
    assert [o.name for o in dag.get_task("publish").outlets] == ["timeline.warehouse"]
    assert dag.get_task("report").upstream_task_ids == {"publish"}


def test_the_assets_do_not_depend_on_the_settings(tmp_path):
    """An Asset whose URI followed TIMELINE_LAKE became a second Asset of the same name when the setting changed;
    Airflow leaves that one inactive and the run emitting it failed (`TIMELINE_LAKE=other timeline run` with an
    existing Airflow home; hostile run). The Assets are logical: the run's paths travel on the Asset event."""
    import os
    import subprocess
    import sys

    code = ("from transforms.orchestration.dag_support import LAKE, WAREHOUSE, INBOX; "
            "print([(a.name, a.uri) for a in (LAKE, WAREHOUSE, INBOX)])")
    env = {**os.environ, "TIMELINE_LAKE": str(tmp_path / "l"), "TIMELINE_WAREHOUSE": str(tmp_path / "w.duckdb"),
           "TIMELINE_INBOX": str(tmp_path / "i")}
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    default = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert other.stdout == default.stdout and "timeline.lake" in other.stdout


def test_dag_files_only_wire():
    """Thin DAGs: no heavy imports at parse time (pyarrow, duckdb, great_expectations)."""
    import subprocess
    import sys

    code = ("import sys; sys.path.insert(0, 'dags'); import timeline_ingest, timeline_warehouse; "
            "heavy = [m for m in ('pyarrow', 'duckdb', 'great_expectations') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_failed_run_says_what_it_left_published(tmp_path):
    """`timeline run` used to print "nothing published" after the lake had committed (a bad build setting) or the
    warehouse had been replaced (a failed report)."""
    from dataclasses import replace

    from transforms.lake import store
    from transforms.orchestration.dag_support import what_was_published
    from transforms.settings import Settings

    s = replace(Settings.from_env(), lake=tmp_path / "lake", warehouse=tmp_path / "wh.duckdb")
    assert what_was_published(s, set(), None) == "nothing published"
    store.write_run_summary(s.lake, "r1", {})
    assert what_was_published(s, set(), None).startswith("the lake committed run r1 but the warehouse was not rebuilt")
    assert what_was_published(s, {"r1"}, None) == "nothing published"
    s.warehouse.write_bytes(b"")
    assert what_was_published(s, set(), None) == "after publishing the warehouse"


def test_a_misspelt_conf_key_fails_the_run_instead_of_using_the_defaults():
    from types import SimpleNamespace

    from transforms.orchestration.dag_support import DEFAULTS, settings
    from transforms.settings import SettingsError

    params = DEFAULTS.as_params()
    run = SimpleNamespace(conf={"lake": "/x"})  # Airflow merges the conf into the params
    assert settings({"params": {**params, "lake": "/x"}, "dag_run": run}).lake.name == "x"
    with pytest.raises(SettingsError, match="unknown key in the run's conf: srcs"):
        settings({"params": {**params, "srcs": ["/x"]}, "dag_run": SimpleNamespace(conf={"srcs": ["/x"]})})
