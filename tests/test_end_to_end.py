"""`timeline run` end to end on the seeds, through Airflow (dag.test), into a temporary lake/warehouse."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, SEEDS

TABLES = ("documents", "events", "event_mentions", "event_markets", "quarantine", "sources")


def timeline_run(src: Path, work: Path, **env: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "transforms.orchestration.cli", "run", "--source", str(src),
           "--lake", str(work / "lake"), "--warehouse", str(work / "timeline.duckdb"), "--reports", str(work / "reports")]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT, env={**os.environ, **env})


def snapshot(warehouse: Path) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(f"SELECT * EXCLUDE (run_id) FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    src = work / "sources"
    shutil.copytree(SEEDS, src)
    first = timeline_run(src, work)
    assert first.returncode == 0, first.stdout + first.stderr
    return src, work, first


def query(work: Path, sql: str):
    with duckdb.connect(str(work / "timeline.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_summary_is_printed(run):
    _, work, first = run
    out = first.stdout
    assert "Run complete" in out and "documents   4" in out and "events per market:" in out
    assert str(work / "timeline.duckdb") in out
    report = work / "reports" / "timeline-report.html"
    assert report.exists() and f"report      {report}" in out


@pytest.mark.parametrize("timex,market,source,needle", [
    ("2020-11", "IN", "001_dbc6307a8822ead6.txt", "banned the AliExpress mobile phone app"),
    ("2023-11", "EU", "001_dbc6307a8822ead6.txt", "European Commission opened a probe"),
    ("2024-09-25", "KR", "001_dbc6307a8822ead6.txt", "forum conference"),
    ("2022-03-02", None, "002_85970479c313b527.txt", "released yesterday March 2"),
    ("2021-12-27", "PS", "003_0418d8d9e7bec456.txt", "Jerusalem Post reported"),
    ("2018-10-25", "IL", "003_0418d8d9e7bec456.txt", "Tel Aviv, Israel"),
])
def test_acceptance_events_are_in_the_timeline(run, timex, market, source, needle):
    _, work, _ = run
    rows = query(work, f"SELECT markets, sentence FROM timeline WHERE timex = '{timex}' AND source = '{source}'")
    assert any(needle in sentence and (market is None or market in markets) for markets, sentence in rows), rows


def test_no_events_from_javascript_prices_or_counts(run):
    _, work, _ = run
    texts = [t for (t,) in query(work, "SELECT date_text FROM events")]
    sentences = " ".join(s for (s,) in query(work, "SELECT sentence FROM events"))
    assert "console.log" not in sentences and "cnxps" not in sentences
    for bad in ("16.8", "2.7", "20 yuan", "70", "42", "8.18", "130", "10th"):
        assert not any(bad in t for t in texts), (bad, texts)


def test_every_input_file_is_accounted_for(run):
    src, work, _ = run
    accounted = {s for (s,) in query(work, "SELECT source FROM documents UNION SELECT source FROM quarantine")}
    assert {p.name for p in src.iterdir()} <= accounted


def test_views_answer(run):
    _, work, first = run
    ru = query(work, "SELECT count(*) FROM market_timeline WHERE market = 'RU'")[0][0]
    assert ru == query(work, "SELECT count(*) FROM timeline WHERE list_contains(markets, 'RU')")[0][0]
    assert f"RU {ru}" in first.stdout  # the run summary counts the same rows
    monthly = query(work, "SELECT sum(events) FROM market_monthly")[0][0]
    assert monthly == query(work, "SELECT count(*) FROM market_timeline WHERE date_start IS NOT NULL")[0][0]
    assert query(work, "SELECT count(*) FROM market_timeline WHERE role = 'origin'") == [(0,)]  # origin never counts
    months = query(work, "SELECT DISTINCT typeof(month) FROM market_monthly")
    assert months == [("DATE",)]
    assert query(work, "SELECT count(*) FROM markets WHERE code IN ('EU', 'GLOBAL', 'PS', 'US')")[0][0] == 4


def test_second_run_changes_nothing_and_a_copy_is_a_duplicate(run):
    src, work, _ = run
    before = snapshot(work / "timeline.duckdb")
    second = timeline_run(src, work)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "no new input" in second.stdout
    assert snapshot(work / "timeline.duckdb") == before
    shutil.copy(src / "001_dbc6307a8822ead6.txt", src / "copy-of-001.txt")
    third = timeline_run(src, work)
    assert third.returncode == 0, third.stdout + third.stderr
    after = snapshot(work / "timeline.duckdb")
    assert after["events"] == before["events"] and after["documents"] == before["documents"]
    (reason,) = query(work, "SELECT reason FROM quarantine WHERE source = 'copy-of-001.txt'")[0]
    assert reason.startswith("duplicate of document")


def test_a_failed_task_is_named_with_its_reason(tmp_path):
    """A batch-level validation failure: exit 1, the failed task read from Airflow's task states and its
    exception from the task's failure callback; nothing is published."""
    gx = tmp_path / "expectations" / "gx"
    shutil.copytree(ROOT / "expectations" / "gx", gx, ignore=shutil.ignore_patterns("uncommitted"))
    suite_path = gx / "expectations" / "events.json"
    suite = json.loads(suite_path.read_text())
    suite["expectations"].append({"type": "expect_column_to_exist", "kwargs": {"column": "no_such_column"},
                                  "meta": {"severity": "batch", "why": "test"}})
    suite_path.write_text(json.dumps(suite))
    src = tmp_path / "src"
    shutil.copytree(SEEDS, src)
    proc = timeline_run(src, tmp_path, TIMELINE_EXPECTATIONS=str(tmp_path / "expectations"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "task validate_and_commit failed: ValidationFailed: events: expect_column_to_exist(no_such_column)" \
        in proc.stdout.replace("\n", " "), proc.stdout
    assert not (tmp_path / "timeline.duckdb").exists()
