"""HTML pages: main text with trafilatura, a plain-text fallback without a nesting limit, the page's date."""
from __future__ import annotations

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


_HTML_META_DATE = re.compile(
    r"<(?:meta|time)\b[^>]{0,400}?(?:content|datetime)\s*=\s*[\"']?\s*(\d{4}-\d{1,2}-\d{1,2})", re.IGNORECASE)


def _html_date(html: str, found: str | None, notes: list[str]) -> dt.date | None:
    """The page's date as trafilatura found it, unless the page's own metadata holds an impossible date:
    trafilatura then returns a shifted one (30 February -> 1 February), which is rejected instead."""
    raw = {m.group(1) for m in _HTML_META_DATE.finditer(html)}
    impossible = []
    for value in sorted(raw):
        if clean.publication_date(*value.split("-"), where="page's metadata")[1]:
            impossible.append(value)
    published = meta_date(found, "page's metadata", notes)
    if impossible:
        notes.extend(clean.publication_date(*v.split("-"), where="page's metadata")[1] for v in impossible)
        if published is not None and published.isoformat() not in raw:
            return None  # a repaired impossible date: not the page's word
    return published


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


def _html_fallback_text(html: str) -> str:
    """Pages trafilatura declines (short, or nested beyond the parser's depth limit: a few hundred
    unclosed tags): all visible text, scripts and styles removed."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())
