"""Faults: kill -9 at any point, concurrent runs, readers during a rebuild.

Runs the real `timeline run` (Airflow dag.test in a subprocess) on a corpus big enough that extraction
and the warehouse build take long enough to be interrupted.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, SEEDS

TABLES = {
    "documents": "doc_id, source, title, url, published, published_basis, encoding, chars, text",
    "events": "* EXCLUDE (run_id)",
    "event_mentions": "* EXCLUDE (run_id)",
    "event_markets": "* EXCLUDE (run_id)",
    "quarantine": "source, stage, reason, table_name, record_id, expectation",
}


def make_corpus(folder: Path, n: int = 60) -> None:
    """Variants of the seed articles (paragraphs shuffled, so every one has its own content hash)."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir())]
    for i in range(n):
        paras = seeds[i % len(seeds)].split("\n\n")
        head, rest = paras[:1], paras[1:]
        random.Random(i).shuffle(rest)
        path = folder / f"{i // 40:02d}" / f"doc-{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(head + rest), encoding="utf-8")


def start(src: Path, work: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "transforms.orchestration.cli", "run", "--source", str(src), "--lake", str(work / "lake"),
           "--warehouse", str(work / "timeline.duckdb"), "--reports", str(work / "reports")]
    env = dict(os.environ, TIMELINE_BATCH_SIZE="15", TIMELINE_WORKERS="1")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def kill_when(proc: subprocess.Popen, condition, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return
        if proc.poll() is not None:
            pytest.fail("the run finished before it could be interrupted:\n" + proc.stdout.read()[-2000:])
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("the interruption point was never reached")


def snapshot(warehouse: Path) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall() for t, cols in TABLES.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("corpus")
    make_corpus(src)
    return src


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """An uninterrupted run; a second run started meanwhile is refused with a clear message."""
    work = tmp_path_factory.mktemp("ref")
    first = start(corpus, work)
    deadline = time.monotonic() + 120
    while not (work / "lake" / "_staging").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = start(corpus, work)
    rc2, out2 = finish(second)
    rc1, out1 = finish(first)
    assert rc1 == 0, out1[-3000:]
    return snapshot(work / "timeline.duckdb"), (rc2, out2)


def test_a_concurrent_second_run_is_refused(reference):
    _, (rc, out) = reference
    assert rc == 2 and "another run is using the lake" in out


def test_kill_during_extraction_then_during_the_warehouse_build(corpus, reference, tmp_path):
    expected, _ = reference
    work = tmp_path
    staged = lambda: any((work / "lake" / "_staging").glob("*/documents/part-*.parquet"))  # noqa: E731
    kill_when(start(corpus, work), staged)
    assert not (work / "timeline.duckdb").exists()
    building = lambda: any(work.glob("timeline.duckdb.tmp-*"))  # noqa: E731
    kill_when(start(corpus, work), building)
    assert not (work / "timeline.duckdb").exists()  # never a half-built warehouse under the real name
    rc, out = finish(start(corpus, work))
    assert rc == 0, out[-3000:]
    assert snapshot(work / "timeline.duckdb") == expected


def test_reader_keeps_working_during_a_rebuild(corpus, tmp_path):
    from transforms.warehouse.builder import build

    work = tmp_path
    src = work / "src"
    src.mkdir()
    (src / "a.txt").write_text((SEEDS / "003_0418d8d9e7bec456.txt").read_text())
    rc, out = finish(start(src, work))
    assert rc == 0, out[-3000:]
    reader = duckdb.connect(str(work / "timeline.duckdb"), read_only=True)
    before = reader.execute("SELECT count(*) FROM documents").fetchone()[0]
    (src / "b.txt").write_text((SEEDS / "002_85970479c313b527.txt").read_text())
    rc, out = finish(start(src, work))  # ingests b.txt and rebuilds while the reader holds the old file
    assert rc == 0, out[-3000:]
    assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == before  # still the old snapshot
    reader.close()
    with duckdb.connect(str(work / "timeline.duckdb"), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM documents").fetchone()[0] == before + 1
    assert build(work / "lake", work / "timeline.duckdb")["status"] == "unchanged"
