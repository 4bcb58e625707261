"""HTML pages: main text with trafilatura, a plain-text fallback without a nesting limit, the page's date."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from html.parser import HTMLParser

from transforms.ingest import clean
from transforms.ingest.models import Document
from transforms.ingest.records import meta_date


def from_html(source: str, root: str, html: str, encoding: str, finish) -> Document:
    import trafilatura

    result = trafilatura.bare_extraction(html, include_comments=False, include_tables=False,
                                         with_metadata=True, favor_recall=True)
    text = getattr(result, "text", None) if result is not None else None
    if not text:
        text = _html_fallback_text(html)
    body = finish(text or "")
    notes: list[str] = []
    published = _html_date(html, getattr(result, "date", None) if result is not None else None, notes)
    return Document(
        doc_id="", source=source, source_root=root, format="html", text=body,
        title=(getattr(result, "title", None) if result is not None else None) or clean.guess_title(body),
        url=getattr(result, "url", None) if result is not None else None,
        published=published, published_basis="metadata" if published else "unknown", encoding=encoding,
        notes=notes,
    )


# a date written in the page's metadata: <meta content>, <time datetime>, a JSON-LD "datePublished"-style key
_HTML_META_DATE = re.compile(
    r"(?:<(?:meta|time)\b[^>]{0,400}?(?:content|datetime)\s*=\s*[\"']?\s*|\"date\w{0,12}\"\s*:\s*\")"
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", re.IGNORECASE)


def _html_date(html: str, found: str | None, notes: list[str]) -> dt.date | None:
    """The page's date as trafilatura found it, when the page's metadata writes that day: trafilatura repairs
    an impossible date (30 February -> 1 February: not the page's word) and falls back on dates in the
    article's text (not metadata). An impossible date in the page's metadata is recorded in ``notes``."""
    for parts in dict.fromkeys(m.groups() for m in _HTML_META_DATE.finditer(html)):
        problem = clean.publication_date(*parts, where="page's metadata")[1]
        if problem:
            notes.append(problem)
    published = meta_date(found, "page's metadata", notes)
    notes[:] = dict.fromkeys(notes)  # the same date found by both reads is said once
    if published is not None and not _written(_metadata_part(html), published):
        return None  # repaired, or read from the article's text: the tagger's inference decides then
    return published


_MARKUP_WITH_DATES = re.compile(r"<(?:meta|time|link)\b[^>]{0,2000}>|<script[^>]{0,200}ld\+json[^>]{0,200}>[^<]{0,20000}",
                                re.IGNORECASE)


def _metadata_part(html: str) -> str:
    """What of a page is metadata: its head, and the meta, time, link and JSON-LD markup of its body. A page
    without a body tag (a saved fragment) has its head up to ``</head>``, if any: its text is not metadata."""
    body = re.search(r"<body\b", html, re.IGNORECASE) or re.search(r"</head\s*>", html, re.IGNORECASE)
    start = 0 if body is None else body.start() if body.group().lower().startswith("<body") else body.end()
    return html[:start] + " ".join(m.group() for m in _MARKUP_WITH_DATES.finditer(html, start))


def _written(html: str, d: dt.date) -> bool:
    """Does ``html`` write day ``d`` (in digits, year first or last, or with the month's name)?"""
    y, m, dd = d.year, d.month, d.day
    digits = {f"{y}{sep}{mm}{sep}{ds}" for sep in "-/." for mm in (f"{m:02d}", str(m)) for ds in (f"{dd:02d}", str(dd))}
    digits |= {f"{ds}{sep}{mm}{sep}{y}" for sep in "-/." for mm in (f"{m:02d}", str(m)) for ds in (f"{dd:02d}", str(dd))}
    digits |= {f"{mm}/{ds}/{y}" for mm in (f"{m:02d}", str(m)) for ds in (f"{dd:02d}", str(dd))}
    digits.add(f"{y}{m:02d}{dd:02d}")
    if any(x in html for x in digits):
        return True
    name = calendar.month_name[m]  # English, as the pages trafilatura reads
    return re.search(rf"\b(?:{name[:3]}\w*\.?\s+{dd}\b[^<]{{0,6}}{y}|{dd}(?:st|nd|rd|th)?\s+{name[:3]}\w*\.?,?\s+{y})",
                     html, re.IGNORECASE) is not None


class _TextOnly(HTMLParser):
    """All text outside script/style/noscript/template: linear, and no nesting limit."""

    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "article", "section"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


_FRAGMENT_TAG = re.compile(r"</?(?:p|br|div|span|script|style|a|b|i|em|strong|h[1-6]|li|ul|ol|table|tr|td|section|article)"
                           r"\b[^<>]{0,400}>", re.IGNORECASE)


def fragment_text(text: str) -> str:
    """A record's or a plain file's text that holds HTML markup ("<p>Poland fined Google ...</p><script>...</script>"):
    its visible text, scripts and styles removed; any other text as it is."""
    return _visible(text) if _FRAGMENT_TAG.search(text) else text   # its blank lines stay paragraph breaks


def _visible(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _html_fallback_text(html: str) -> str:
    """Pages trafilatura declines (short, or nested beyond the parser's depth limit: a few hundred
    unclosed tags): all visible text, scripts and styles removed."""
    return "\n".join(" ".join(line.split()) for line in _visible(html).split("\n") if line.strip())
