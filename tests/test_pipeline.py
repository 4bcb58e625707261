"""Lake mechanics without Airflow: plan -> process_batch -> validate_and_commit -> warehouse.build.

A tiny stand-in extractor (one event per DATE timex, market from a word list) keeps these tests about
batching, dedup, quarantine, commit and recovery rather than about extraction quality.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from transforms.lake import store as lake
from transforms.quality.validate import Validator
from transforms.settings import Settings
from transforms.orchestration.extract_batch import split_by_size, worker_count
from transforms.orchestration.pipeline import ValidationFailed, plan, process_batch, run_lock, RunLocked, validate_and_commit
from transforms.orchestration.processes import YOUNG_COLLECTION_EVERY
from transforms.temporal import tag
from transforms.warehouse.builder import build

from conftest import ROOT


def fake_extract(doc, run_id, *, bad_dates=False):
    events, markets = [], []
    for t in tag(doc.text, doc.published):
        if t.type != "DATE" or t.date_start is None:
            continue
        eid = hashlib.sha1(f"{doc.doc_id}:{t.start}:{t.end}".encode()).hexdigest()[:16]
        start, end = t.date_start, t.date_end
        if bad_dates:  # a broken extractor: every period ends before it starts
            end = start - dt.timedelta(days=1)
        events.append(dict(event_id=eid, doc_id=doc.doc_id, date_text=t.text, timex=t.value, timex_type=t.type,
                           date_start=start, date_end=end, precision=t.precision, anchor=t.anchor,
                           event_type="other", trigger=None, actors=[], sentence=doc.text[max(0, t.start - 40):t.end + 40],
                           sentence_start=max(0, t.start - 40), sentence_end=min(len(doc.text), t.end + 40),
                           char_start=t.start, char_end=t.end, mentions=1, confidence=0.5, run_id=run_id))
        markets.append(dict(event_id=eid, market="RU" if "Russia" in doc.text else "GLOBAL", role="place",
                            basis="document", evidence=None, run_id=run_id))
    return {"events": events, "event_mentions": [], "event_markets": markets}


def run_once(settings: Settings, validator, run_id: str, extract=fake_extract) -> dict | None:
    manifests = plan(settings, run_id)
    if not manifests:
        return None
    stats = [process_batch(m, extract=extract) for m in manifests]
    return validate_and_commit(settings, run_id, validator=validator, batch_stats=stats)


@pytest.fixture
def settings(tmp_path, seeds_copy) -> Settings:
    return replace(Settings.from_env(), sources=(seeds_copy,), lake=tmp_path / "lake", warehouse=tmp_path / "wh" / "t.duckdb",
                    expectations=ROOT / "expectations", batch_size=2)


def table_rows(warehouse: Path, sql: str):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_runs_are_incremental_and_idempotent(settings, validator, seeds_copy):
    first = run_once(settings, validator, "r1")
    assert first["documents"] == 4 and first["parts"] == 2
    build(settings.lake, settings.warehouse)
    events = table_rows(settings.warehouse, "SELECT * FROM events ORDER BY event_id")
    assert events
    assert run_once(settings, validator, "r2") is None  # nothing new
    assert build(settings.lake, settings.warehouse)["status"] == "unchanged"
    shutil.copy(seeds_copy / "002_85970479c313b527.txt", seeds_copy / "copy-of-002.txt")
    third = run_once(settings, validator, "r3")
    assert third["documents"] == 0 and third["duplicates"] == 1
    build(settings.lake, settings.warehouse)
    assert table_rows(settings.warehouse, "SELECT * FROM events ORDER BY event_id") == events
    (reason,) = table_rows(settings.warehouse, "SELECT reason FROM quarantine WHERE source = 'copy-of-002.txt'")[0]
    assert reason.startswith("duplicate of document")
    sources = {s for (s,) in table_rows(settings.warehouse, "SELECT source FROM documents UNION SELECT source FROM quarantine")}
    assert sources == {p.name for p in seeds_copy.iterdir()}


def test_the_run_summary_says_how_much_of_the_extract_stage_the_extractor_took(settings, validator):
    def slow_extract(doc, run_id):
        time.sleep(0.05)
        return fake_extract(doc, run_id)

    summary = run_once(settings, validator, "r1", extract=slow_extract)  # 4 documents, one process per batch
    assert 0.2 <= summary["extractor_seconds"] <= summary["stage_seconds"]["extract (all tasks)"]


def test_a_file_restored_to_its_first_size_and_mtime_is_read_again(settings, validator, seeds_copy):
    path = seeds_copy / "001_dbc6307a8822ead6.txt"
    original, st = path.read_bytes(), path.stat()
    run_once(settings, validator, "r1")
    path.write_bytes(original + b"\nOn 4 May 2024 Alibaba opened an office in Lima.\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert run_once(settings, validator, "r2")["documents"] == 1
    path.write_bytes(original)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as in run r1, but run r2 recorded it last
    assert run_once(settings, validator, "r3")["duplicates"] == 1


def test_a_batch_too_small_to_repay_forking_is_extracted_in_one_process():
    files = [["file", "/src", f"{i}.txt", 2_000, 0] for i in range(100)]  # 100 articles, 200 KB
    assert worker_count(files, workers=2, min_bytes=512_000) == 1
    assert worker_count(files * 10, workers=2, min_bytes=512_000) == 2
    assert worker_count(files * 10, workers=8, min_bytes=512_000) == 3  # 2 MB: three workers' worth
    feed = ["file", "/src", "feed.jsonl", 5_000_000, 0, 4_990_000, 9_000]  # resumed near its end: 10 KB to read
    assert worker_count([feed] * 4, workers=2, min_bytes=512_000) == 1
    assert worker_count(files[:3], workers=2, min_bytes=0) == 1  # at least two files per worker


def test_a_batch_is_shared_between_workers_by_bytes_to_read_not_by_count():
    files = [["file", "/src", f"{i}.txt", n, 0] for i, n in enumerate([40_000] + [2_000] * 20)]
    first, second = split_by_size(files, 2)
    assert first == files[:1] and second == files[1:]      # one long article weighs as much as twenty short
    feed = ["file", "/src", "feed.jsonl", 5_000_000, 0, 4_990_000, 9_000]  # 10 KB left to read
    assert [len(r) for r in split_by_size([feed] + files[1:6], 2)] == [1, 5]  # its 10 KB, not 5 MB
    assert [len(r) for r in split_by_size(files[:3], 8)] == [1, 1, 1]   # never an empty part
    assert sum(split_by_size(files, 3), []) == files                    # in order, each once


def test_files_are_read_in_runs_ahead_of_extraction_in_order_and_bounded(tmp_path, monkeypatch):
    from transforms.orchestration import extract_batch

    for i in range(150):
        (tmp_path / f"{i:03d}.txt").write_text(f"Article {i}.\n\nOn 3 March 2022 shop {i} opened.\n")
    (tmp_path / "feed.jsonl").write_text('{"text": "On 4 May 2021 a feed record."}\n')
    entries = [["file", str(tmp_path), f"{i:03d}.txt", (tmp_path / f"{i:03d}.txt").stat().st_size, 0] for i in range(150)]
    entries[70:70] = [["rejected", str(tmp_path), "x.png", "unsupported"], ["file", str(tmp_path), "feed.jsonl", 40, 0]]
    read = []
    real = extract_batch.read_source
    monkeypatch.setattr(extract_batch, "read_source", lambda sf, *a: (read.append(sf.rel), real(sf, *a))[1])
    seen = []
    for entry, items in extract_batch.read_ahead(entries, 10**6):
        seen.append(entry)
        if entry[0] == "file" and entry[2].endswith(".txt"):
            assert [d.source for d in items] == [entry[2]] and entry[2] in read
            ahead = len(read) - read.index(entry[2]) - 1      # files read beyond the one handed over
            assert ahead < extract_batch.READ_AHEAD_FILES
        else:
            assert items is None                              # a feed is read by _bundles, line by line
    assert seen == entries                                    # each entry once, in order
    assert read == [e[2] for e in entries if e[2].endswith(".txt")]  # the feed was not read here
    monkeypatch.setattr(extract_batch, "READ_AHEAD_BYTES", 1)  # the byte bound: every file is over it
    read.clear()
    for entry, items in extract_batch.read_ahead(entries[:5], 10**6):
        assert read[-1] == entry[2]


def pid_extract(doc, run_id):
    """An extractor recording which process extracted the document (as an event's trigger)."""
    rows = fake_extract(doc, run_id)
    for ev in rows["events"]:
        ev["trigger"] = str(os.getpid())
    return rows


def test_kept_workers_serve_every_batch_of_a_run_and_end_with_it(settings, validator, tmp_path):
    from transforms.orchestration import extract_batch

    settings = replace(settings, batch_size=4, workers=2, worker_min_kb=0)
    for i in range(8):  # two batches of four: each forks two workers
        (settings.sources[0] / f"extra-{i}.txt").write_text(f"On {i + 1} May 2024 Alibaba opened office {i} in Lima.\n")

    def worker_pids(run_id: str, kept: bool) -> set[str]:
        manifests = plan(settings, run_id)
        with (extract_batch.kept_workers() if kept else contextlib.nullcontext()):
            stats = [process_batch(m, extract=pid_extract) for m in manifests]
        assert len(manifests) >= 2
        validate_and_commit(settings, run_id, validator=validator, batch_stats=stats)
        return {t for t in pq.read_table(settings.lake / "events" / f"run_id={run_id}")["trigger"].to_pylist() if t}

    kept = worker_pids("r1", kept=True)
    assert len(kept) == 2 and str(os.getpid()) not in kept  # two workers, forked once for all batches
    assert extract_batch._kept == {}                          # and ended with the block
    for i in range(8):
        (settings.sources[0] / f"more-{i}.txt").write_text(f"On {i + 1} June 2024 Alibaba opened shop {i} in Lima.\n")
    assert len(worker_pids("r2", kept=False)) > 2             # outside the block: fresh workers per batch


def frozen_extract(doc, run_id):
    """An extractor recording how many objects its process has frozen out of the garbage collector."""
    rows = fake_extract(doc, run_id)
    for ev in rows["events"]:
        ev["trigger"] = f"{gc.get_freeze_count()} {gc.get_threshold()[0]}"
    return rows


def test_forked_workers_keep_the_inherited_heap_out_of_the_garbage_collector(settings, validator):
    settings = replace(settings, batch_size=100, workers=2, worker_min_kb=0)
    for i in range(4):
        (settings.sources[0] / f"extra-{i}.txt").write_text(f"On {i + 1} May 2024 Alibaba opened office {i} in Lima.\n")
    stats = [process_batch(m, extract=frozen_extract) for m in plan(settings, "r1")]
    validate_and_commit(settings, "r1", validator=validator, batch_stats=stats)
    seen = {tuple(map(int, t.split())) for t in pq.read_table(settings.lake / "events" / "run_id=r1")["trigger"].to_pylist()}
    assert seen and min(frozen for frozen, _ in seen) > 1000      # each worker froze what it inherited (thousands)
    assert {young for _, young in seen} == {YOUNG_COLLECTION_EVERY}  # and collects its young objects less often
    assert gc.get_freeze_count() == 0 and gc.get_threshold()[0] != YOUNG_COLLECTION_EVERY  # this process: as it was


def test_setting_up_the_extractor_in_advance_is_an_optimisation_that_may_fail(monkeypatch):
    from transforms.orchestration import extract_batch

    assert extract_batch.warm_up() is True
    monkeypatch.setattr(extract_batch, "_warm_up", lambda: 1 / 0)
    assert extract_batch.warm_up() is False  # logged; the run goes on and the batches set up as they go


def test_validation_rewrites_only_the_parts_that_lose_rows(settings, validator, seeds_copy):
    shutil.copy(seeds_copy / "000_5486dea1e26f082a.txt", seeds_copy / "zz-copy.txt")  # a duplicate, in the last part
    manifests = plan(settings, "r1")
    stats = [process_batch(m, extract=fake_extract) for m in manifests]
    staged = {p.name: p.stat().st_mtime_ns for p in lake.staged_parts(settings.lake, "r1", "documents")}
    time.sleep(0.01)
    summary = validate_and_commit(settings, "r1", validator=validator, batch_stats=stats)
    committed = {p.name: p.stat().st_mtime_ns for p in (settings.lake / "documents" / "run_id=r1").iterdir()}
    assert summary["duplicates"] == 1 and len(committed) == 3
    last = max(committed)
    assert {n: committed[n] for n in committed if n != last} == {n: staged[n] for n in staged if n != last}
    assert committed[last] > staged[last]  # the part holding the duplicate was rewritten without it


def test_the_warehouse_is_built_in_a_process_of_its_own(settings, validator, tmp_path):
    from transforms.warehouse.builder import build_apart

    run_once(settings, validator, "r1")
    result = build_apart(settings.lake, settings.warehouse, memory="256MB")
    assert result["status"] == "built" and result["documents"] == 4
    assert table_rows(settings.warehouse, "SELECT count(*) FROM documents") == [(4,)]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(OSError):  # the child's error reaches the caller
        build_apart(settings.lake, blocker / "t.duckdb")


def test_long_text_is_stored_with_the_compression_the_schema_names(settings, validator):
    from transforms.extract.events import extract
    from transforms.lake.schema import WAREHOUSE_COMPRESSION

    run_once(settings, validator, "r1", extract=extract)
    assert build(settings.lake, settings.warehouse)["status"] == "built"
    (settings.sources[0] / "new.txt").write_text("On 1 May 2023 AliExpress opened a warehouse in Kyiv, Ukraine.\n")
    run_once(settings, validator, "r2", extract=extract)
    assert build(settings.lake, settings.warehouse)["status"] == "incremental"  # rows appended to the copied file
    for table, columns in WAREHOUSE_COMPRESSION.items():
        for column, compression in columns.items():
            stored = table_rows(settings.warehouse, f"SELECT DISTINCT compression FROM pragma_storage_info('{table}') "
                                                    f"WHERE column_name = '{column}' AND segment_type = 'VARCHAR'")
            assert stored == [(compression.upper(),)], (table, column)


def test_a_copy_in_another_batch_of_the_same_run_is_a_duplicate(settings, validator, seeds_copy):
    shutil.copy(seeds_copy / "000_5486dea1e26f082a.txt", seeds_copy / "zz-copy.txt")  # lands in the last batch
    summary = run_once(settings, validator, "r1")
    assert summary["documents"] == 4 and summary["duplicates"] == 1 and summary["parts"] == 3
    build(settings.lake, settings.warehouse)
    assert table_rows(settings.warehouse, "SELECT status FROM sources WHERE source = 'zz-copy.txt'") == [("duplicate",)]


def test_bad_rows_are_quarantined_with_the_expectation(settings, validator, seeds_copy):
    (seeds_copy / "future.txt").write_text("The colony on Mars will open in 3024, officials said on Monday.\n")
    run_once(settings, validator, "r1")
    build(settings.lake, settings.warehouse)
    rows = table_rows(settings.warehouse,
                      "SELECT source, stage, expectation, reason FROM quarantine WHERE stage = 'validate'")
    if not rows:  # the tagger itself may refuse year 3024: then no event may carry it
        assert not table_rows(settings.warehouse, "SELECT * FROM events WHERE year(date_start) > 2100")
    else:
        assert rows[0][0] == "future.txt" and rows[0][2] == "expect_column_values_to_be_between"
        assert not table_rows(settings.warehouse, "SELECT * FROM events WHERE year(date_start) > 2100")
    assert table_rows(settings.warehouse, "SELECT count(*) FROM documents")[0][0] == 5


def test_a_failing_batch_publishes_nothing(settings, validator):
    settings = replace(settings, batch_size=10)
    run_once(settings, validator, "r1")
    build(settings.lake, settings.warehouse)
    before = settings.warehouse.read_bytes()
    for k in range(20):  # a broken extractor fails in every document: systematic
        (settings.sources[0] / f"new-{k:02d}.txt").write_text(f"On {k + 1} March 2021 the store number {k} reported sales.")
    with pytest.raises(ValidationFailed, match=r"date_end, date_start\) failed on 20 of 20 rows, in 20 of 20 "
                                               r"documents \(e\.g\. new-"):
        run_once(settings, validator, "r2", extract=lambda d, r: fake_extract(d, r, bad_dates=True))
    assert lake.committed_runs(settings.lake) == ["r1"]
    assert build(settings.lake, settings.warehouse)["status"] == "unchanged"
    assert settings.warehouse.read_bytes() == before


def test_one_article_full_of_far_future_years_never_blocks_the_batch(settings, validator, seeds_copy):
    """More than half of a 20+ row batch fails one row expectation, all in one document: its rows are
    quarantined, naming the file, and every other document and event is published."""
    (seeds_copy / "colony.txt").write_text(" ".join(
        f"The colony on Mars will open dome number {k} on 5 May {2150 + k}, the agency said on 2 March 2022."
        for k in range(40)))
    summary = run_once(settings, validator, "r1")
    assert summary["documents"] == 5
    build(settings.lake, settings.warehouse)
    rows = table_rows(settings.warehouse, "SELECT source, stage, expectation, count(*) FROM quarantine "
                                          "GROUP BY ALL ORDER BY ALL")
    assert rows == [("colony.txt", "validate", "expect_column_values_to_be_between", 80)]  # date_start + date_end
    assert table_rows(settings.warehouse, "SELECT count(*) FROM events WHERE year(date_end) > 2100") == [(0,)]
    assert table_rows(settings.warehouse, "SELECT count(DISTINCT doc_id) FROM events") == [(5,)]


def test_a_document_the_lake_cannot_store_is_quarantined_and_the_rest_published(settings, validator, seeds_copy):
    """A value no record check caught (here: an extractor bug yielding text with a lone surrogate) makes the
    part unwritable; the part is retried file by file and only the poisoned file is quarantined."""
    (seeds_copy / "poison.txt").write_text("Alibaba opened an office in Madrid on 2 June 2023, the company said.\n")

    def poisoning_extract(doc, run_id):
        out = fake_extract(doc, run_id)
        if doc.source == "poison.txt":
            out["events"][0]["sentence"] = "broken \ud800 text"
        return out

    settings = replace(settings, batch_size=10)
    summary = run_once(settings, validator, "r1", extract=poisoning_extract)
    assert summary["documents"] == 4
    build(settings.lake, settings.warehouse)
    assert table_rows(settings.warehouse, "SELECT source, stage, reason FROM quarantine") == [
        ("poison.txt", "ingest", "cannot be stored in the lake: UnicodeEncodeError: 'utf-8' codec can't encode "
                                 "character '\\ud800' in position 7: surrogates not allowed")]
    assert table_rows(settings.warehouse, "SELECT status FROM sources WHERE source = 'poison.txt'") == [("quarantined",)]


def test_a_batch_whose_validation_fails_is_retried_document_by_document(settings, validator, seeds_copy):
    """Validation itself fails (an error no failed expectation explains) on a batch holding one poisoned
    document: the documents are validated one by one and only the poisoned one is quarantined."""
    (seeds_copy / "poison.txt").write_text("Alibaba opened an office in Madrid on 2 June 2023, the company said.\n")

    class Picky:
        validate_parts = Validator.validate_parts  # reads the parts, then validate_batch below

        def validate_batch(self, tables, run_name=None):
            if "poison.txt" in tables["documents"]["source"].to_pylist():
                raise ValueError("cannot validate this")
            return validator.validate_batch(tables, run_name=run_name)

        def build_docs(self, run_name=None):
            return validator.build_docs(run_name)

    summary = run_once(replace(settings, batch_size=10), Picky(), "r1")
    assert summary["documents"] == 4
    build(settings.lake, settings.warehouse)
    assert table_rows(settings.warehouse, "SELECT source, stage, reason FROM quarantine") == [
        ("poison.txt", "validate", "could not be validated: ValueError: cannot validate this")]


def test_interrupted_commit_is_recovered(settings, validator):
    manifests = plan(settings, "r1")
    for m in manifests:
        process_batch(m, extract=fake_extract)
    # crash after staging, before the commit marker: a half-moved partition and staging left behind
    part = lake.staged_parts(settings.lake, "r1", "documents")[0]
    dest = settings.lake / "documents" / "run_id=r1" / part.name
    dest.parent.mkdir(parents=True)
    part.rename(dest)
    assert run_once(settings, validator, "r2")["documents"] == 4
    assert not (settings.lake / "documents" / "run_id=r1").exists()
    build(settings.lake, settings.warehouse)
    assert table_rows(settings.warehouse, "SELECT count(*), count(DISTINCT doc_id) FROM documents") == [(4, 4)]


def test_second_concurrent_run_is_refused(tmp_path):
    with run_lock(tmp_path):
        with pytest.raises(RunLocked, match="another run"):
            with run_lock(tmp_path):
                pass


def test_one_happening_in_two_documents_is_one_story(tmp_path, validator):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("EU probe\n2022-03-04\n\n"
                               "On 3 March 2022, the European Commission opened a probe into AliExpress.\n")
    (src / "b.txt").write_text("Brussels\n2022-03-07\n\n"
                               "The European Commission opened a probe into AliExpress on 3 March 2022, it said.\n")
    settings = replace(Settings.from_env(), sources=(src,), lake=tmp_path / "lake", warehouse=tmp_path / "t.duckdb",
                        expectations=ROOT / "expectations")
    for m in plan(settings, "r1"):
        process_batch(m)  # the real extractor
    validate_and_commit(settings, "r1", validator=validator)
    build(settings.lake, settings.warehouse)
    rows = table_rows(settings.warehouse, "SELECT markets, event_type, documents, sources FROM timeline "
                                          "WHERE timex = '2022-03-03'")
    assert rows == [(["EU"], "investigation", 2, ["a.txt", "b.txt"])]
    assert table_rows(settings.warehouse, "SELECT count(*) FROM events WHERE timex = '2022-03-03'") == [(2,)]
    assert table_rows(settings.warehouse, "SELECT documents FROM market_timeline WHERE timex = '2022-03-03'") == [(2,)]
    # one happening, both documents reporting it count for the market
    assert table_rows(settings.warehouse, "SELECT events, documents FROM market_summary WHERE market = 'EU'") == [(1, 2)]


def test_incremental_warehouse_build_equals_a_full_rebuild(settings, validator, seeds_copy, tmp_path):
    run_once(settings, validator, "r1")
    assert build(settings.lake, settings.warehouse)["status"] == "built"
    (seeds_copy / "new.txt").write_text("Kyiv\n2023-05-02\n\nOn 1 May 2023 AliExpress opened a warehouse in Kyiv, "
                                        "Ukraine, the company said.\n")
    run_once(settings, validator, "r2")
    assert build(settings.lake, settings.warehouse)["status"] == "incremental"
    full = tmp_path / "full.duckdb"
    assert build(settings.lake, full, force=True)["status"] == "built"
    tables = ("documents", "events", "event_markets", "quarantine", "sources", "markets", "runs", "story_events",
              "actors", "timeline", "market_timeline", "market_monthly", "market_summary", "stories")
    for table in tables:
        sql = f"SELECT * FROM {table} ORDER BY ALL"
        assert table_rows(settings.warehouse, sql) == table_rows(full, sql), table
    assert table_rows(settings.warehouse, "SELECT count(*) FROM documents") == [(5,)]
