from __future__ import annotations

import codecs
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from transforms.ingest import clean
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


@pytest.mark.parametrize("data,encoding", [
    ("Köln, 3 März".encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF8 + "naïve".encode(), "utf-8-sig"),
    ("Café – “quoted” 2022".encode("cp1252"), None),
])
def test_decode_handles_boms_and_legacy_encodings(data, encoding):
    text, used = decode(data)
    assert used == encoding if encoding else used not in ("utf-8", "utf-8-sig")
    assert "Köln" in text or "naïve" in text or "Café – “quoted”" in text


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
