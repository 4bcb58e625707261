"""Find source files and turn each into Documents (or Rejected records with a reason).

Formats: .txt/.md (plain text, light Markdown), .jsonl (one article per line), .html/.htm (main text
extracted with trafilatura). Every file found is accounted for: it yields Documents, or Rejected entries
that end up in the quarantine table.
"""
from __future__ import annotations

import codecs
import datetime as dt
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.ingest import clean
from transforms.ingest.models import Document, Rejected

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".jsonl": "jsonl",
           ".html": "html", ".htm": "html"}
SIDECAR_SUFFIX = ".json"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


class BadInput(ValueError):
    """An input that cannot become a document; the message is the quarantine reason."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    root: str      # the source folder as given
    rel: str       # path relative to root, with forward slashes
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.root) / self.rel


# --- discovery --------------------------------------------------------------------------------------

def discover(roots: Iterable[str | os.PathLike]) -> Iterator[SourceFile | Rejected]:
    """Walk the source folders (sorted, recursively, following symlinks safely).

    Files and folders whose name starts with a dot are not inputs. Sidecars (``<name>.json`` beside a
    supported file) belong to that file. Symlink loops, broken links and unreadable folders are
    reported as Rejected so that nothing disappears silently.
    """
    for root in roots:
        root = str(root)
        if not os.path.isdir(root):
            yield Rejected(source=".", source_root=root, stage="ingest", reason="source folder does not exist")
            continue
        yield from _walk(root, Path(root), "", set())


def _walk(root: str, folder: Path, rel: str, seen: set[tuple[int, int]]) -> Iterator[SourceFile | Rejected]:
    try:
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield Rejected(rel or ".", root, "ingest", "symlink loop: folder already visited")
            return
        seen = seen | {key}
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Rejected(rel or ".", root, "ingest", f"unreadable folder: {exc.strerror or exc}")
        return
    names = {e.name for e in entries}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        sub = f"{rel}/{entry.name}" if rel else entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
            st = entry.stat(follow_symlinks=True)
        except OSError as exc:
            reason = "symlink loop" if exc.errno == errno.ELOOP else (
                "broken symlink" if entry.is_symlink() else f"cannot stat: {exc.strerror or exc}")
            yield Rejected(sub, root, "ingest", reason)
            continue
        if is_dir:
            yield from _walk(root, Path(entry.path), sub, seen)
        elif _is_sidecar(entry.name, names):
            continue
        elif not stat.S_ISREG(st.st_mode):
            yield Rejected(sub, root, "ingest", "not a regular file (device, FIFO or socket)")
        else:
            yield SourceFile(root=root, rel=sub, size=st.st_size, mtime_ns=st.st_mtime_ns)


def _is_sidecar(name: str, siblings: set[str]) -> bool:
    if not name.endswith(SIDECAR_SUFFIX):
        return False
    base = name[: -len(SIDECAR_SUFFIX)]
    if base in siblings and Path(base).suffix.lower() in FORMATS:
        return True  # article.txt.json
    return any(base + ext in siblings for ext in FORMATS)  # article.json


def _sidecar(path: Path) -> dict:
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_suffix(SIDECAR_SUFFIX)):
        if candidate.is_file():
            try:
                value = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                return {}
            return value if isinstance(value, dict) else {}
    return {}


# --- decoding ---------------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text, returning (text, encoding used). Raises BadInput for binary or undecodable data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise BadInput(f"invalid {encoding} despite its byte-order mark: {exc.reason}") from None
    head = data[:8192]
    if b"\x00" in head:
        raise BadInput("binary content (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_fallback(data)
    sample = text[:8192]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > 0.05:
        raise BadInput("binary content (control characters), not text")
    return text, encoding


def _decode_fallback(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced)"


# --- dates in metadata ------------------------------------------------------------------------------

_META_DATE = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:[T\s].*)?$")


def parse_meta_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    m = _META_DATE.match(value)
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return None


def doc_id_for(text: str) -> str:
    """Content hash of the normalised text: the same article from two files is one document."""
    return hashlib.sha256(clean.normalised_for_hash(text).encode("utf-8")).hexdigest()[:20]


# --- reading ----------------------------------------------------------------------------------------

def read_source(sf: SourceFile, max_bytes: int) -> Iterator[Document | Rejected]:
    """Yield the Documents of one source file, or Rejected records saying why not."""
    fmt = FORMATS.get(Path(sf.rel).suffix.lower())
    if fmt is None:
        yield Rejected(sf.rel, sf.root, "ingest", f"unsupported file type '{Path(sf.rel).suffix or '(none)'}'")
        return
    if sf.size > max_bytes and fmt != "jsonl":
        yield Rejected(sf.rel, sf.root, "ingest",
                       f"file too large: {sf.size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB (TIMELINE_MAX_DOC_MB)")
        return
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(sf, max_bytes)
            return
        data = sf.path.read_bytes()
    except OSError as exc:
        yield Rejected(sf.rel, sf.root, "ingest", f"unreadable file: {exc.strerror or exc}")
        return
    try:
        text, encoding = decode(data)
        if fmt == "html":
            doc = _from_html(sf, text, encoding)
        else:
            doc = _from_text(sf, text, encoding, fmt)
        yield _with_sidecar(doc, sf.path)
    except BadInput as exc:
        yield Rejected(sf.rel, sf.root, "ingest", str(exc))


def _finish(body: str) -> str:
    body = clean.tidy(body)
    body = clean.remove_boilerplate(body)
    return clean.tidy(body)


def _require_text(text: str) -> str:
    if not text.strip():
        raise BadInput("empty document: no article text after cleaning")
    return text


def _from_text(sf: SourceFile, text: str, encoding: str, fmt: str) -> Document:
    if not text.strip():
        raise BadInput("empty file" if not text else "whitespace only")
    header = clean.split_header(clean.tidy(text))
    body = _require_text(_finish(clean.strip_markup(header.text)))
    return Document(
        doc_id=doc_id_for(body), source=sf.rel, source_root=sf.root, format=fmt, text=body,
        title=header.title or clean.guess_title(body), url=header.url, published=header.published,
        published_basis="header" if header.published else "unknown", encoding=encoding,
    )


def _from_html(sf: SourceFile, html: str, encoding: str) -> Document:
    import trafilatura

    result = trafilatura.bare_extraction(html, include_comments=False, include_tables=False,
                                         with_metadata=True, favor_recall=True)
    text = getattr(result, "text", None) if result is not None else None
    if not text:
        text = _html_fallback_text(html)
    body = _require_text(_finish(text or ""))
    published = parse_meta_date(getattr(result, "date", None)) if result is not None else None
    return Document(
        doc_id=doc_id_for(body), source=sf.rel, source_root=sf.root, format="html", text=body,
        title=(getattr(result, "title", None) if result is not None else None) or clean.guess_title(body),
        url=getattr(result, "url", None) if result is not None else None,
        published=published, published_basis="metadata" if published else "unknown", encoding=encoding,
    )


def _html_fallback_text(html: str) -> str:
    """Short pages trafilatura declines: all visible text, scripts and styles removed."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return "\n".join(s.strip() for s in tree.itertext() if s.strip())


def _with_sidecar(doc: Document, path: Path) -> Document:
    meta = _sidecar(path)
    if not meta:
        return doc
    published = parse_meta_date(meta.get("published") or meta.get("date"))
    if published:
        doc.published, doc.published_basis = published, "sidecar"
    doc.title = meta.get("title") or doc.title
    doc.url = meta.get("url") or doc.url
    doc.metadata = {k: v for k, v in meta.items() if k not in ("published", "date", "title", "url")}
    return doc


def _read_jsonl(sf: SourceFile, max_bytes: int) -> Iterator[Document | Rejected]:
    produced = False
    with open(sf.path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            source = f"{sf.rel}#L{lineno}"
            if not raw.strip():
                continue
            produced = True
            if len(raw) > max_bytes:
                yield Rejected(source, sf.root, "ingest", f"record too large: {len(raw) / 1e6:.1f} MB")
                continue
            try:
                line, encoding = decode(raw)
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise BadInput("JSONL record is not an object")
                text = record.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise BadInput("JSONL record has no 'text'")
                body = _require_text(_finish(clean.strip_markup(text)))
            except json.JSONDecodeError as exc:
                yield Rejected(source, sf.root, "ingest", f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            except BadInput as exc:
                yield Rejected(source, sf.root, "ingest", str(exc))
                continue
            published = parse_meta_date(record.get("published"))
            meta = {k: v for k, v in record.items() if k not in ("text", "title", "url", "published")}
            yield Document(
                doc_id=doc_id_for(body), source=source, source_root=sf.root, format="jsonl", text=body,
                title=record.get("title") if isinstance(record.get("title"), str) else None,
                url=record.get("url") if isinstance(record.get("url"), str) else None,
                published=published, published_basis="metadata" if published else "unknown",
                encoding=encoding, metadata=meta,
            )
    if not produced:
        yield Rejected(sf.rel, sf.root, "ingest", "empty JSONL file")
