"""Turn each source file into Documents (or Rejected records with a reason); the files are found by
transforms.ingest.discovery (``discover``, re-exported here).

Formats: .txt/.md (plain text, light Markdown), .jsonl (one article per line), .html/.htm (main text
extracted with trafilatura). Every file found is accounted for: it yields Documents, or Rejected entries
that end up in the quarantine table.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from transforms.ingest import clean
from transforms.ingest.decoding import decode
from transforms.ingest.discovery import (FORMATS, SourceFile, discover, inside, is_file, printable_name,
                                         sidecar_paths, suffix_of)
from transforms.ingest.feeds import Position, read_lines
from transforms.ingest.html import fragment_text, from_html
from transforms.ingest.models import BadInput, Document, Rejected
from transforms.ingest.records import MAX_SIDECAR_BYTES, meta_date, parse_json_record, record_text, text_field

__all__ = ["BadInput", "SourceFile", "decode", "discover", "doc_id_for", "is_feed", "printable_name", "read_bytes",
           "read_source"]


def _sidecar(path: str, root: str) -> tuple[dict, list[str]]:
    """The sidecar's fields and the notes on what was rejected (an unreadable or invalid sidecar, one larger
    than MAX_SIDECAR_BYTES — never read whole — or a link to outside the source folder is ignored, and said so)."""
    for candidate in sidecar_paths(path):
        if is_file(candidate):
            where = f"sidecar {candidate.rpartition('/')[2] if os.sep == '/' else Path(candidate).name}"
            try:
                if os.path.islink(candidate) and not inside(os.path.realpath(candidate), os.path.realpath(root)):
                    raise BadInput(f"{where} ignored: a link to outside the source folder")
                try:
                    raw = read_bytes(candidate, 4096, MAX_SIDECAR_BYTES)
                except BadInput:
                    raise BadInput(f"{where} ignored: larger than {MAX_SIDECAR_BYTES // 1000} KB") from None
                value = parse_json_record(raw.decode("utf-8-sig"), where)  # Notepad and PowerShell write a BOM
            except OSError as exc:
                return {}, [f"{where} ignored: unreadable: {exc.strerror or exc}"]
            except UnicodeDecodeError:
                return {}, [f"{where} ignored: not UTF-8"]
            except BadInput as exc:
                return {}, [f"{where} ignored: {exc}" if not str(exc).startswith(where) else str(exc)]
            return value, []
    return {}, []


# --- dates in metadata ------------------------------------------------------------------------------

def doc_id_for(text: str, published: dt.date | None = None) -> str:
    """Content hash of the normalised text and the publication date: the same article from two files is one
    document; a corrected publication date (the events' relative dates resolve against it) is a new one."""
    key = clean.normalised_for_hash(text) + (f"\x00{published.isoformat()}" if published else "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


# --- reading ----------------------------------------------------------------------------------------

def is_feed(rel: str) -> bool:
    """Whether a file is a JSONL feed, read incrementally (transforms.ingest.feeds)."""
    return FORMATS.get(suffix_of(rel).lower()) == "jsonl"


def read_source(sf: SourceFile, max_bytes: int, position: Position | None = None) -> Iterator[Document | Rejected]:
    """Yield the Documents of one source file, or Rejected records saying why not.

    A JSONL feed is read from ``position`` on (default: its start), which is advanced as lines are consumed.
    """
    fmt = FORMATS.get(suffix_of(sf.rel).lower())
    if fmt is None:
        yield Rejected(sf.rel, sf.root, "ingest", f"unsupported file type '{Path(sf.rel).suffix or '(none)'}'")
        return
    if sf.size > max_bytes and fmt != "jsonl":
        yield Rejected(sf.rel, sf.root, "ingest",
                       f"file too large: {sf.size / 1e6:.3g} MB > limit {max_bytes / 1e6:.3g} MB (TIMELINE_MAX_DOC_MB)")
        return
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(sf, max_bytes, position or Position())
            return
        path = os.path.join(sf.root, sf.rel)  # a string: a Path per file costs more than finding its sidecar
        data = read_bytes(path, sf.size, max_bytes)
    except OSError as exc:
        yield Rejected(sf.rel, sf.root, "ingest", f"unreadable file: {exc.strerror or exc}")
        return
    except BadInput as exc:  # replaced by a pipe or a device, or grown past the limit since the walk
        yield Rejected(sf.rel, sf.root, "ingest", str(exc))
        return
    try:
        text, encoding = decode(data)
        if fmt == "html":
            doc = from_html(sf.rel, sf.root, text, encoding, lambda t: _require_text(_finish(t)))
        else:
            doc = _from_text(sf, text, encoding, fmt)
        doc = _with_sidecar(doc, path)
        doc.doc_id = doc_id_for(doc.text, doc.published)
        yield doc
    except BadInput as exc:
        yield Rejected(sf.rel, sf.root, "ingest", str(exc))


def read_bytes(path: str, size: int, limit: int | None = None) -> bytes:
    """The whole file, as ``open(path, "rb").read()`` gives it, in five system calls (open, fstat, read, the
    read that finds the end, close), where a buffered file object makes nine (two fstat, an ioctl, two lseek).
    ``size`` (from the walk) sizes the first read; a file that grew since is read on, up to ``limit`` bytes.
    Raises BadInput for what is no regular file now (a pipe or a device put in its place after the walk: opened
    without blocking, never read) and for a file that grew past ``limit``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise BadInput(f"not a regular file when read ({_KINDS.get(stat.S_IFMT(mode), 'special file')}): "
                           "it was replaced after the folder was listed")
        cap = float("inf") if limit is None else limit
        chunks = [os.read(fd, int(min(size, cap)) + 1)]
        total = len(chunks[0])
        while chunks[-1]:
            if total > cap:
                raise BadInput(f"file too large: more than {cap / 1e6:.3g} MB when read (it grew after the folder "
                               "was listed; limit TIMELINE_MAX_DOC_MB)")
            chunks.append(os.read(fd, int(min(max(size, 1 << 16), cap + 1 - total))))
            total += len(chunks[-1])
        return chunks[0] if len(chunks) == 2 else b"".join(chunks)
    finally:
        os.close(fd)


_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _finish(body: str, tidied: bool = False) -> str:
    """Tidy (unless ``body`` is tidy already) and drop boilerplate."""
    body = body if tidied else clean.tidy(body)
    kept = clean.remove_boilerplate(body)
    return body if kept is body else clean.tidy(kept)  # tidy(tidy(x)) == tidy(x)


def _require_text(text: str) -> str:
    if not text.strip():
        raise BadInput("empty document: no article text after cleaning")
    return text


def _from_text(sf: SourceFile, text: str, encoding: str, fmt: str) -> Document:
    if not text.strip():
        raise BadInput("empty file" if not text else "whitespace only")
    tidied = clean.tidy(text)
    header = clean.split_header(tidied)
    body = clean.strip_markup(fragment_text(header.text))  # the same text without header and markup: still tidy
    body = _require_text(_finish(body, tidied=body is tidied))
    return Document(
        doc_id="", source=sf.rel, source_root=sf.root, format=fmt, text=body,
        title=header.title or clean.guess_title(body), url=header.url, published=header.published,
        published_basis=header.basis if header.published else "unknown", encoding=encoding,
        notes=[header.rejected] if header.rejected else [],
    )


def _with_sidecar(doc: Document, path: str) -> Document:
    meta, notes = _sidecar(path, doc.source_root)
    doc.notes.extend(notes)
    if not meta:
        return doc
    published = meta_date(meta.get("published") or meta.get("date"), "sidecar", doc.notes)
    if published:
        doc.published, doc.published_basis = published, "sidecar"
    doc.title = text_field(meta, "title", "sidecar", doc.notes) or doc.title
    doc.url = text_field(meta, "url", "sidecar", doc.notes) or doc.url
    doc.metadata = {k: v for k, v in meta.items() if k not in ("published", "date", "title", "url")}
    return doc


def _read_jsonl(sf: SourceFile, max_bytes: int, pos: Position) -> Iterator[Document | Rejected]:
    produced, whole = False, pos.offset == 0
    with open(sf.path, "rb") as fh:
        for lineno, raw, too_long in read_lines(fh, pos, max_bytes):
            source = f"{sf.rel}#L{lineno}"
            if not too_long and not raw.strip():
                continue
            produced = True
            if too_long:
                yield Rejected(source, sf.root, "ingest", f"record too large: over {max_bytes / 1e6:.3g} MB "
                                                          "(TIMELINE_MAX_DOC_MB)")
                continue
            try:  # each line on its own: whatever one line holds, the next line is read
                yield _jsonl_record(raw, source, sf.root)
            except BadInput as exc:
                yield Rejected(source, sf.root, "ingest", str(exc))
            except Exception as exc:  # noqa: BLE001 - an unforeseen failure quarantines this line only
                yield Rejected(source, sf.root, "ingest", f"could not read this line: {type(exc).__name__}: {exc}")
    if whole and not produced and not pos.pending:
        yield Rejected(sf.rel, sf.root, "ingest", "empty JSONL file")


def _jsonl_record(raw: bytes, source: str, root: str) -> Document:
    line, encoding = decode(raw)
    record = parse_json_record(line.rstrip("\r\n"))
    body = _require_text(_finish(clean.strip_markup(fragment_text(record_text(record)))))
    notes: list[str] = []
    published = meta_date(record.get("published"), "record's metadata", notes)
    meta = {k: v for k, v in record.items() if k not in ("text", "title", "url", "published")}
    return Document(
        doc_id=doc_id_for(body, published), source=source, source_root=root, format="jsonl", text=body,
        title=text_field(record, "title", "record's", notes), url=text_field(record, "url", "record's", notes),
        published=published, published_basis="metadata" if published else "unknown",
        encoding=encoding, metadata=meta, notes=notes,
    )
