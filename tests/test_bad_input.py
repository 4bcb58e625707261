"""Bad input never crashes a run and is never silently dropped: each fixture ends in `documents` or in
`quarantine` with a clear reason, and the good documents of the same batch are published."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from transforms.ingest.sources import printable_name
from transforms.settings import Settings
from transforms.orchestration.pipeline import plan, process_batch, validate_and_commit
from transforms.warehouse.builder import build

from conftest import ROOT, SEEDS

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(200)


def make_fixtures(src: Path) -> None:
    shutil.copy(SEEDS / "003_0418d8d9e7bec456.txt", src / "good.txt")
    shutil.copy(SEEDS / "003_0418d8d9e7bec456.txt", src / "same-article-other-name.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "whitespace.txt").write_text(" \n\t\n   \n")
    (src / "image.txt").write_bytes(PNG)
    (src / "photo.png").write_bytes(PNG)
    (src / "invalid-utf8.txt").write_bytes(b"Sales in Moscow rose in March 2022 \xff\xfe\xfa despite sanctions.\n")
    (src / "utf16.txt").write_bytes("AliExpress opened a warehouse in Seoul on 3 March 2022.\n".encode("utf-16"))
    (src / "cp1252.txt").write_bytes("Café owners in Paris – “Alibaba” said on 5 May 2021 sales rose.\n".encode("cp1252"))
    with open(src / "huge.txt", "wb") as fh:  # 50 MB: over the 20 MB default limit
        fh.write(b"All work and no play in 2021. " * (50_000_000 // 30 + 1))
    (src / "digits.txt").write_text("1" * 100_000 + "\nThe index closed higher on 3 May 2021 in Tokyo.\n")
    (src / "scripts.html").write_text(
        "<html><head><script>var a = 1; function f() { return a; }</script><style>body{color:red}</style></head>"
        "<body><script>document.write('x');</script><article><p>"
        + "Alibaba opened an office in Madrid on 2 June 2023, the company said in a statement. " * 4
        + "</p></article><script>console.log('tracking');</script></body></html>")
    (src / "feed.jsonl").write_text("\n".join([
        json.dumps({"id": "ok", "title": "Ok", "published": "2024-01-05", "text": "JD.com entered Spain on 4 January 2024."}),
        '{"id": "broken", "text": "unterminated',
        json.dumps({"id": "no-text", "title": "Missing"}),
    ]) + "\n")
    (src / "date-like.txt").write_text(" ".join(f"{1900 + i % 200}-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(10_000)))
    (src / "impossible.txt").write_text("The contract was signed on 31 February 2022 in Berlin, officials said.\n")
    (src / "far-future.txt").write_text("The colony on Mars will open in 3024, the agency said on 2 March 2022.\n")
    (src / "sub").mkdir()
    (src / "sub" / "nested.md").write_text("# Nested\n\nOn 7 July 2020 the store opened in **Kyiv**.\n")
    os.symlink(src, src / "sub" / "loop")
    os.symlink(src / "missing.txt", src / "dangling.txt")
    (src / "unreadable.txt").write_text("You cannot read this in 2020.\n")
    (src / "unreadable.txt").chmod(0)
    os.mkfifo(src / "pipe.txt")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, validator):
    work = tmp_path_factory.mktemp("bad")
    src = work / "src"
    src.mkdir()
    make_fixtures(src)
    settings = replace(Settings.from_env(), sources=(src,), lake=work / "lake", warehouse=work / "t.duckdb",
                        expectations=ROOT / "expectations", batch_size=50)
    from transforms.ingest import sources

    read_bytes = sources.read_bytes

    def guarded_read(path, size, limit=None):  # as root, chmod 0 does not stop reading: make it stop, as for others
        if os.path.basename(path) == "unreadable.txt" and os.geteuid() == 0:
            raise PermissionError(13, "Permission denied", path)
        return read_bytes(path, size, limit)

    sources.read_bytes = guarded_read  # the reader's one way to read a file
    try:
        for manifest in plan(settings, "bad1"):
            process_batch(manifest, workers=1)
        validate_and_commit(settings, "bad1", validator=validator)
    finally:
        sources.read_bytes = read_bytes
    build(settings.lake, settings.warehouse)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    yield con
    con.close()
    (src / "unreadable.txt").chmod(0o644)


def reasons(con) -> dict[str, str]:
    return dict(con.execute("SELECT source, reason FROM quarantine").fetchall())


def documents(con) -> dict[str, str]:
    return dict(con.execute("SELECT source, encoding FROM documents").fetchall())


@pytest.mark.parametrize("source,expected", [
    ("empty.txt", "empty file"),
    ("whitespace.txt", "whitespace only"),
    ("image.txt", "binary content"),
    ("photo.png", "unsupported file type '.png'"),
    ("huge.txt", "file too large: 50 MB > limit 20 MB"),
    ("feed.jsonl#L2", "invalid JSON"),
    ("feed.jsonl#L3", "JSONL record has no 'text'"),
    ("same-article-other-name.txt", "duplicate of document"),
    ("sub/loop", "symlink loop"),
    ("dangling.txt", "broken symlink"),
    ("unreadable.txt", "unreadable file: Permission denied"),
    ("pipe.txt", "not a regular file"),
])
def test_quarantined_with_a_clear_reason(warehouse, source, expected):
    assert expected in reasons(warehouse).get(source, ""), reasons(warehouse)


@pytest.mark.parametrize("source,encoding", [
    ("good.txt", "utf-8"), ("utf16.txt", "utf-16"), ("digits.txt", "utf-8"), ("scripts.html", "utf-8"),
    ("feed.jsonl#L1", "utf-8"), ("date-like.txt", "utf-8"), ("impossible.txt", "utf-8"),
    ("far-future.txt", "utf-8"), ("sub/nested.md", "utf-8"),
])
def test_published(warehouse, source, encoding):
    assert documents(warehouse).get(source) == encoding


def test_legacy_encodings_are_decoded_and_recorded(warehouse):
    docs = documents(warehouse)
    assert docs["cp1252.txt"] not in ("utf-8", None)
    assert docs["invalid-utf8.txt"] != "utf-8"
    text = warehouse.execute("SELECT text FROM documents WHERE source = 'cp1252.txt'").fetchone()[0]
    assert "Café" in text and "“Alibaba”" in text


def test_every_input_is_accounted_for(warehouse):
    seen = set(documents(warehouse)) | set(reasons(warehouse))
    seen = {s.split("#")[0] for s in seen}
    expected = {"good.txt", "same-article-other-name.txt", "empty.txt", "whitespace.txt", "image.txt", "photo.png",
                "invalid-utf8.txt", "utf16.txt", "cp1252.txt", "huge.txt", "digits.txt", "scripts.html", "feed.jsonl",
                "date-like.txt", "impossible.txt", "far-future.txt", "sub/nested.md", "sub/loop", "dangling.txt",
                "unreadable.txt", "pipe.txt"}
    assert seen == expected


def test_no_script_text_and_no_impossible_or_far_future_dates(warehouse):
    html = warehouse.execute("SELECT text FROM documents WHERE source = 'scripts.html'").fetchone()[0]
    assert "Madrid" in html and "function" not in html and "console.log" not in html and "document.write" not in html
    assert warehouse.execute("SELECT count(*) FROM events WHERE timex LIKE '2022-02-31%'").fetchone()[0] == 0
    assert warehouse.execute("SELECT count(*) FROM events WHERE year(date_end) > 2100").fetchone()[0] == 0
    assert warehouse.execute(
        "SELECT count(*) FROM events e JOIN documents d USING (doc_id) WHERE d.source = 'far-future.txt' "
        "AND timex = '2022-03-02'").fetchone()[0] == 1


# --- issue 14: one instance of every hostile class beside the seeds, through `timeline run` ---------------

ARTICLE = "Temu opened a warehouse in Warsaw, Poland on 3 May 2023, the company said."


def make_hostile_folder(src: Path, work: Path) -> None:
    shutil.copytree(SEEDS, src / "seeds")
    (src / "feed.jsonl").write_text("\n".join([
        json.dumps({"id": "ok", "published": "2024-01-05", "text": "JD.com entered Spain on 4 January 2024, it said."}),
        '{"text": "Lone \\ud800 surrogate in a field JSON allows and UTF-8 does not."}',
        '{"text": "Deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"text": "Big number", "n": ' + "9" * 5000 + "}",
        '{"text": "unterminated',
        json.dumps({"published": "2022-02-30", "text": ARTICLE}),
        json.dumps({"title": 7, "text": "Shein opened a store in Tokyo, Japan on 6 June 2023, it said."}),
    ]) + "\n")
    (src / "feed.json").write_text("{}")                                  # beside feed.jsonl: its own input
    with open(os.path.join(os.fsencode(src), b"caf\xe9.txt"), "wb") as fh:  # a name that is not UTF-8
        fh.write(b"Sales rose in Paris on 3 May 2021, the cafe said.\n")
    os.symlink("/proc/self/status", src / "status.txt")                  # leaves the source folder
    (src / "numeric-title.txt").write_text("Alibaba opened an office in Madrid on 2 June 2023, the company said.\n")
    (src / "numeric-title.json").write_text(json.dumps({"title": 1984, "published": "2022-02-30"}))
    (src / "nested.html").write_text("<html><body>" + "<b>" * 400
                                     + "<p>Lazada opened a hub in Manila, Philippines on 8 August 2023.</p></body></html>")
    body = "<article><p>" + "Coupang opened a warehouse in Seoul, South Korea, on 9 September 2023, it said. " * 3
    (src / "meta-date.html").write_text('<html><head><meta property="article:published_time" content="2022-13-05">'
                                        f"</head><body>{body}</p></article></body></html>")
    (src / "prose-code.txt").write_text("Hackers injected a <script tag into the checkout page of the Berlin shop "
                                        "on 4 April 2023, researchers said.\n")
    (src / "nul-late.txt").write_bytes(b"Plain text. " * 1000 + b"\x00 and more.\n")
    (src / "long-line.txt").write_text(" ".join(
        f"The index in Moscow, Russia, rose by {k} points on 3 May 2021, traders said." for k in range(4000)))
    (src / "colony.txt").write_text(" ".join(
        f"The colony on Mars will open dome number {k} on 5 May {2150 + k}, the agency said on 2 March 2022."
        for k in range(40)))
    (src / "reports").mkdir()                                            # the run's own folders inside the source
    (src / "reports" / "timeline-report.html").write_text("<html><body>An old report of 3 May 2021.</body></html>")
    dead = subprocess.Popen(["true"])
    dead.wait()
    for leftover in (work / f"timeline.duckdb.tmp-{dead.pid}", work / f"timeline.duckdb.tmp-{dead.pid}.wal",
                     src / "reports" / f".timeline-report.html.tmp-{dead.pid}"):
        leftover.write_bytes(b"left by a killed run")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    src = work / "src"
    src.mkdir()
    make_hostile_folder(src, work)
    cmd = [sys.executable, "-m", "transforms.orchestration.cli", "run", "--source", str(src), "--lake", str(src / "lake"),
           "--warehouse", str(work / "timeline.duckdb"), "--reports", str(src / "reports")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT,
                          env=dict(os.environ, TIMELINE_BATCH_SIZE="8", TIMELINE_WORKERS="2"))
    con = duckdb.connect(str(work / "timeline.duckdb"), read_only=True) if proc.returncode == 0 else None
    yield proc, con, work
    if con:
        con.close()


def test_hostile_folder_run_exits_0_and_publishes_every_valid_record(hostile):
    proc, con, _ = hostile
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert sorted(s for (s,) in con.execute("SELECT source FROM documents").fetchall()) == [
        "colony.txt", "feed.jsonl#L1", "feed.jsonl#L6", "feed.jsonl#L7", "long-line.txt", "meta-date.html",
        "nested.html", "numeric-title.txt", "prose-code.txt", "seeds/000_5486dea1e26f082a.txt",
        "seeds/001_dbc6307a8822ead6.txt", "seeds/002_85970479c313b527.txt", "seeds/003_0418d8d9e7bec456.txt"]
    assert con.execute("SELECT count(*) FROM events JOIN documents USING (doc_id) "
                       "WHERE documents.source LIKE 'seeds/%'").fetchone() == (19,)
    assert con.execute("SELECT title, published, published_basis FROM documents WHERE source IN "
                       "('numeric-title.txt', 'feed.jsonl#L6', 'feed.jsonl#L7') ORDER BY source").fetchall() == [
        (None, dt.date(2023, 5, 3), "inferred"), ("7", dt.date(2023, 6, 6), "inferred"),
        ("1984", dt.date(2023, 6, 2), "inferred")]


def test_hostile_folder_quarantine_names_each_source_and_reason(hostile):
    _, con, _ = hostile
    rows = con.execute("SELECT source, stage, reason FROM quarantine WHERE stage = 'ingest' ORDER BY ALL").fetchall()
    assert rows == [
        ("caf\\xe9.txt", "ingest", "file name is not valid UTF-8 (shown with \\x escapes); rename the file"),
        ("colony.txt", "ingest", "40 dates outside the timeline's range (1000-2100) are no events: "
                                 "'5 May 2150', '5 May 2151', '5 May 2152' ..."),
        ("feed.json", "ingest", "unsupported file type '.json'"),
        ("feed.jsonl#L2", "ingest", "text is not valid Unicode in 'text': lone surrogate '\\ud800'"),
        ("feed.jsonl#L3", "ingest", "invalid JSON: nested deeper than 32 levels"),
        ("feed.jsonl#L4", "ingest", "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion: "
                                    "value has 5000 digits"),
        ("feed.jsonl#L5", "ingest", "invalid JSON: Unterminated string starting at (column 10)"),
        ("feed.jsonl#L6", "ingest", "impossible publication date '2022-02-30' in the record's metadata: ignored"),
        ("meta-date.html", "ingest", "impossible publication date '2022-13-05' in the page's metadata: ignored"),
        ("nul-late.txt", "ingest", "binary content (NUL byte at offset 12000), not text"),
        ("numeric-title.txt", "ingest", "impossible publication date '2022-02-30' in the sidecar: ignored"),
        ("status.txt", "ingest", "symlink points outside the source folder"),
    ]
    # the colony's far-future domes never reach validation (its range check is tested in test_pipeline.py)
    assert con.execute("SELECT count(*) FROM quarantine WHERE stage = 'validate'").fetchone() == (0,)


def test_hostile_folder_every_input_is_accounted_for_and_leftovers_are_gone(hostile):
    _, con, work = hostile
    src = work / "src"
    found = set()
    for folder, dirs, files in os.walk(os.fsencode(src)):
        dirs[:] = [d for d in dirs if d not in (b"lake", b"reports")]
        found |= {printable_name(os.fsdecode(os.path.relpath(os.path.join(folder, f), os.fsencode(src))))
                  for f in files if not f.startswith(b".") and not f.endswith(b".json") or f == b"feed.json"}
    accounted = {s.split("#")[0] for (s,) in con.execute(
        "SELECT source FROM documents UNION SELECT source FROM quarantine").fetchall()}
    assert found == accounted and len(found) == 15
    assert sorted(p.name for p in work.iterdir()) == ["src", "timeline.duckdb"]
    assert sorted(p.name for p in (src / "reports").iterdir()) == ["timeline-report.html"]


def test_one_paragraph_of_many_dates_weighs_its_markets_once(monkeypatch):
    """Work counted, not timed: a paragraph's dominant markets are computed once, not once per date in it
    (that made extraction quadratic on a long text without blank lines)."""
    from transforms.extract import attribution, events
    from transforms.ingest.models import Document

    calls = []
    real = attribution.dominant
    monkeypatch.setattr(attribution, "dominant", lambda *a, **k: calls.append(1) or real(*a, **k))
    text = "The shop in Moscow, Russia, opened. " + " ".join(
        f"Sales rose by {k} points on {k % 28 + 1} May 2021, traders said." for k in range(50))
    out = events.extract(Document(doc_id="d", source="s", source_root="r", format="txt", text=text), "run")
    assert len(out["events"]) == 50 and len(calls) == 1    # no named actor: one event per date mention


def test_actors_in_a_sentence_never_copy_the_rest_of_the_document():
    """Work counted: looking up the actors of one sentence touches only that sentence's actors (copying the
    list's tail at every sentence made extraction quadratic on a long text)."""
    from transforms.extract.actors import Actor, find, in_span

    class Counting(list):
        copied = 0

        def __getitem__(self, key):
            item = super().__getitem__(key)
            if isinstance(key, slice):
                Counting.copied += len(item)
            return item

    text = " ".join(f"Alibaba and Ozon met in Moscow on {k % 28 + 1} May 2021." for k in range(100))
    actors = Counting(find(text))
    assert isinstance(actors[0], Actor) and len(actors) == 200
    names = [in_span(actors, a.start, a.end) for a in actors]
    assert Counting.copied == 0 and names == [["Alibaba"], ["Ozon"]] * 100
