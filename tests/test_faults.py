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

from transforms.orchestration.lock import run_lock

from conftest import ROOT, SEEDS
from transforms.lake import store as lake

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


def start(src: Path, work: Path, workers: int = 1, **env_vars) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "transforms.orchestration.cli", "run", "--source", str(src), "--lake", str(work / "lake"),
           "--warehouse", str(work / "timeline.duckdb"), "--reports", str(work / "reports")]
    env = dict(os.environ, TIMELINE_BATCH_SIZE="15", TIMELINE_WORKERS=str(workers), **env_vars)
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
    # killed mid-extraction: staged parts are left behind, nothing is committed
    assert list((work / "lake" / "_staging").glob("*/documents/part-*.parquet"))
    assert lake.committed_runs(work / "lake") == []
    building = lambda: any(work.glob("timeline.duckdb.tmp-*"))  # noqa: E731
    kill_when(start(corpus, work), building)
    # killed mid-build: the ingest run is committed once, the warehouse was never published half-built
    assert len(lake.committed_runs(work / "lake")) == 1
    assert not (work / "timeline.duckdb").exists()
    rc, out = finish(start(corpus, work))
    assert rc == 0, out[-3000:]
    assert snapshot(work / "timeline.duckdb") == expected


def test_reader_keeps_working_during_a_rebuild(tmp_path, validator):
    """A dashboard holding the published file keeps its snapshot while a run rebuilds and replaces it, and
    sees the new data after reopening (in-process pipeline steps: the publish is the same function)."""
    from dataclasses import replace

    from transforms.orchestration.pipeline import plan, process_batch, validate_and_commit
    from transforms.settings import Settings
    from transforms.warehouse.builder import build

    src = tmp_path / "src"
    src.mkdir()
    settings = replace(Settings.from_env(), sources=(src,), lake=tmp_path / "lake",
                       warehouse=tmp_path / "timeline.duckdb", expectations=ROOT / "expectations")

    def run(run_id: str) -> dict:
        for manifest in plan(settings, run_id):
            process_batch(manifest)
        validate_and_commit(settings, run_id, validator=validator)
        return build(settings.lake, settings.warehouse)

    (src / "a.txt").write_text((SEEDS / "003_0418d8d9e7bec456.txt").read_text())
    assert run("r1")["status"] == "built"
    reader = duckdb.connect(str(settings.warehouse), read_only=True)
    before = reader.execute("SELECT count(*) FROM documents").fetchone()[0]
    (src / "b.txt").write_text((SEEDS / "002_85970479c313b527.txt").read_text())
    assert run("r2")["status"] == "incremental"  # replaces the file the reader holds
    assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == before  # still the old snapshot
    reader.close()
    with duckdb.connect(str(settings.warehouse), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM documents").fetchone()[0] == before + 1
    assert build(settings.lake, settings.warehouse)["status"] == "unchanged"


# --- stopping a run: signals, kill -9 of the main process only, lock takeover ------------------------------

def descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(kids - out)
            out |= kids
    return out


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_until(condition, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.05)


def start_with_workers(corpus: Path, work: Path) -> tuple[subprocess.Popen, set[int]]:
    """A run with 2 forked workers per batch, caught while they extract: (supervisor, its descendants)."""
    proc = start(corpus, work, workers=2, TIMELINE_WORKER_MIN_KB="0")  # small batches forked all the same
    staging = work / "lake" / "_staging"
    wait_until(lambda: staging.exists() and len(descendants(proc.pid)) >= 3 or proc.poll() is not None,
               "run + 2 workers")
    assert proc.poll() is None, proc.stdout.read()[-2000:]
    return proc, descendants(proc.pid)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_run_and_its_workers_and_releases_the_lock(corpus, reference, tmp_path, sig):
    proc, family = start_with_workers(corpus, tmp_path)
    os.kill(proc.pid, sig)  # the main process only, as `kill` or Ctrl-C does
    rc, out = finish(proc, timeout=60)
    assert rc == 128 + sig and f"stopped by {sig.name}" in out, out[-2000:]
    wait_until(lambda: not any(map(running, family)), "every process of the run ended")
    with run_lock(tmp_path / "lake", takeover_wait=0):  # free at once: no orphan holds it
        pass
    if sig == signal.SIGTERM:  # the lake is left as by a kill -9: the next run recovers and equals the reference
        expected, _ = reference
        rc, out = finish(start(corpus, tmp_path))
        assert rc == 0, out[-3000:]
        assert snapshot(tmp_path / "timeline.duckdb") == expected


def test_kill_9_of_the_main_process_only_takes_the_workers_down_and_the_lock_is_taken_over(corpus, tmp_path):
    proc, family = start_with_workers(corpus, tmp_path)
    os.kill(proc.pid, signal.SIGKILL)  # what the OOM killer does: the forked workers are not signalled
    proc.wait(timeout=30)
    wait_until(lambda: not any(map(running, family)), "the workers died with their parent")
    rc, out = finish(start(corpus, tmp_path))
    assert rc == 0, out[-3000:]
    assert "taking over the lake lock of a run that ended without releasing it" in out


def test_second_run_on_a_fresh_airflow_home_is_refused_not_crashed(corpus, tmp_path):
    home = tmp_path / "airflow"
    first = start(corpus, tmp_path, AIRFLOW_HOME=str(home))
    wait_until(home.exists, "the first run prepares Airflow")  # the second starts while it migrates
    rc, out = finish(start(corpus, tmp_path, AIRFLOW_HOME=str(home)), timeout=120)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    assert rc == 2 and "another run is using the lake" in out, out[-2000:]


def test_a_full_disk_at_start_is_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    import builtins
    import errno

    from transforms.orchestration import cli

    real_open = builtins.open

    def full_disk_open(file, *args, **kwargs):
        if str(file).endswith(".lock"):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full_disk_open)
    args = cli.argparse.Namespace(source=[str(SEEDS)], lake=str(tmp_path / "lake"), warehouse=str(tmp_path / "t.duckdb"),
                                  reports=str(tmp_path / "reports"), verbose=False)
    assert cli.cmd_run(args) == 1
    out = capsys.readouterr().out
    assert out == f"timeline: cannot run: No space left on device: {tmp_path / 'lake' / '.lock'}\n"


def test_the_full_build_in_its_own_process_never_imports_the_callers_main_again(tmp_path):
    """Under a scheduler the task's ``__main__`` is the `airflow` command: the spawned build process imported it
    again, Airflow failed to start there, and every full warehouse build failed with BrokenProcessPool (found
    running benchmarks/inbox_demo.sh; `timeline run` was not affected)."""
    script = tmp_path / "caller.py"
    script.write_text("import sys\n"
                      "if __name__ != '__main__':\n"
                      "    raise RuntimeError('the caller\\'s main was imported again')\n"
                      "from transforms.warehouse.builder import build_apart\n"
                      "print(build_apart(sys.argv[1], sys.argv[2])['status'])\n")
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "lake"), str(tmp_path / "wh.duckdb")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "built", out.stderr[-500:]


@pytest.mark.parametrize("kind", ["duckdb", "text", "folder"])
def test_a_file_that_is_not_a_timeline_warehouse_is_never_replaced(tmp_path, capsys, kind):
    """`--warehouse` pointing at a user's own DuckDB database or a text file replaced it (hostile run)."""
    from transforms.orchestration import cli
    from transforms.warehouse.builder import ForeignFile, build

    target = tmp_path / "mine.duckdb"
    if kind == "duckdb":
        with duckdb.connect(str(target)) as con:
            con.execute("CREATE TABLE mydata AS SELECT 42 AS answer")
    elif kind == "text":
        target.write_text("my notes\n")
    else:
        target.mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    args = cli.argparse.Namespace(source=[str(SEEDS)], lake=str(tmp_path / "lake"), warehouse=str(target),
                                  reports=str(tmp_path / "reports"), verbose=False)
    assert cli.cmd_run(args) == 2
    assert "refusing to replace it" in capsys.readouterr().out or kind == "folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing done, nothing created
    with pytest.raises(ForeignFile):
        build(tmp_path / "lake", target)
    if kind == "duckdb":
        with duckdb.connect(str(target), read_only=True) as con:
            assert con.execute("SELECT answer FROM mydata").fetchone() == (42,)


def test_a_run_killed_mid_inbox_loses_no_file_and_publishes_each_once(tmp_path):
    from transforms.ingest.inbox import ARCHIVE

    src, inbox = tmp_path / "src", tmp_path / "inbox"
    src.mkdir()
    make_corpus(inbox, n=30)
    for i, path in enumerate(sorted(inbox.rglob("doc-*.txt"))):  # every one its own article (no duplicates)
        path.write_text(path.read_text(encoding="utf-8") + f"\n\nInbox copy {i}.\n", encoding="utf-8")
    landed = sorted(p.name for p in inbox.rglob("doc-*.txt"))
    env = {"TIMELINE_INBOX": str(inbox)}
    staged = lambda: any((tmp_path / "lake" / "_staging").glob("*/documents/part-*.parquet"))  # noqa: E731
    kill_when(start(src, tmp_path, **env), staged)
    # killed after the claim: every landed file is in the inbox or in the archive, none lost
    assert sorted(p.name for p in [*inbox.rglob("doc-*.txt"), *(src / ARCHIVE).rglob("doc-*.txt")]) == landed
    assert lake.committed_runs(tmp_path / "lake") == []
    rc, out = finish(start(src, tmp_path, **env))
    assert rc == 0, out[-3000:]
    with duckdb.connect(str(tmp_path / "timeline.duckdb"), read_only=True) as con:
        published = sorted(r[0].rsplit("/", 1)[1] for r in con.execute("SELECT source FROM documents").fetchall())
        assert published == landed  # each once
        assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    assert not list(inbox.rglob("doc-*.txt"))


def test_an_inbox_holding_the_runs_own_folders_never_moves_them(tmp_path, validator):
    """TIMELINE_INBOX set to the folder that also holds the lake, the warehouse and the source folder: only the
    files dropped into it are claimed (a hostile run once saw the lake moved into the archive, its history lost,
    and every later run stuck on the moved journal)."""
    from dataclasses import replace

    from transforms.ingest.inbox import ARCHIVE
    from transforms.orchestration.pipeline import plan, process_batch, validate_and_commit
    from transforms.settings import Settings
    from transforms.warehouse.builder import build

    work = tmp_path / "work"
    src = work / "src"
    src.mkdir(parents=True)
    settings = replace(Settings.from_env(), sources=(src,), lake=work / "lake", warehouse=work / "wh.duckdb",
                       reports=work / "reports", expectations=ROOT / "expectations", inbox=work)
    (src / "a.txt").write_text((SEEDS / "003_0418d8d9e7bec456.txt").read_text())

    def run(run_id: str) -> None:
        for manifest in plan(settings, run_id):
            process_batch(manifest)
        validate_and_commit(settings, run_id, validator=validator)
        build(settings.lake, settings.warehouse)

    run("r1")
    (work / "dropped.txt").write_text((SEEDS / "002_85970479c313b527.txt").read_text())
    run("r2")
    run("r3")
    assert (src / "a.txt").exists() and (work / "lake").is_dir() and (work / "wh.duckdb").exists()
    assert [p.name for p in (src / ARCHIVE).rglob("*") if p.is_file()] == ["dropped.txt"]
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
