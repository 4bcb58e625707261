"""Finding the source files: the walk of the source folders (every file found is an input, a sidecar or a
Rejected entry with its reason) and the names a file's format and sidecar follow from.
"""
from __future__ import annotations

import errno
import operator
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.ingest.models import Rejected

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
        own = {os.path.relpath(p, real_root).replace(os.sep, "/") for p in skip
               if p != real_root and inside(p, real_root)}
        yield from _walk(root, _Walk(real_root, own))


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
        if not inside(target, walk.real_root):
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
                yield SourceFile(root, sub, st.st_size, _with_sidecar_time(entry.path, st.st_mtime_ns, folder.names))
            else:
                yield Rejected(sub, root, "ingest", "not a regular file (device, FIFO or socket)")
        else:
            stack.pop()


def _with_sidecar_time(path: str, mtime_ns: int, siblings: set[str]) -> int:
    """The later of a file's and its sidecar's modification times: a sidecar edited alone (a corrected date)
    makes the file changed for the next run's plan. A feed has no sidecar (``feed.json`` is a file of its own)."""
    if suffix_of(path).lower() not in SIDECAR_FORMATS:
        return mtime_ns
    for candidate in sidecar_paths(path):
        if os.path.basename(candidate) in siblings:
            try:
                return max(mtime_ns, os.stat(candidate).st_mtime_ns)
            except OSError:
                return mtime_ns
    return mtime_ns


def _is_sidecar(name: str, siblings: set[str]) -> bool:
    if not name.endswith(SIDECAR_SUFFIX):
        return False
    base = name[: -len(SIDECAR_SUFFIX)]
    if base in siblings and Path(base).suffix.lower() in SIDECAR_FORMATS:
        return True  # article.txt.json
    return any(base + ext in siblings for ext in SIDECAR_FORMATS)  # article.json (not feed.json of feed.jsonl)


def inside(path: str, root: str) -> bool:
    """Is ``path`` ``root`` or below it (both real paths)?"""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def sidecar_paths(path: str) -> tuple[str, str]:
    """``path.with_name(path.name + SIDECAR_SUFFIX)`` and ``path.with_suffix(SIDECAR_SUFFIX)``, as strings
    (two Paths per file read cost more than the rest of finding the sidecar)."""
    if not os.path.basename(path):
        p = Path(path)
        return str(p.with_name(p.name + SIDECAR_SUFFIX)), str(p.with_suffix(SIDECAR_SUFFIX))  # raises
    suffix = suffix_of(path)
    return path + SIDECAR_SUFFIX, (path[: -len(suffix)] if suffix else path) + SIDECAR_SUFFIX


# what Path.is_file takes for "no file", and a name too long to exist ("<250 characters>.txt.json")
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP, errno.ENAMETOOLONG)


def is_file(path: str) -> bool:
    """``Path(path).is_file()`` without the Path."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError as exc:
        if exc.errno not in _NOT_THERE:
            raise
        return False
    except ValueError:
        return False


def suffix_of(rel: str) -> str:
    """``Path(rel).suffix`` without the Path, for the usual ``folder/name.ext``."""
    name = rel.rpartition("/")[2]
    if os.sep != "/" or name in ("", ".", ".."):
        return Path(rel).suffix
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""
