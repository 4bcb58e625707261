"""Find source files and turn each into Documents (or Rejected records with a reason).

Formats: .txt/.md (plain text, light Markdown), .jsonl (one article per line), .html/.htm (main text
extracted with trafilatura). Every file found is accounted for: it yields Documents, or Rejected entries
that end up in the quarantine table.
"""
from __future__ import annotations

import errno
import hashlib
import operator
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.ingest import clean
from transforms.ingest.decoding import decode
from transforms.ingest.feeds import Position, read_lines
from transforms.ingest.html import from_html
from transforms.ingest.models import BadInput, Document, Rejected
from transforms.ingest.records import MAX_SIDECAR_BYTES, meta_date, parse_json_record, record_text, text_field

FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".jsonl": "jsonl",
           ".html": "html", ".htm": "html"}
SIDECAR_SUFFIX = ".json"
SIDECAR_FORMATS = [ext for ext, fmt in FORMATS.items() if fmt != "jsonl"]  # a JSONL record carries its own


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

def discover(roots: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()) -> Iterator[SourceFile | Rejected]:
    """Walk the source folders (sorted, recursively, following symlinks safely).

    Files and folders whose name starts with a dot are not inputs, nor are the ``exclude`` paths (the
    run's own lake, warehouse, reports, ... when they lie inside a source folder). Sidecars
    (``<name>.json`` beside a supported file) belong to that file. Symlink loops, broken links, links
    that leave the source folder, names that are not valid UTF-8 and unreadable folders are reported as
    Rejected so that nothing disappears silently.
    """
    skip = {os.path.realpath(p) for p in exclude}
    for root in roots:
        root = str(root)
        if not os.path.isdir(root):
            yield Rejected(source=".", source_root=root, stage="ingest",
                           reason="source is a file, not a folder: give the folder that holds it"
                           if os.path.exists(root) else "source folder does not exist")
            continue
        real_root = os.path.realpath(root)
        inside = {os.path.relpath(p, real_root).replace(os.sep, "/") for p in skip
                  if p != real_root and _inside(p, real_root)}
        yield from _walk(root, _Walk(real_root, inside))


@dataclass(frozen=True, slots=True)
class _Walk:
    real_root: str
    skip: set[str]  # paths relative to the root that are not inputs (the run's own folders)


@dataclass(slots=True)
class _Folder:
    rel: str                      # relative to the root ("" for the root itself)
    entries: Iterator[os.DirEntry]  # in name order; resumed after a subfolder is walked
    names: set[str]               # every entry's name (to recognise sidecars)
    ancestors: frozenset[tuple[int, int]]  # (device, inode) of this folder and those above it: loops


def printable_name(name: str) -> str:
    """A file name as storable text: bytes that are not UTF-8 are shown as ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _entry_problem(entry: os.DirEntry, sub: str, walk: _Walk) -> str | None:
    """Why a directory entry cannot be an input (None: it can)."""
    try:
        sub.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8 (shown with \\x escapes); rename the file"
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if not _inside(target, walk.real_root):
            return "symlink points outside the source folder"
    return None


def _open_folder(root: str, path: str, rel: str, st: os.stat_result, above: frozenset) -> _Folder | Rejected:
    """A folder ready to walk (``st``: its stat, symlinks followed), or why it cannot be walked."""
    key = (st.st_dev, st.st_ino)
    if key in above:
        return Rejected(rel or ".", root, "ingest", "symlink loop: folder already visited")
    try:
        entries = sorted(os.scandir(path), key=_NAME)
    except OSError as exc:
        return Rejected(rel or ".", root, "ingest", f"unreadable folder: {exc.strerror or exc}")
    return _Folder(rel, iter(entries), {e.name for e in entries}, above | {key})


_NAME = operator.attrgetter("name")


def _walk(root: str, walk: _Walk) -> Iterator[SourceFile | Rejected]:
    """Depth first, each folder's entries in name order. One generator with a stack of open folders (no
    generator per level: each file found costs the same however deep it lies)."""
    try:
        top = _open_folder(root, root, "", os.stat(root), frozenset())
    except OSError as exc:
        top = Rejected(".", root, "ingest", f"unreadable folder: {exc.strerror or exc}")
    if isinstance(top, Rejected):
        yield top
        return
    stack = [top]
    skip, is_regular = walk.skip, stat.S_ISREG
    while stack:
        folder = stack[-1]
        prefix = f"{folder.rel}/" if folder.rel else ""
        for entry in folder.entries:
            name = entry.name
            if name.startswith("."):
                continue
            sub = prefix + name
            if sub in skip:
                continue
            problem = _entry_problem(entry, sub, walk) if not name.isascii() or entry.is_symlink() else None
            if problem:
                yield Rejected(printable_name(sub), root, "ingest", problem)
                continue
            try:
                is_dir = entry.is_dir()
                st = entry.stat()
            except OSError as exc:
                reason = "symlink loop" if exc.errno == errno.ELOOP else (
                    "broken symlink" if entry.is_symlink() else f"cannot stat: {exc.strerror or exc}")
                yield Rejected(sub, root, "ingest", reason)
                continue
            if is_dir:
                inner = _open_folder(root, entry.path, sub, st, folder.ancestors)
                if isinstance(inner, Rejected):
                    yield inner
                    continue
                stack.append(inner)
                break  # walk the subfolder now; this folder's loop resumes after it
            if name.endswith(SIDECAR_SUFFIX) and _is_sidecar(name, folder.names):
                continue
            if is_regular(st.st_mode):
                yield SourceFile(root, sub, st.st_size, st.st_mtime_ns)
            else:
                yield Rejected(sub, root, "ingest", "not a regular file (device, FIFO or socket)")
        else:
            stack.pop()


def _is_sidecar(name: str, siblings: set[str]) -> bool:
    if not name.endswith(SIDECAR_SUFFIX):
        return False
    base = name[: -len(SIDECAR_SUFFIX)]
    if base in siblings and Path(base).suffix.lower() in SIDECAR_FORMATS:
        return True  # article.txt.json
    return any(base + ext in siblings for ext in SIDECAR_FORMATS)  # article.json (not feed.json of feed.jsonl)


def _sidecar(path: str, root: str) -> tuple[dict, list[str]]:
    """The sidecar's fields and the notes on what was rejected (an unreadable or invalid sidecar, one larger
    than MAX_SIDECAR_BYTES — never read whole — or a link to outside the source folder is ignored, and said so)."""
    for candidate in _sidecar_paths(path):
        if _is_file(candidate):
            where = f"sidecar {candidate.rpartition('/')[2] if os.sep == '/' else Path(candidate).name}"
            try:
                if os.path.islink(candidate) and not _inside(os.path.realpath(candidate), os.path.realpath(root)):
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


def _inside(path: str, root: str) -> bool:
    """Is ``path`` ``root`` or below it (both real paths)?"""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _sidecar_paths(path: str) -> tuple[str, str]:
    """``path.with_name(path.name + SIDECAR_SUFFIX)`` and ``path.with_suffix(SIDECAR_SUFFIX)``, as strings
    (two Paths per file read cost more than the rest of finding the sidecar)."""
    if not os.path.basename(path):
        p = Path(path)
        return str(p.with_name(p.name + SIDECAR_SUFFIX)), str(p.with_suffix(SIDECAR_SUFFIX))  # raises
    suffix = _suffix(path)
    return path + SIDECAR_SUFFIX, (path[: -len(suffix)] if suffix else path) + SIDECAR_SUFFIX


# what Path.is_file takes for "no file", and a name too long to exist ("<250 characters>.txt.json")
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP, errno.ENAMETOOLONG)


def _is_file(path: str) -> bool:
    """``Path(path).is_file()`` without the Path."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno not in _NOT_THERE:
            raise
        return False
    except ValueError:
        return False


def _suffix(rel: str) -> str:
    """``Path(rel).suffix`` without the Path, for the usual ``folder/name.ext``."""
    name = rel.rpartition("/")[2]
    if os.sep != "/" or name in ("", ".", ".."):
        return Path(rel).suffix
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


# --- dates in metadata ------------------------------------------------------------------------------

def doc_id_for(text: str) -> str:
    """Content hash of the normalised text: the same article from two files is one document."""
    return hashlib.sha256(clean.normalised_for_hash(text).encode("utf-8")).hexdigest()[:20]


# --- reading ----------------------------------------------------------------------------------------

def is_feed(rel: str) -> bool:
    """Whether a file is a JSONL feed, read incrementally (transforms.ingest.feeds)."""
    return FORMATS.get(_suffix(rel).lower()) == "jsonl"


def read_source(sf: SourceFile, max_bytes: int, position: Position | None = None) -> Iterator[Document | Rejected]:
    """Yield the Documents of one source file, or Rejected records saying why not.

    A JSONL feed is read from ``position`` on (default: its start), which is advanced as lines are consumed.
    """
    fmt = FORMATS.get(_suffix(sf.rel).lower())
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
            doc.doc_id = doc_id_for(doc.text)
        else:
            doc = _from_text(sf, text, encoding, fmt)
        yield _with_sidecar(doc, path)
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
    body = clean.strip_markup(header.text)  # the same text when it has no header and no markup: still tidy
    body = _require_text(_finish(body, tidied=body is tidied))
    return Document(
        doc_id=doc_id_for(body), source=sf.rel, source_root=sf.root, format=fmt, text=body,
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
    body = _require_text(_finish(clean.strip_markup(record_text(record))))
    notes: list[str] = []
    published = meta_date(record.get("published"), "record's metadata", notes)
    meta = {k: v for k, v in record.items() if k not in ("text", "title", "url", "published")}
    return Document(
        doc_id=doc_id_for(body), source=source, source_root=root, format="jsonl", text=body,
        title=text_field(record, "title", "record's", notes), url=text_field(record, "url", "record's", notes),
        published=published, published_basis="metadata" if published else "unknown",
        encoding=encoding, metadata=meta, notes=notes,
    )
