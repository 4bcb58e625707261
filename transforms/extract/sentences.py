"""Sentence and paragraph segmentation with character offsets into the original text.

Paragraph-aware: a blank line ends a paragraph, and any newline ends a sentence (the ingested
texts keep one paragraph or heading per line).  Inside a line a sentence ends at ``.``, ``!`` or
``?`` (optionally followed by closing quotes/brackets) when whitespace and a plausible sentence
start follow -- unless the word before the period is an abbreviation from
``transforms/knowledge/abbreviations.csv`` ("U.S.", "Mr.", "Jan.", "No." before a number) or a single
initial ("J. K. Rowling").
"""
from __future__ import annotations

import bisect
import functools
import re

from transforms import knowledge

__all__ = ["split", "paragraphs", "clauses", "date_clause", "abbreviations", "SpanSet"]

_PARA_RE = re.compile(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*")
_LINE_RE = re.compile(r"[^\n]+")
# candidate sentence ends: terminal punctuation + closing quotes/brackets, then whitespace
_END_RE = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_WORD_BEFORE_RE = re.compile(r"(\S+)$")
WORD_WINDOW = 64      # the word before a period is looked for this far back at most (abbreviations are short)
_NEXT_RE = re.compile(r"\s+(\S)")


@functools.lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """``{abbreviation: kind}`` from the data table (kind: always | name | before_digit)."""
    return {row["abbreviation"]: row["kind"] for row in knowledge.csv_rows("abbreviations.csv")}


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    if start < end and not text[start].isspace() and not text[end - 1].isspace():
        return (start, end)                       # the usual case: nothing to trim
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: runs of non-blank lines separated by blank lines (whitespace trimmed)."""
    out = []
    for m in _PARA_RE.finditer(text):
        span = _strip(text, m.start(), m.end())
        if span:
            out.append(span)
    return out


def _is_boundary(line: str, m: re.Match, abbr: dict[str, str]) -> bool:
    punct = m.group()
    nxt = _NEXT_RE.match(line, m.end())
    if nxt is None:
        return False  # end of line handles it
    following = nxt.group(1)
    if punct[0] != ".":
        # ! ? … : end unless a lowercase word continues the sentence ("Yahoo! said")
        return not following.islower()
    # a bounded look-back: searching from the line start would rescan the line at every period (quadratic)
    wm = _WORD_BEFORE_RE.search(line, max(0, m.start() + 1 - WORD_WINDOW), m.start() + 1)
    word = (wm.group(1) if wm else "").lstrip("\"'“‘([")
    kind = abbr.get(word) or abbr.get(word.lower())
    if kind in ("always", "name"):
        return False
    if kind == "before_digit" and following.isdigit():
        return False
    if len(word) == 2 and word[0].isupper():   # an initial: "J. K. Rowling"
        return False
    if following.islower():                    # "e.g. this", "approx. ten" -- not a sentence start
        return False
    return True


MAX_SENTENCE = 1000   # longer "sentences" (tables, unpunctuated dumps) are cut into pieces of about this size
_SOFT_CUT_RE = re.compile(r"[;,]\s|\s")


def _cut_long(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while end - start > MAX_SENTENCE:
        window_start = start + MAX_SENTENCE // 2
        cut = None
        for m in _SOFT_CUT_RE.finditer(text, window_start, start + MAX_SENTENCE):
            cut = m.end()                              # the last space (or ", ") in the window
        if cut is None:
            cut = start + MAX_SENTENCE
        span = _strip(text, start, cut)
        if span:
            out.append(span)
        start = cut
    span = _strip(text, start, end)
    if span:
        out.append(span)


def split(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into ``text``; every newline also ends a sentence, and a sentence
    longer than ``MAX_SENTENCE`` characters is cut at a space near that length (keeps work linear)."""
    out: list[tuple[int, int]] = []
    for s, e in _split(text):
        if e - s > MAX_SENTENCE:
            _cut_long(text, s, e, out)
        else:
            out.append((s, e))
    return out


def _split(text: str) -> list[tuple[int, int]]:
    abbr = abbreviations()
    out: list[tuple[int, int]] = []
    for lm in _LINE_RE.finditer(text):
        line_start = lm.start()
        line = lm.group()
        start = 0
        for m in _END_RE.finditer(line):
            if _is_boundary(line, m, abbr):
                span = _strip(text, line_start + start, line_start + m.end())
                if span:
                    out.append(span)
                start = m.end()
        span = _strip(text, line_start + start, lm.end())
        if span:
            out.append(span)
    return out


# ------------------------------------------------------------------------------------------ clauses

_CLAUSE_PUNCT_RE = re.compile(r"[,;:()\[\]—–\"“”]|\s-\s")
# no leading \b (it disables the engine's first-character scan): ``_cuts`` checks the left word boundary
_CLAUSE_WORD_RE = re.compile(
    r"(?:that|which|who|whom|whose|where|because|while|whereas|although|though|but|after|before|when|"
    r"unless|since(?=\s+[a-z]))\b")
_TOKEN_RE = re.compile(r"\w+")


def clauses(text: str, start: int = 0, end: int | None = None,
            protect: tuple[tuple[int, int], ...] | list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Clause spans inside ``text[start:end]`` (a sentence): split at commas, semicolons, colons,
    brackets, quotes and dashes and before subordinating words (that, which, where, because, ...).
    Boundaries inside a ``protect`` span (e.g. the date "September 25th, 2024") are ignored."""
    end = len(text) if end is None else end
    cuts = _cuts(text, start, end)
    if len(protect) == 1:
        (ps, pe), = protect
        cuts = [c for c in cuts if not (ps < c[1] and c[0] < pe or ps < c[0] < pe)]
    elif protect:
        cuts = [c for c in cuts if not any(s < c[1] and c[0] < e or s < c[0] < e for s, e in protect)]
    out: list[tuple[int, int]] = []
    pos = start
    for cs, ce in cuts:
        span = _strip(text, pos, cs)
        if span:
            out.append(span)
        pos = max(pos, ce)
    span = _strip(text, pos, end)
    if span:
        out.append(span)
    return out or [(start, end)]


def _cuts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sorted ``(cut_start, cut_end)`` (text removed between clauses) of ``text[start:end]``; the last
    sentence's are kept, since the dates of one sentence come one after another."""
    key = (id(text), start, end)
    hit = _LAST_CUTS.get(key)
    if hit is not None and hit[0] is text:
        return hit[1]
    cuts = [m.span() for m in _CLAUSE_PUNCT_RE.finditer(text, start, end)]
    cuts += [(p, p) for p in map(_START, _CLAUSE_WORD_RE.finditer(text, start, end))
             if not p or not (text[p - 1].isalnum() or text[p - 1] == "_")]   # a word start (\b)
    cuts.sort()
    _LAST_CUTS.clear()
    _LAST_CUTS[key] = (text, cuts)
    return cuts


_LAST_CUTS: dict = {}
_START = re.Match.start


def date_clause(text: str, clause_spans: list[tuple[int, int]], start: int, end: int,
                max_extra_tokens: int = 3) -> tuple[int, int]:
    """The clause containing [start, end); a clause that is little more than the date itself
    ("In November 2020", "As of March 2024", "Israel October 25, 2018") is merged with the following
    clause (or the preceding one when it is the last)."""
    idx = next((i for i, (s, e) in enumerate(clause_spans) if s <= start < e), None)
    if idx is None:
        return (start, end)
    s, e = clause_spans[idx]
    extra = len(_TOKEN_RE.findall(text[s:start])) + len(_TOKEN_RE.findall(text[end:e]))
    if extra <= max_extra_tokens:
        if idx + 1 < len(clause_spans):
            return (s, clause_spans[idx + 1][1])
        if idx > 0:
            return (clause_spans[idx - 1][0], e)
    return (s, e)


class SpanSet:
    """Merged, sorted character spans with an O(log n) overlap test."""

    __slots__ = ("starts", "ends")

    def __init__(self, spans=()) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start
