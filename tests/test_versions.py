"""Corrections: a document whose source identity was seen before with other text is a new version whose
events replace the earlier version's in the timeline (which stay, marked superseded); the inbox claims
files into the archive without losing or repeating any."""
from __future__ import annotations

import json
import os
import time
from dataclasses import replace

import duckdb
import pytest

from transforms.ingest.identity import normalise_url, source_identity
from transforms.ingest.inbox import ARCHIVE, JOURNALS, MARKER, claim, dropped_name
from transforms.ingest.models import Document
from transforms.lake import store as lake
from transforms.orchestration.pipeline import plan, process_batch, validate_and_commit
from transforms.settings import Settings
from transforms.warehouse.builder import build

from conftest import ROOT


def rows(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- identity ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, expected", [
    ("HTTP://News.Example.com/a/b/?utm_source=x&id=3#top", "https://news.example.com/a/b?id=3"),
    ("https://news.example.com:443/a", "https://news.example.com/a"),
    ("https://news.example.com:8080/a?b=2&a=1", "https://news.example.com:8080/a?a=1&b=2"),
    ("ftp://example.com/a", None),
    ("not a url", None),
    ("https://[bad", None),
])
def test_urls_are_normalised_into_identities(url, expected):
    assert normalise_url(url) == expected


def doc(**kw) -> Document:
    base = dict(doc_id="d", source="a.txt", source_root="/src", format="txt", text="x")
    return Document(**{**base, **kw})


def test_identity_prefers_the_record_id_then_the_url_then_the_path():
    assert source_identity(doc(metadata={"id": 42}, url="https://x.com/a")) == "id:/src:42"
    assert source_identity(doc(metadata={"id": 42.0})) == "id:/src:42"      # the same number, the same article
    assert source_identity(doc(metadata={"id": 42.5})) == "id:/src:42.5"
    assert source_identity(doc(metadata={"id": float("inf")})) == "path:/src/a.txt"   # 1e400 overflowed: no id
    assert source_identity(doc(url="https://x.com/a/")) == "url:https://x.com/a"
    assert source_identity(doc()) == "path:/src/a.txt"
    assert source_identity(doc(source=f"{ARCHIVE}/2026-11-27/r1/sub/a.txt")) == "inbox:sub/a.txt"  # not path:/src/sub/a.txt
    assert source_identity(doc(format="jsonl", source="feed.jsonl#L3")) is None  # a line number is no identity
    assert source_identity(doc(metadata={"id": True})) == "path:/src/a.txt"  # not an id
    structured = source_identity(doc(format="jsonl", metadata={"id": {"n": 7, "feed": "x"}}))
    assert structured == source_identity(doc(format="jsonl", metadata={"id": {"feed": "x", "n": 7}})) \
        == 'id:/src:{"feed":"x","n":7}'                                      # a structured id identifies too
    assert source_identity(doc(format="jsonl", metadata={"id": {}})) is None
    assert dropped_name("inbox-archive/x") == "inbox-archive/x"


# --- versions end to end (real extractor, Great Expectations, warehouse) -----------------------------

V1 = ("Acme recall\n2024-03-05\n\nOn 4 March 2024, Toyota recalled 20,000 cars in Japan, the company said. "
      "It will hold a shareholder meeting on 20 June 2024.\n")
V2 = ("Acme recall\n2024-03-06\n\nOn 4 March 2024, Toyota recalled 200,000 cars in Japan, the company said. "
      "It will hold a shareholder meeting on 27 June 2024.\n")


def run(settings: Settings, run_id: str, validator) -> None:
    for m in plan(settings, run_id):
        process_batch(m)
    validate_and_commit(settings, run_id, validator=validator)
    build(settings.lake, settings.warehouse)


@pytest.fixture
def settings(tmp_path) -> Settings:
    (tmp_path / "src").mkdir()
    return replace(Settings.from_env(), sources=(tmp_path / "src",), lake=tmp_path / "lake",
                   warehouse=tmp_path / "t.duckdb", inbox=tmp_path / "inbox", expectations=ROOT / "expectations")


def test_a_corrected_article_replaces_its_events_and_history_shows_both(settings, validator, tmp_path):
    article = settings.sources[0] / "recall.txt"
    article.write_text(V1)
    run(settings, "r1", validator)
    first = rows(settings.warehouse, "SELECT timex FROM timeline ORDER BY timex")
    assert ("2024-06-20",) in first
    article.write_text(V2)  # the same file, corrected
    run(settings, "r2", validator)
    (old_doc, new_doc), = rows(settings.warehouse, "SELECT min_by(doc_id, version), max_by(doc_id, version) "
                                                   "FROM document_versions GROUP BY identity")
    timeline = rows(settings.warehouse, "SELECT timex, doc_id FROM timeline ORDER BY timex")
    assert {d for _, d in timeline} == {new_doc}
    assert ("2024-06-27", new_doc) in timeline and "2024-06-20" not in {t for t, _ in timeline}
    superseded = rows(settings.warehouse, "SELECT DISTINCT superseded_by, valid_to IS NOT NULL FROM events "
                                          f"WHERE doc_id = '{old_doc}'")
    assert superseded == [(new_doc, True)]
    assert rows(settings.warehouse, f"SELECT count(*) FROM events WHERE doc_id = '{new_doc}' "
                                    "AND superseded_by IS NOT NULL") == [(0,)]
    assert rows(settings.warehouse, "SELECT count(*) FROM acted_markets WHERE event_id NOT IN "
                                    "(SELECT event_id FROM current_events)") == [(0,)]  # not counted twice
    assert rows(settings.warehouse, "SELECT DISTINCT typeof(committed_at) FROM runs") == [("TIMESTAMP WITH TIME ZONE",)]
    history = rows(settings.warehouse, "SELECT version, change, timex FROM event_history ORDER BY ALL")
    assert (1, "original", "2024-06-20") in history and (2, "removed", "2024-06-20") in history
    assert (2, "added", "2024-06-27") in history and (2, "kept", "2024-03-04") in history
    # the incremental build that marked them equals a build from scratch
    full = tmp_path / "full.duckdb"
    build(settings.lake, full, force=True)
    for table in ("events", "document_versions", "event_history", "timeline", "market_timeline", "actors"):
        assert rows(settings.warehouse, f"SELECT * FROM {table} ORDER BY ALL") == rows(full, f"SELECT * FROM {table} ORDER BY ALL"), table


def test_a_corrected_publication_date_alone_is_a_new_version(settings, validator):
    """Only the date changes: a sidecar edited alone, a feed re-sending its record, front matter. The relative
    dates ("on Monday") then resolve against the corrected day (a hostile run found the correction dropped as a
    duplicate, and a sidecar edited alone not even read)."""
    src = settings.sources[0]
    (src / "n.txt").write_text("Nike exits Russia\n\nNike said on Monday it would close its stores in Russia.\n")
    (src / "n.json").write_text('{"published": "2022-06-23"}')
    (src / "f.jsonl").write_text('{"id": "x1", "published": "2022-06-23", "text": "Nike said on Monday it would exit."}\n')
    (src / "m.md").write_text("---\npublished: 2022-06-23\n---\nNike said on Tuesday it would exit Russia.\n")
    run(settings, "r1", validator)
    query = "SELECT source, date_start FROM timeline ORDER BY source"
    assert [(s, str(d)) for s, d in rows(settings.warehouse, query)] == [
        ("f.jsonl#L1", "2022-06-20"), ("m.md", "2022-06-21"), ("n.txt", "2022-06-20")]
    (src / "n.json").write_text('{"published": "2022-06-30"}')          # the sidecar alone
    os.utime(src / "n.json", ns=(time.time_ns() + 10**9,) * 2)
    with open(src / "f.jsonl", "a") as feed:
        feed.write('{"id": "x1", "published": "2022-06-30", "text": "Nike said on Monday it would exit."}\n')
    (src / "m.md").write_text("---\npublished: 2022-06-30\n---\nNike said on Tuesday it would exit Russia.\n")
    run(settings, "r2", validator)
    assert [(s, str(d)) for s, d in rows(settings.warehouse, query)] == [
        ("f.jsonl#L2", "2022-06-27"), ("m.md", "2022-06-28"), ("n.txt", "2022-06-27")]
    assert rows(settings.warehouse, "SELECT count(*), count(DISTINCT identity) FROM document_versions "
                                    "WHERE superseded_by IS NOT NULL") == [(3, 3)]


def test_an_article_edited_to_another_articles_words_is_a_version_of_it(settings, validator, tmp_path):
    """a.txt rewritten with c.txt's exact text: a.txt's earlier events are superseded by c's document (a hostile
    run found a.txt's old text still current, its new text only a duplicate of c.txt); c.txt is unchanged."""
    src = settings.sources[0]
    (src / "a.txt").write_text(V1)
    (src / "c.txt").write_text(V2)
    run(settings, "r1", validator)
    (src / "a.txt").write_text(V2)
    run(settings, "r2", validator)
    docs = dict(rows(settings.warehouse, "SELECT source, doc_id FROM documents"))
    current = {d for (d,) in rows(settings.warehouse, "SELECT DISTINCT doc_id FROM current_events")}
    assert current == {docs["c.txt"]}
    assert rows(settings.warehouse, f"SELECT DISTINCT superseded_by FROM events WHERE doc_id = '{docs['a.txt']}'") \
        == [(docs["c.txt"],)]
    full = tmp_path / "full.duckdb"
    build(settings.lake, full, force=True)
    for table in ("events", "document_versions", "timeline"):
        assert rows(settings.warehouse, f"SELECT * FROM {table} ORDER BY ALL") == rows(full, f"SELECT * FROM {table} ORDER BY ALL"), table


def test_feed_ids_version_articles_and_repeats_stay_duplicates(settings, validator):
    feed = settings.sources[0] / "feed.jsonl"
    line = lambda i, text, **kw: json.dumps({"id": i, "text": text, "published": "2024-03-05", **kw}) + "\n"  # noqa: E731
    feed.write_text(line("a1", V1.split("\n\n")[1]))
    run(settings, "r1", validator)
    (settings.sources[0] / "later.jsonl").write_text(
        line("a1", V2.split("\n\n")[1])                      # corrected: a new version of a1
        + line("a1", V2.split("\n\n")[1])                    # the same text again: a duplicate
        + line("b7", V1.split("\n\n")[1].replace("the company said", "Reuters reported")))  # another article
    run(settings, "r2", validator)
    versions = rows(settings.warehouse, "SELECT identity, count(*) FROM document_versions GROUP BY ALL ORDER BY ALL")
    assert versions == [(f"id:{settings.sources[0]}:a1", 2), (f"id:{settings.sources[0]}:b7", 1)]
    assert rows(settings.warehouse, "SELECT count(*) FROM quarantine WHERE stage = 'dedup'") == [(1,)]
    # b7 repeats the original story: a second source of it, not a version of a1
    current = rows(settings.warehouse, "SELECT count(DISTINCT doc_id) FROM current_events")
    assert current == [(2,)]


# --- inbox ------------------------------------------------------------------------------------------

def test_claim_moves_inbox_files_into_the_archive_and_recovers_a_dead_run(tmp_path):
    inbox, src, lake_dir = tmp_path / "inbox", tmp_path / "src", tmp_path / "lake"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text("a")
    (inbox / "sub" / "b.txt").write_text("b")
    (inbox / MARKER).write_text("")
    (inbox / ".c.txt.tmp").write_text("being written")
    taken = claim(inbox, src, lake_dir, "r1", committed=set())
    assert sorted(rel.split("/", 3)[3] for _, rel in taken) == ["a.txt", "sub/b.txt"]
    assert all((src / rel).is_file() for _, rel in taken)
    assert sorted(p.name for p in inbox.rglob("*") if p.is_file()) == [".c.txt.tmp", MARKER]
    # r1 died before committing: r2 takes its archived files again, plus what landed since
    (inbox / "d.txt").write_text("d")
    again = claim(inbox, src, lake_dir, "r2", committed=set())
    assert sorted(rel.rsplit("/", 1)[1] for _, rel in again) == ["a.txt", "b.txt", "d.txt"]
    assert [p.stem for p in (lake_dir / JOURNALS).glob("*.json")] == ["r2"]
    # r2 committed: its journal goes, nothing is taken twice
    assert claim(inbox, src, lake_dir, "r3", committed={"r2"}) == []
    assert not list((lake_dir / JOURNALS).glob("*.json"))
    # an inbox that is the source folder itself never takes its own archive again
    (src / "e.txt").write_text("e")
    taken = claim(src, src, lake_dir, "r4", committed={"r2", "r3"})
    assert [rel.rsplit("/", 1)[1] for _, rel in taken] == ["e.txt"]


def test_a_run_takes_each_inbox_file_once_even_when_it_also_walks_the_archive(settings, validator):
    settings.inbox.mkdir()
    (settings.inbox / "drop.txt").write_text(V1)
    manifests = plan(settings, "r1")
    (m,) = manifests
    entries = json.loads(open(m).read())["entries"]
    assert [e[2].split("/")[-1] for e in entries] == ["drop.txt"] and entries[0][2].startswith(ARCHIVE + "/")
    # the run dies here; the next run (walking the sources, where the archive lies) takes it once
    lake.recover(settings.lake)
    run(settings, "r2", validator)
    assert lake.run_summary(settings.lake, "r2")["inbox_files"] == 1
    assert rows(settings.warehouse, "SELECT source FROM documents") == [(entries[0][2],)]
    assert rows(settings.warehouse, "SELECT count(*) FROM quarantine") == [(0,)]
    assert plan(settings, "r3") == []


def test_an_article_ingested_before_identities_existed_is_still_superseded(settings, validator):
    import pyarrow.parquet as pq

    article = settings.sources[0] / "recall.txt"
    article.write_text(V1)
    for m in plan(settings, "r1"):
        process_batch(m)
    validate_and_commit(settings, "r1", validator=validator)
    for part in lake.committed_files(settings.lake, "documents"):  # as the lake was written before the column
        pq.write_table(pq.read_table(part).drop_columns(["identity"]), part)
    article.write_text(V2)
    run(settings, "r2", validator)
    versions = rows(settings.warehouse, "SELECT identity, version, superseded_by IS NULL FROM document_versions "
                                        "ORDER BY version")
    assert versions == [(f"path:{settings.sources[0]}/recall.txt", 1, False),
                        (f"path:{settings.sources[0]}/recall.txt", 2, True)]


def test_an_article_back_at_an_earlier_text_makes_that_version_current_again(settings, validator, tmp_path):
    article = settings.sources[0] / "recall.txt"
    for i, text in enumerate((V1, V2, V1)):  # corrected, then the correction withdrawn
        article.write_text(text)
        run(settings, f"r{i}", validator)
    versions = rows(settings.warehouse, "SELECT version, doc_id, superseded_by FROM document_versions ORDER BY version")
    (_, d1, _), (_, d2, _), _ = versions
    assert [(v, d, s) for v, d, s in versions] == [(1, d1, d2), (2, d2, d1), (3, d1, None)]
    assert {d for (d,) in rows(settings.warehouse, "SELECT DISTINCT doc_id FROM timeline")} == {d1}
    assert ("2024-06-20",) in rows(settings.warehouse, "SELECT timex FROM timeline")
    history = rows(settings.warehouse, "SELECT version, change, timex FROM event_history WHERE version = 3")
    assert (3, "added", "2024-06-20") in history and (3, "removed", "2024-06-27") in history
    full = tmp_path / "full.duckdb"
    build(settings.lake, full, force=True)
    for table in ("events", "document_versions", "timeline", "market_timeline"):
        assert rows(settings.warehouse, f"SELECT * FROM {table} ORDER BY ALL") == rows(full, f"SELECT * FROM {table} ORDER BY ALL"), table
    # a feed re-sending an id's earlier text within one file: the last line is the current version
    line = lambda text: json.dumps({"id": "R", "text": text, "published": "2024-03-05"}) + "\n"  # noqa: E731
    alpha, beta = ("Siemens opened a plant in Munich, Germany, on 2 May 2024, it said.",
                   "Siemens opened a plant in Munich, Germany, on 3 May 2024, it said.")
    (settings.sources[0] / "feed.jsonl").write_text(line(alpha) + line(beta) + line(alpha))
    run(settings, "r9", validator)
    assert rows(settings.warehouse, f"SELECT version, superseded_by IS NULL FROM document_versions "
                                    f"WHERE identity = 'id:{settings.sources[0]}:R' ORDER BY version") == [
        (1, False), (2, False), (3, True)]
