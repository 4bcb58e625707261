from __future__ import annotations

import codecs
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from transforms.ingest import clean
from transforms.ingest.records import MAX_SIDECAR_BYTES
from transforms.ingest.sources import BadInput, SourceFile, decode, discover, doc_id_for, read_source
from transforms.ingest.models import Document, Rejected

from conftest import SEEDS

MAX = 20_000_000


def read_all(root: Path) -> list[Document | Rejected]:
    out = []
    for item in discover([root]):
        out.extend([item] if isinstance(item, Rejected) else read_source(item, MAX))
    return out


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    return {d.source: d for d in read_all(SEEDS)}


def test_seed_header_line_date_title_and_url(seeds):
    doc = seeds["002_85970479c313b527.txt"]
    assert doc.published == dt.date(2022, 3, 3) and doc.published_basis == "header"
    assert doc.title == "A Russian ecommerce store in China is suddenly seeing brisk business"
    assert doc.url.startswith("https://qz.com/2136854/")
    assert doc.text.startswith("The shop offers goods")


def test_seed_date_prefix_is_removed_from_the_body(seeds):
    doc = seeds["003_0418d8d9e7bec456.txt"]
    assert doc.published == dt.date(2021, 12, 31) and doc.published_basis == "header"
    assert doc.text.startswith("Chinese e-commerce giant Alibaba")


def test_seed_without_a_date_is_unknown(seeds):
    doc = seeds["000_5486dea1e26f082a.txt"]
    assert doc.published is None and doc.published_basis == "unknown"


def test_boilerplate_is_dropped(seeds):
    text = seeds["000_5486dea1e26f082a.txt"].text
    for gone in ("Advertisement", "Other Topics of Interest", "US Must Address Russian Disinformation",
                 "In the face of evidence", "To suggest a correction", "Ctrl + Enter"):
        assert gone not in text
    assert "a sale is due to start on June 1" in text
    js = seeds["003_0418d8d9e7bec456.txt"].text
    for gone in ("console.log", "cnxps", "getElementsByClassName", "function ()"):
        assert gone not in js
    assert "Jack Ma speaks at" in js


def test_markdown_markup_is_stripped(seeds):
    text = seeds["001_dbc6307a8822ead6.txt"].text
    assert "**" not in text and "# " not in text and "*Grand" not in text
    assert "Grand InterContinental Seoul Parnas," in text


def test_doc_id_is_a_hash_of_normalised_text():
    assert doc_id_for("a  b\n c") == doc_id_for("a b c")
    assert doc_id_for("a b c") != doc_id_for("a b d")
    assert doc_id_for("a b c", dt.date(2022, 6, 23)) != doc_id_for("a b c", dt.date(2022, 6, 30)) != doc_id_for("a b c")


@pytest.mark.parametrize("data,encoding", [
    ("Köln, 3 März".encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF8 + "naïve".encode(), "utf-8-sig"),
    ("Café – “quoted” 2022".encode("cp1252"), None),
])
def test_decode_handles_boms_and_legacy_encodings(data, encoding):
    text, used = decode(data)
    assert used == encoding if encoding else used not in ("utf-8", "utf-8-sig")
    assert "Köln" in text or "naïve" in text or "Café – “quoted”" in text


def test_utf8_with_stray_legacy_bytes_reads_both():
    # one article pasted from two sources: "Café" in UTF-8 and "Caf\xe9" in cp1252 (charset-normalizer's guess
    # for the whole file, cp1250, turned the UTF-8 one into "CafĂ©")
    text, used = decode("Lyon: Café opened on 6 May 2021.\n".encode() + b"Caf\xe9 closed on 7 May 2021.\n")
    assert text == "Lyon: Café opened on 6 May 2021.\nCafé closed on 7 May 2021.\n"
    assert used == "utf-8 (stray bytes read as cp1252)"


@pytest.mark.parametrize("data,reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    (bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 50, "binary"),
])
def test_decode_rejects_binary(data, reason):
    with pytest.raises(BadInput, match=reason):
        decode(data)


def test_bad_files_are_rejected_with_reasons(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\t\n")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "ok.md").write_text("# Title\n\nOn 3 March 2022 the shop opened in **Moscow**.\n")
    out = {getattr(i, "source"): i for i in read_all(tmp_path)}
    assert isinstance(out["ok.md"], Document) and "**" not in out["ok.md"].text
    assert out["empty.txt"].reason == "empty file"
    assert out["blank.txt"].reason == "whitespace only"
    assert "binary" in out["image.txt"].reason
    assert "unsupported file type '.pdf'" in out["notes.pdf"].reason


def test_jsonl_records_metadata_and_broken_lines(tmp_path):
    lines = [
        json.dumps({"id": "a1", "title": "T", "url": "http://x/1", "published": "2024-05-02T10:00:00Z",
                    "text": "On May 1 the sale started.", "section": "business"}),
        '{"id": "broken", "text": ',
        json.dumps({"id": "a3", "title": "no text"}),
        "",
        json.dumps({"id": "a4", "text": "Second article, published in 2023."}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    out = {i.source: i for i in read_all(tmp_path)}
    first = out["feed.jsonl#L1"]
    assert first.published == dt.date(2024, 5, 2) and first.published_basis == "metadata"
    assert first.metadata == {"id": "a1", "section": "business"} and first.title == "T"
    assert out["feed.jsonl#L2"].reason.startswith("invalid JSON")
    assert out["feed.jsonl#L3"].reason == "JSONL record has no 'text'"
    assert out["feed.jsonl#L5"].published_basis == "unknown"
    assert "feed.jsonl#L4" not in out


def test_html_main_text_without_scripts(tmp_path):
    body = " ".join(["AliExpress opened a new warehouse in Seoul on 2 May 2024, the company said."] * 5)
    html = (f"<html><head><title>Warehouse</title><script>var x = 1; console.log(x);</script>"
            f"<style>p {{ color: red; }}</style></head><body><nav>Home | News</nav>"
            f"<article><h1>Warehouse opens</h1><p>{body}</p></article></body></html>")
    (tmp_path / "page.html").write_text(html)
    (doc,) = read_all(tmp_path)
    assert isinstance(doc, Document) and doc.format == "html"
    assert "warehouse in Seoul" in doc.text
    assert "console.log" not in doc.text and "color: red" not in doc.text


def test_sidecar_supplies_the_date(tmp_path):
    (tmp_path / "a.txt").write_text("The shop opened on Monday.\n")
    (tmp_path / "a.json").write_text(json.dumps({"published": "2023-02-01", "title": "Shop", "author": "X"}))
    (doc,) = read_all(tmp_path)
    assert doc.published == dt.date(2023, 2, 1) and doc.published_basis == "sidecar"
    assert doc.title == "Shop" and doc.metadata == {"author": "X"}


def test_a_sidecar_saved_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad and PowerShell 5 save UTF-8 with a BOM: the sidecar was ignored and the date lost (hostile run)."""
    (tmp_path / "a.txt").write_text("The shop opened yesterday.\n")
    (tmp_path / "a.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"published": "2023-02-01"}).encode())
    (doc,) = read_all(tmp_path)
    assert (doc.published, doc.published_basis, doc.notes) == (dt.date(2023, 2, 1), "sidecar", [])


def test_symlink_loop_and_broken_link_are_reported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Text of a, written in 2020.\n")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    os.symlink(tmp_path / "missing.txt", tmp_path / "dangling.txt")
    items = list(discover([tmp_path]))
    reasons = {i.source: i.reason for i in items if isinstance(i, Rejected)}
    files = [i.rel for i in items if isinstance(i, SourceFile)]
    assert files == ["sub/a.txt"]
    assert reasons["dangling.txt"] == "broken symlink"
    assert reasons["sub/loop"].startswith("symlink loop")


def test_teaser_and_footer_rules():
    text = ("Body one.\n\nRelated stories\n\nA Teaser Headline\n\nThe teaser blurb paragraph.\n\n"
            "Body two.\n\nMore body.\n\nTo suggest a correction, write to us\nFooter junk")
    out = clean.remove_boilerplate(text)
    assert "Teaser" not in out and "blurb" not in out and "Footer" not in out
    assert "Body one." in out and "Body two." in out


# --- issue 14: no input can stop the line --------------------------------------------------------------

def by_source(items) -> dict[str, Document | Rejected]:
    return {i.source: i for i in items}


def test_each_jsonl_line_is_parsed_on_its_own_with_limits(tmp_path):
    ok = {"title": "Ok", "published": "2024-01-05", "text": "JD.com entered Spain on 4 January 2024."}
    lines = [
        '{"text": "Lone \\ud800 surrogate in March 2022."}',           # JSON allows it, UTF-8 does not
        '{"text": "Deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",  # nesting beyond any parser
        '{"text": "Big number", "n": ' + "9" * 5000 + "}",               # over Python's digit limit
        '{"text": "Shallow but deep enough", "x": ' + "[" * 40 + "]" * 40 + "}",
        '{"text": "Bad title", "title": "\\udfff"}',
        json.dumps(ok),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    got = by_source(read_all(tmp_path))
    assert {s: type(i).__name__ for s, i in got.items()} == {
        "feed.jsonl#L1": "Rejected", "feed.jsonl#L2": "Rejected", "feed.jsonl#L3": "Rejected",
        "feed.jsonl#L4": "Rejected", "feed.jsonl#L5": "Rejected", "feed.jsonl#L6": "Document"}
    assert got["feed.jsonl#L1"].reason == "text is not valid Unicode in 'text': lone surrogate '\\ud800'"
    assert got["feed.jsonl#L2"].reason == "invalid JSON: nested deeper than 32 levels"
    assert got["feed.jsonl#L3"].reason.startswith("invalid JSON: Exceeds the limit (4300 digits)")
    assert got["feed.jsonl#L4"].reason.startswith("invalid JSON: nested deeper than 32 levels (at 'x[0][0]")
    assert got["feed.jsonl#L5"].reason == "text is not valid Unicode in 'title': lone surrogate '\\udfff'"
    assert got["feed.jsonl#L6"].published == dt.date(2024, 1, 5)


def test_an_oversized_jsonl_line_is_skipped_and_the_next_one_read(tmp_path):
    big = json.dumps({"text": "x " * 600})
    (tmp_path / "feed.jsonl").write_text(big + "\n" + json.dumps({"text": "Small one on 3 May 2021."}) + "\n")
    sf = next(discover([tmp_path]))
    got = by_source(read_source(sf, 1000))
    assert got["feed.jsonl#L1"].reason == "record too large: over 0.001 MB (TIMELINE_MAX_DOC_MB)"
    assert got["feed.jsonl#L2"].text == "Small one on 3 May 2021."


@pytest.mark.parametrize("value,published,note", [
    ("2022-02-30", None, "impossible publication date '2022-02-30' in the sidecar: ignored"),
    ("2022-13-01", None, "impossible publication date '2022-13-01' in the sidecar: ignored"),
    ("3024-01-01", None, "publication date '3024-01-01' in the sidecar outside 1000-2100: ignored"),
    ("2022-03-03", dt.date(2022, 3, 3), None),
])
def test_impossible_sidecar_dates_are_rejected_and_recorded(tmp_path, value, published, note):
    (tmp_path / "a.txt").write_text("Alibaba opened an office in Madrid, the company said.\n")
    (tmp_path / "a.json").write_text(json.dumps({"published": value}))
    (doc,) = read_all(tmp_path)
    assert doc.published == published and doc.notes == ([note] if note else [])


def test_impossible_header_date_is_a_header_line_rejected_and_recorded(tmp_path):
    (tmp_path / "a.txt").write_text("Title\n2022-02-30\n\nAlibaba opened an office in Madrid, the company said.\n")
    (doc,) = read_all(tmp_path)
    assert (doc.published, doc.title, doc.notes) == (
        None, "Title", ["impossible publication date '2022-02-30' in the header line: ignored"])
    assert "2022-02-30" not in doc.text


_ARTICLE = "<article><p>" + "Alibaba opened an office in Madrid, the company said in a statement. " * 4 + "</p></article>"


@pytest.mark.parametrize("head", [
    '<meta property="article:published_time" content="2022-02-30">',
    '<meta name="pubdate" content="2022/02/30">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2022-02-30"}</script>',
])
def test_impossible_html_meta_date_is_not_shifted(tmp_path, head):
    (tmp_path / "a.html").write_text(f"<html><head>{head}</head><body>{_ARTICLE}</body></html>")
    (doc,) = read_all(tmp_path)
    assert doc.published is None  # trafilatura would say 2022-02-01
    assert doc.notes == ["impossible publication date '2022-02-30' in the page's metadata: ignored"]


@pytest.mark.parametrize("head, body_extra, published", [
    ('<meta property="article:published_time" content="2022-03-03T10:15:00+02:00">', "", dt.date(2022, 3, 3)),
    ('<script type="application/ld+json">{"datePublished": "2022-03-03"}</script>', "", dt.date(2022, 3, 3)),
    ("", "<table>" + "<tr><td>2021-01-01</td></tr>" * 30 + "</table>", None),  # dates of the text are not metadata
])
def test_the_page_date_is_its_metadata_word(tmp_path, head, body_extra, published):
    (tmp_path / "a.html").write_text(f"<html><head>{head}</head><body>{_ARTICLE}{body_extra}</body></html>")
    (doc,) = read_all(tmp_path)
    assert (doc.published, doc.published_basis) == (published, "metadata" if published else "unknown")


@pytest.mark.parametrize("page", [
    "<h1>Tariff reversal</h1><p>India imposed tariffs on March 4, 2019, officials recalled.</p>" + _ARTICLE,
    "<head><title>Tariffs</title></head><p>India imposed tariffs on March 4, 2019, officials recalled.</p>" + _ARTICLE,
])
def test_a_page_without_a_body_tag_has_no_metadata_in_its_text(tmp_path, page):
    """A saved fragment took the first date of its text as its publication date, basis metadata (hostile run)."""
    (tmp_path / "a.html").write_text(page)
    (doc,) = read_all(tmp_path)
    assert doc.published_basis != "metadata" and doc.published != dt.date(2019, 3, 4)


@pytest.mark.parametrize("title,expected,notes", [
    (1984, "1984", []),
    ({"en": "x"}, "A plain article", ["sidecar field 'title' ignored: dict, not text"]),
])
def test_a_sidecar_field_of_the_wrong_type_never_loses_the_document(tmp_path, title, expected, notes):
    (tmp_path / "a.txt").write_text("A plain article\n\nAlibaba opened an office in Madrid, the company said.\n")
    (tmp_path / "a.json").write_text(json.dumps({"title": title}))
    (doc,) = read_all(tmp_path)
    assert (doc.title, doc.notes) == (expected, notes)


def test_a_sidecar_too_large_or_linked_from_outside_is_ignored_and_said(tmp_path):
    src, outside = tmp_path / "src", tmp_path / "outside.json"
    src.mkdir()
    outside.write_text(json.dumps({"title": "Secret"}))
    (src / "a.txt").write_text("A plain article\n\nAlibaba opened an office in Madrid, the company said.\n")
    (src / "a.json").symlink_to(outside)
    (src / "b.txt").write_text("B plain article\n\nAlibaba opened an office in Lisbon, the company said.\n")
    with open(src / "b.json", "wb") as fh:  # sparse: 50 MB that used to be read whole before the size check
        fh.truncate(50_000_000)
    link, a, b = read_all(src)  # the link itself is reported by the walk, as every link that leaves the folder
    assert (link.source, link.reason) == ("a.json", "symlink points outside the source folder")
    assert (a.title, a.notes) == ("A plain article", ["sidecar a.json ignored: a link to outside the source folder"])
    assert (b.title, b.notes) == ("B plain article", [f"sidecar b.json ignored: larger than {MAX_SIDECAR_BYTES // 1000} KB"])


def test_a_file_name_too_long_for_its_sidecar_is_still_read(tmp_path):
    name = "x" * 250 + ".txt"  # "<name>.json" is longer than the file system allows: no sidecar, not an error
    (tmp_path / name).write_text("Alibaba opened an office in Madrid on 2 June 2023, the company said.\n")
    (doc,) = read_all(tmp_path)
    assert doc.source == name and doc.notes == []


def test_deeply_nested_html_keeps_its_text(tmp_path):
    text = "Alibaba opened an office in Madrid on 2 June 2023, the company said."
    (tmp_path / "a.html").write_text("<html><body>" + "<b>" * 400 + f"<p>{text}</p></body></html>")
    (doc,) = read_all(tmp_path)
    assert doc.text == text


def test_prose_that_mentions_code_is_kept():
    prose = ["Researchers found a <script tag injected into the checkout page of the shop, they said.",
             "The function(x) notation confused investors at the meeting in Berlin on Monday.",
             # one-line articles that do not end like a sentence (hostile run: both were dropped whole as code)
             "Hackers injected a <script> tag into the pages of 300 shops in Germany on March 4, 2022, researchers "
             "said. The advisory is at https://sansec.io/research/magecart-2022",
             "Researchers said on March 7, 2022 that the malware calls document.write to inject a fake form into "
             "banking sites in Brazil (updated)"]
    assert clean.remove_boilerplate("\n".join(prose + ["var a = 1; function f() { return a; }"])) == "\n".join(prose)


def test_a_nul_byte_anywhere_means_binary():
    with pytest.raises(BadInput, match="NUL byte at offset 10000"):
        decode(b"a" * 10_000 + b"\x00" + b"b" * 10)


def test_names_that_are_not_utf8_and_links_out_of_the_folder_are_rejected(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (tmp_path / "secret.txt").write_text("Outside the source folder on 3 May 2021.\n")
    os.symlink(tmp_path / "secret.txt", src / "link.txt")
    os.symlink("/proc/self/status", src / "status.txt")
    (src / "inside.txt").write_text("Inside on 3 May 2021.\n")
    os.symlink(src / "inside.txt", src / "alias.txt")
    with open(os.path.join(os.fsencode(src), b"caf\xe9.txt"), "wb") as fh:
        fh.write(b"Latin-1 name, 3 May 2021.\n")
    got = {(i.source if isinstance(i, Rejected) else i.rel): (i.reason if isinstance(i, Rejected) else "file")
           for i in discover([src])}
    assert got == {"alias.txt": "file", "caf\\xe9.txt": "file name is not valid UTF-8 (shown with \\x escapes); rename the file",
                   "inside.txt": "file", "link.txt": "symlink points outside the source folder",
                   "status.txt": "symlink points outside the source folder"}


def test_feed_json_beside_feed_jsonl_is_an_input_and_own_folders_are_not(tmp_path):
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": "One on 3 May 2021."}) + "\n")
    (tmp_path / "feed.json").write_text("{}")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "timeline-report.html").write_text("<html><body>Report</body></html>")
    (tmp_path / "lake" / "documents").mkdir(parents=True)
    (tmp_path / "lake" / "documents" / "x.txt").write_text("not an input")
    found = [i.rel for i in discover([tmp_path], exclude=[tmp_path / "reports", tmp_path / "lake"])]
    assert found == ["feed.json", "feed.jsonl"]


def test_a_file_changed_after_the_walk_is_quarantined_not_read_past_the_limit(tmp_path):
    (tmp_path / "a.txt").write_text("Alibaba opened an office in Madrid on 2 June 2023.\n")
    (sf,) = list(discover([tmp_path]))
    with open(tmp_path / "a.txt", "a") as fh:  # grew past the limit after it was listed
        fh.write("More text. " * 200)
    (rej,) = read_source(sf, 1000)
    assert isinstance(rej, Rejected) and rej.reason.startswith("file too large: more than 0.001 MB when read")
    os.remove(tmp_path / "a.txt")
    os.mkfifo(tmp_path / "a.txt")  # replaced by a pipe: refused at once, never waited on
    (rej,) = read_source(sf, 1000)
    assert rej.reason.startswith("not a regular file when read (a named pipe)")


def test_a_source_that_is_missing_or_a_file_is_reported_as_such(tmp_path):
    (tmp_path / "a.txt").write_text("Alibaba opened an office in Madrid on 2 June 2023.\n")
    missing, a_file = discover([tmp_path / "missing", tmp_path / "a.txt"])
    assert missing.reason == "source folder does not exist"
    assert a_file.reason == "source is a file, not a folder: give the folder that holds it"


def test_markdown_front_matter_gives_title_date_and_url(tmp_path):
    (tmp_path / "a.md").write_text('---\ntitle: "AliExpress in Russia"\ndate: 2022-03-03T10:00:00+03:00\n'
                                   "tags:\n  - retail\nurl: https://example.org/a\n---\n\nOn Monday the shop opened.\n")
    (tmp_path / "b.md").write_text("---\ntitle: x\ndate: 2022-02-30\n---\nThe shop opened in Moscow on Monday.\n")
    (tmp_path / "c.md").write_text("---\ntitle: only front matter\n---\n")
    (tmp_path / "d.md").write_text("---\nA paragraph between two rules.\n---\nThe shop opened on Monday.\n")
    a, b, c, d = read_all(tmp_path)
    assert (a.title, a.published, a.published_basis, a.url) == (
        "AliExpress in Russia", dt.date(2022, 3, 3), "metadata", "https://example.org/a")
    assert a.text == "On Monday the shop opened."
    assert (b.published, b.notes) == (None, ["impossible publication date '2022-02-30' in the front matter: ignored"])
    assert c.reason == "empty document: no article text after cleaning"  # was published as "---\ntitle: …"
    assert d.text.startswith("A paragraph between two rules.")  # prose between rules is not front matter


def test_toml_front_matter_gives_title_and_date(tmp_path):
    """Hugo's "+++" front matter became the title "+++" and an event (hostile run)."""
    (tmp_path / "a.md").write_text('+++\ntitle = "Hugo post"\ndate = 2022-03-03T10:00:00Z\n+++\n\nThe shop opened.\n')
    (a,) = read_all(tmp_path)
    assert (a.title, a.published, a.published_basis, a.text) == ("Hugo post", dt.date(2022, 3, 3), "metadata",
                                                                 "The shop opened.")


def test_invisible_and_full_width_characters_are_normalised():
    """A zero-width space inside "March 7, 2022" left only the year; full-width "Ｃｈｉｎａ" was no market; a byte
    order mark mid-text stopped a sentence split (hostile run). Emoji joiners stay."""
    from transforms.ingest.clean import tidy

    assert tidy("Ｃｈｉｎａ banned it on March\u200b 7,\u200b 2022.\ufeff Germany\u00a0too. 👩\u200d💻") == \
        "China banned it on March 7, 2022. Germany too. 👩\u200d💻"


@pytest.mark.parametrize("record, reason", [
    ('{"text": ["a"]}', "JSONL record's 'text' is not text: list"),
    ('{"text": 5}', "JSONL record's 'text' is not text: int"),
    ('{"title": "x"}', "JSONL record has no 'text'"),
])
def test_a_jsonl_text_of_the_wrong_type_says_so(tmp_path, record, reason):
    """A list or number as 'text' was reported as "has no 'text'" (hostile run)."""
    (tmp_path / "f.jsonl").write_text(record + "\n")
    (rej,) = read_all(tmp_path)
    assert rej.reason == reason


def test_a_sentence_with_brackets_and_html_in_a_record_are_kept(tmp_path):   # hostile run 6
    line = "The court ruled on June 1, 2022 (case 12-345; docket [A])"
    assert clean.remove_boilerplate(line) == line                          # words, not code
    (tmp_path / "feed.jsonl").write_text(json.dumps(
        {"id": 1, "text": "<p>Poland fined Google on June 4, 2022.</p><script>ga('send');</script>"}) + "\n")
    (doc,) = read_all(tmp_path)
    assert doc.text == "Poland fined Google on June 4, 2022."               # its visible text, the script gone
