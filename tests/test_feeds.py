"""Growing JSONL feeds read incrementally: the reader (seek, line numbers, an unterminated last line) and
the pipeline (only appended lines are read; a truncated or rewritten feed is read whole; old lakes)."""
from __future__ import annotations

import json
from dataclasses import replace

import pyarrow.parquet as pq
import pytest

from transforms.ingest.feeds import Position, resume_point
from transforms.ingest.models import Document, Rejected
from transforms.ingest.sources import SourceFile, read_source
from transforms.lake import store as lake
from transforms.settings import Settings
from transforms.warehouse.builder import build

from conftest import ROOT
from test_pipeline import run_once, table_rows


def record(i: int) -> str:
    return json.dumps({"id": f"a{i}", "published": "2024-01-05",
                       "text": f"Article {i}: JD.com opened store number {i} in Madrid, Spain on 4 January 2024."})


def write(path, lines: list[str], end: str = "\n", mode: str = "w") -> None:
    with open(path, mode) as fh:
        fh.write("\n".join(lines) + end)


def read(path, position: Position) -> dict[str, Document | Rejected]:
    st = path.stat()
    sf = SourceFile(str(path.parent), path.name, st.st_size, st.st_mtime_ns)
    return {item.source: item for item in read_source(sf, 10**6, position)}


def resume(path, pos: Position) -> Position:
    return resume_point(path, path.stat().st_size, pos.offset, pos.lines, pos.fingerprint)


# --- the reader -------------------------------------------------------------------------------------

def test_an_appended_feed_is_read_from_where_the_last_read_stopped(tmp_path):
    feed = tmp_path / "feed.jsonl"
    write(feed, [record(1), "{broken", record(2)])
    pos = Position()
    assert sorted(read(feed, pos)) == ["feed.jsonl#L1", "feed.jsonl#L2", "feed.jsonl#L3"]
    assert (pos.offset, pos.lines, pos.pending) == (feed.stat().st_size, 3, 0)
    write(feed, [record(3), "", record(4)], mode="a")
    start = resume(feed, pos)
    assert (start.offset, start.lines) == (pos.offset, 3)
    got = read(feed, start)
    assert sorted(got) == ["feed.jsonl#L4", "feed.jsonl#L6"]  # the blank line 5 is consumed, not a record
    assert got["feed.jsonl#L6"].text.startswith("Article 4:")
    assert (start.offset, start.lines) == (feed.stat().st_size, 6)


def test_a_truncated_or_rewritten_feed_is_read_from_its_start(tmp_path):
    feed = tmp_path / "feed.jsonl"
    write(feed, [record(1), record(2), record(3)])
    pos = Position()
    read(feed, pos)
    write(feed, [record(1)])                                        # truncated
    assert resume(feed, pos) == Position()
    write(feed, [record(9), record(2), record(3), record(4)])        # rewritten head, then grown
    assert resume(feed, pos) == Position()
    write(feed, [record(1), record(2), record(3).replace("Madrid", "Bilbao"), record(4)])  # last line read edited
    assert resume(feed, pos) == Position()
    write(feed, [record(1), record(2), record(3), record(4)])        # only appended: resumed
    assert (resume(feed, pos).offset, resume(feed, pos).lines) == (pos.offset, 3)


def test_an_incomplete_last_line_is_left_for_the_next_read(tmp_path):
    feed = tmp_path / "feed.jsonl"
    partial = record(2)[:30]
    write(feed, [record(1), partial], end="")
    pos = Position()
    assert sorted(read(feed, pos)) == ["feed.jsonl#L1"]  # not read, not quarantined
    assert pos.lines == 1 and pos.pending == len(partial) and pos.offset == len(record(1)) + 1
    with open(feed, "a") as fh:
        fh.write(record(2)[30:] + "\n")
    start = resume(feed, pos)
    got = read(feed, start)
    assert list(got) == ["feed.jsonl#L2"] and isinstance(got["feed.jsonl#L2"], Document)
    assert start.pending == 0 and start.lines == 2


def test_a_whole_unterminated_last_record_is_read_and_its_newline_later_is_not_a_line(tmp_path):
    feed = tmp_path / "feed.jsonl"
    write(feed, [record(1), record(2)], end="")
    pos = Position()
    assert sorted(read(feed, pos)) == ["feed.jsonl#L1", "feed.jsonl#L2"]
    assert pos.offset == feed.stat().st_size and pos.pending == 0
    write(feed, ["", record(3)], mode="a")  # the writer ends line 2, then appends line 3
    start = resume(feed, pos)
    assert list(read(feed, start)) == ["feed.jsonl#L3"]


def test_a_feed_holding_only_an_incomplete_line_is_not_an_empty_file(tmp_path):
    feed = tmp_path / "feed.jsonl"
    write(feed, ['{"text": "half'], end="")
    pos = Position()
    assert read(feed, pos) == {} and pos.pending == feed.stat().st_size
    feed.write_text("")
    assert read(feed, Position())["feed.jsonl"].reason == "empty JSONL file"


def test_records_separated_by_a_bare_cr_are_quarantined_with_the_reason_not_left_pending(tmp_path):
    feed = tmp_path / "feed.jsonl"
    write(feed, [record(1), record(2)], end="\r")
    feed.write_bytes(feed.read_bytes().replace(b"\n", b"\r"))  # classic Mac line ends: no LF at all
    pos = Position()
    (only,) = read(feed, pos).values()  # used to stay pending for ever: never read, never quarantined
    assert only.reason == "invalid JSON: records separated by a bare CR; JSONL lines end in LF"
    assert pos.pending == 0 and pos.offset == feed.stat().st_size


def test_a_utf16_feed_is_quarantined_whole_with_the_reason(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes((record(1) + "\n" + record(2) + "\n").encode("utf-16"))  # each line used to fail on its own
    (only,) = read(feed, Position()).values()
    assert (only.source, only.reason) == (
        "feed.jsonl", "JSONL feed in UTF-16 or UTF-32 (byte-order mark): JSONL is UTF-8; save it as UTF-8")


# --- the pipeline -----------------------------------------------------------------------------------

@pytest.fixture
def feed_settings(tmp_path) -> Settings:
    (tmp_path / "src").mkdir()
    return replace(Settings.from_env(), sources=(tmp_path / "src",), lake=tmp_path / "lake",
                   warehouse=tmp_path / "wh" / "t.duckdb", expectations=ROOT / "expectations", batch_size=2)


def counts(settings: Settings) -> tuple[int, int]:
    build(settings.lake, settings.warehouse)
    return (table_rows(settings.warehouse, "SELECT count(*) FROM documents")[0][0],
            table_rows(settings.warehouse, "SELECT count(*) FROM quarantine")[0][0])


def test_appended_lines_are_processed_once_and_an_unchanged_feed_is_skipped(feed_settings, validator):
    feed = feed_settings.sources[0] / "feed.jsonl"
    write(feed, [record(1), "{broken", record(2)])
    first = run_once(feed_settings, validator, "r1")
    assert first["feed_lines_read"] == 3 and counts(feed_settings) == (2, 1)
    write(feed, [record(3), "{also broken", record(4)], mode="a")
    second = run_once(feed_settings, validator, "r2")
    assert second["feed_lines_read"] == 3 and second["duplicates"] == 0
    assert second["documents"] == 2 and second["quarantine"] == 1  # line 2 is not quarantined again
    assert counts(feed_settings) == (4, 2)
    assert sorted(r[0] for r in table_rows(feed_settings.warehouse, "SELECT source FROM quarantine")) == [
        "feed.jsonl#L2", "feed.jsonl#L5"]
    assert table_rows(feed_settings.warehouse, "SELECT source FROM documents WHERE run_id = 'r2' ORDER BY 1") == [
        ("feed.jsonl#L4",), ("feed.jsonl#L6",)]
    assert run_once(feed_settings, validator, "r3") is None  # unchanged: not planned


def test_a_truncated_feed_is_read_whole(feed_settings, validator):
    feed = feed_settings.sources[0] / "feed.jsonl"
    write(feed, [record(1), record(2), record(3)])
    run_once(feed_settings, validator, "r1")
    write(feed, [record(1), record(5)])
    second = run_once(feed_settings, validator, "r2")
    assert second["feed_lines_read"] == 2 and second["duplicates"] == 1 and second["documents"] == 1


def test_an_incomplete_last_line_waits_for_the_next_run(feed_settings, validator):
    feed = feed_settings.sources[0] / "feed.jsonl"
    write(feed, [record(1), record(2)[:25]], end="")
    first = run_once(feed_settings, validator, "r1")
    assert (first["feed_lines_read"], first["feed_lines_incomplete"], first["documents"]) == (1, 1, 1)
    assert counts(feed_settings) == (1, 0)
    assert table_rows(feed_settings.warehouse, "SELECT status, read_lines, pending_bytes > 0 FROM sources") == [
        ("document", 1, True)]
    with open(feed, "a") as fh:
        fh.write(record(2)[25:] + "\n")
    second = run_once(feed_settings, validator, "r2")
    assert (second["feed_lines_read"], second["feed_lines_incomplete"], second["documents"]) == (1, 0, 1)
    assert counts(feed_settings) == (2, 0)
    assert table_rows(feed_settings.warehouse, "SELECT source FROM documents WHERE run_id = 'r2'") == [
        ("feed.jsonl#L2",)]


def test_a_lake_written_before_the_feed_columns_still_works(feed_settings, validator):
    feed = feed_settings.sources[0] / "feed.jsonl"
    write(feed, [record(1), record(2)])
    (feed_settings.sources[0] / "note.txt").write_text("Alibaba opened in Madrid on 2 June 2023.\n")
    run_once(feed_settings, validator, "r1")
    new_columns = ["read_offset", "read_lines", "prefix_sha256", "pending_bytes"]
    for part in lake.committed_files(feed_settings.lake, "sources"):  # as the old schema wrote it
        pq.write_table(pq.read_table(part).drop_columns(new_columns), part)
    assert counts(feed_settings) == (3, 0)  # a warehouse from old parts only
    write(feed, [record(3)], mode="a")
    second = run_once(feed_settings, validator, "r2")
    assert second["feed_lines_read"] == 3 and second["duplicates"] == 2  # no recorded offset: read whole
    assert counts(feed_settings) == (4, 2)  # old and new parts together
    assert table_rows(feed_settings.warehouse, "SELECT run_id, read_lines FROM sources WHERE source = 'feed.jsonl' "
                      "ORDER BY run_id") == [("r1", None), ("r2", 3)]


def test_a_large_feed_is_staged_in_slices_and_committed_whole(feed_settings, validator, monkeypatch):
    from transforms.orchestration import extract_batch

    monkeypatch.setattr(extract_batch, "STAGE_DOCS", 3)  # a slice per 3 documents instead of 1,000
    feed = feed_settings.sources[0] / "feed.jsonl"
    write(feed, [record(i) for i in range(1, 8)] + ["{broken"])
    summary = run_once(feed_settings, validator, "r1")
    parts = [p.stem for p in lake.committed_files(feed_settings.lake, "documents")]
    assert parts == ["part-00000", "part-00000_1", "part-00000_2"]  # 3 + 3 + 1 documents (and the broken line)
    assert summary["documents"] == 7 and summary["feed_lines_read"] == 8
    assert counts(feed_settings) == (7, 1)
    assert table_rows(feed_settings.warehouse, "SELECT source, read_lines, status FROM sources") == [
        ("feed.jsonl", 8, "document")]  # one sources row, from the last slice
