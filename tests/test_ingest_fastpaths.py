"""The reader's fast paths give what the slow ones gave: the literal prefilters of transforms.ingest.clean
(a necessary condition read from the patterns, never a reason to skip a line the pattern would match) and
the path handling of transforms.ingest.sources without pathlib."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from transforms.ingest import clean, discovery, sources
from transforms.ingest.models import BadInput


@pytest.mark.parametrize("pattern, flags, literals", [
    (r"\bconsole\.log\(", re.I, ("console.log(",)),
    (r"\b(let|const)\s+\w+\s*=", re.I, ("const", "let")),            # a group of alternatives: one of them
    (r"<\/?script\b", re.I, ("script",)),                            # an optional part breaks the run
    (r"#{1,6}\s", 0, ("#",)),                                        # a repeat of at least one
    (r"(\*\*|__)x", 0, ("**", "__")),
    (r"Kelvin", 0, ("Kelvin",)),                                     # case kept when case counts
    (r"\d+\s*\w", re.I, None),                                       # no literal at all: always try it
    (r"a?b*", 0, None),
])
def test_required_literals(pattern, flags, literals):
    assert clean.prefilter(re.compile(pattern, flags)).literals == literals


def test_one_pattern_without_literals_disables_the_prefilter():
    pf = clean.prefilter(re.compile(r"\bvar\s", re.I), re.compile(r"^[{}]+$", re.I))
    assert pf.literals is None and pf.may_match("anything at all")


def test_case_insensitive_prefilter_never_skips_a_match():
    pattern = re.compile(r"\bfunction\s*\(|ſcript", re.I)
    pf = clean.prefilter(pattern)
    lines = ["FUNCTION (", "Function(x)", "a fun ction", "\u212aelvin function(", "ſcript", "Script", "SCRIPT tag",
             "no code here", "scrİpt"]
    for line in lines:
        assert pf.may_match(line) or not pattern.search(line), line
    assert not pf.may_match("no code here")


def test_within_keeps_only_the_literals_of_the_text():
    pf = clean.prefilter(re.compile(r"\bvar\s+\w+\s*=", re.I), re.compile(r"\bsetAttribute\(", re.I))
    narrowed = pf.within("Various things.\nNothing else.")
    assert narrowed.literals == ("var",)
    assert narrowed.may_match("VAR x = 1;") and not narrowed.may_match("el.setAttribute(1)")
    assert narrowed.may_match("Ünïcode lines are always tried")


def test_code_lines_found_as_before_the_prefilter():
    r = clean.rules()
    lines = ["var x = document.getElementById('a');", "window.dataLayer = window.dataLayer || [];",
             "CONST A=1", "body, div { margin: 0; padding: 0; }", "It was a various, constant market.",
             "Researchers found a <script tag injected into the checkout page of the shop, they said.",
             "\u212aelvin var q = 2", "x = f(a); y = g(b); z = {c};"]
    for line in lines:
        by_regex = bool(r.code.search(line)) and not clean._is_prose(line, r)
        by_punct = (";" in line or "{" in line) and not r.code.search(line) and \
            sum(ch in "{}();=<>[]" for ch in line) / len(line) >= r.code_punct_ratio and \
            not line.endswith((".", '"', "”"))
        assert clean.is_code(line) == (by_regex or by_punct), line


@pytest.mark.parametrize("rel", ["a.txt", "a/b.txt", "a/..txt", "a/.txt", "a/b.", "a/b..txt", "a/b.tar.gz", "a/b",
                                 "a//b.md", "a/b.txt/", "a/b.txt/.", "..", ".", "x/..", "a/b.TXT", "a/ .txt"])
def test_paths_as_pathlib_gives_them(rel):
    assert discovery.suffix_of(rel) == Path(rel).suffix
    path = Path("/srv/root") / rel  # the reader passes the joined string, as the walk's names make it
    assert discovery.sidecar_paths(str(path)) == (str(path.with_name(path.name + discovery.SIDECAR_SUFFIX)),
                                                 str(path.with_suffix(discovery.SIDECAR_SUFFIX)))


@pytest.mark.parametrize("walked, now", [(0, 0), (0, 5), (5, 5), (5, 3), (5, 200_000), (70_000, 70_000), (3, 0)])
def test_read_bytes_reads_the_whole_file_whatever_its_size_at_the_walk(tmp_path, walked, now):
    data = bytes(range(256)) * (now // 256) + b"x" * (now % 256)
    (tmp_path / "f.txt").write_bytes(data)
    assert sources.read_bytes(str(tmp_path / "f.txt"), walked) == data


def test_read_bytes_raises_what_open_raises(tmp_path):
    with pytest.raises(OSError) as by_open:
        open(tmp_path / "missing.txt", "rb").read()
    with pytest.raises(OSError) as by_us:
        sources.read_bytes(str(tmp_path / "missing.txt"), 10)
    assert type(by_us.value) is type(by_open.value) and by_us.value.errno == by_open.value.errno


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_read_bytes_never_reads_what_is_no_regular_file_now(tmp_path):
    # a file replaced by a pipe, a device or a folder after the walk: refused at once (a pipe used to block
    # the extraction worker forever, /dev/zero to allocate without bound)
    os.mkfifo(tmp_path / "pipe.txt")
    for target, kind in ((tmp_path / "pipe.txt", "named pipe"), ("/dev/zero", "character device"), (tmp_path, "folder")):
        with pytest.raises(BadInput, match=f"not a regular file when read \\(a {kind}\\)"):
            sources.read_bytes(str(target), 0, 100)


@pytest.mark.parametrize("walked", [0, 10, 1000])
def test_read_bytes_stops_at_the_limit_whatever_the_walk_saw(tmp_path, walked):
    (tmp_path / "f.txt").write_bytes(b"x" * 1000)
    assert sources.read_bytes(str(tmp_path / "f.txt"), walked, 1000) == b"x" * 1000
    with pytest.raises(BadInput, match="file too large: more than 0.000999 MB when read"):
        sources.read_bytes(str(tmp_path / "f.txt"), walked, 999)


def test_is_file_as_pathlib_gives_it(tmp_path):
    (tmp_path / "f.json").write_text("{}")
    for p in (tmp_path / "f.json", tmp_path, tmp_path / "missing.json", tmp_path / "f.json" / "below.json"):
        assert discovery.is_file(str(p)) == p.is_file()


@pytest.mark.parametrize("raw", ["a\r\nb\rc\n", "x\u00a0y \n\n\n\nz\t\n", "\r\n\r\n  lead\r\r\rend  ", "plain\n\ntext",
                                 "Title\n20220303\n\n**Bold** [link](http://x.org) text.\n\nAdvertisement\n\nMore."])
def test_text_read_as_if_tidied_at_every_step(tmp_path, raw):
    """The reader tidies once where nothing after the first tidy changed the text; the body is what tidying
    after every step gives."""
    (tmp_path / "a.md").write_text(raw, encoding="utf-8", newline="")
    doc = next(sources.read_source(sources.SourceFile(str(tmp_path), "a.md", len(raw.encode()), 0), 10**6))
    tidy = clean.tidy
    body = clean.strip_markup(clean.split_header(tidy(raw.replace("\r\n", "\n").replace("\r", "\n"))).text)
    kept = clean.remove_boilerplate(tidy(body))
    assert doc.text == tidy(kept)
    assert "\r" not in doc.text and "\u00a0" not in doc.text and "\n\n\n" not in doc.text
