"""The inbox: files dropped for the next run, claimed by moving them into a dated archive under the sources.

Writers put a complete file into the inbox (write it under a dot-name and rename it, or write it
elsewhere and move it in) and then create the marker file ``READY`` in the inbox. Airflow's
``DirectoryFileDeleteTrigger`` (the ingest DAG's ``AssetWatcher``) consumes the marker and starts an
ingest run; the marker is never an input and the trigger never touches an article.

A run *claims* what the inbox holds:

1. it writes a journal ``<lake>/_inbox/<run_id>.json`` naming every file it is about to move;
2. it moves each file (one rename) to ``<first source>/inbox-archive/<YYYY-MM-DD>/<run_id>/<name>``;
3. it processes the archived files like any source file; the lake's ``sources`` table then records them.

A run that dies anywhere leaves each file either still in the inbox (claimed by the next run) or in the
archive, named by a journal whose run never committed: the next run processes those again before
anything else. A committed run's journal is removed by the next claim. None lost, none twice.
"""
from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import shutil
from pathlib import Path

from transforms.ingest.models import Rejected

MARKER = "READY"           # consumed by the AssetWatcher's trigger; never an input
ARCHIVE = "inbox-archive"  # under the first source folder
JOURNALS = "_inbox"        # under the lake

log = logging.getLogger("timeline")


def dropped_name(rel: str) -> str:
    """The name a file had in the inbox, from its path in a source folder (other paths unchanged)."""
    parts = rel.split("/")
    if len(parts) > 3 and parts[0] == ARCHIVE:
        return "/".join(parts[3:])
    return rel


def archive_folder(source_root: Path, run_id: str, today: dt.date | None = None) -> Path:
    return Path(source_root) / ARCHIVE / (today or dt.datetime.now(dt.UTC).date()).isoformat() / run_id


def claim(inbox: Path, source_root: Path, lake: Path, run_id: str, committed: set[str],
          exclude=()) -> list[tuple[str, str] | Rejected]:
    """Move the inbox's files into this run's archive folder; returns ``(source_root, rel)`` of every
    archived file this run must process (left over from runs that never committed, then new ones),
    and Rejected records for inbox entries that cannot be taken (they stay in the inbox). Folders of
    ``exclude`` (the run's own lake, warehouse, reports …, and the source folders) that lie inside the inbox
    are never taken: an inbox holding the lake once moved the lake into the archive."""
    from transforms.ingest.sources import discover  # the one walk rule: dot-files, symlinks, names
    from transforms.lake.store import atomic_write_bytes  # (pyarrow: not at DAG-parse time)

    folder = Path(lake) / JOURNALS
    old = [j for j in sorted(folder.glob("*.json")) if j.stem != run_id] if folder.is_dir() else []
    todo: list[tuple[str, str]] = []
    for journal in old:
        if journal.stem not in committed:  # its run died: what it archived is processed again now
            left = [(root, rel) for root, rel in json.loads(journal.read_text())["files"] if (Path(root) / rel).exists()]
            log.warning("inbox: run %s did not commit; re-processing %d archived files", journal.stem, len(left))
            todo += left
    inbox = Path(inbox)
    archive = Path(source_root) / ARCHIVE  # never taken again, should the inbox hold it (inbox = a source)
    found = list(discover([inbox], exclude=[inbox / MARKER, archive, *exclude])) if inbox.is_dir() else []
    files = [f for f in found if not isinstance(f, Rejected)]
    dest = archive_folder(source_root, run_id)
    moves = [(f.path, dest / f.rel) for f in files]
    todo += [(str(source_root), dst.relative_to(source_root).as_posix()) for _, dst in moves]
    if todo:  # this run's journal covers everything it takes, before any file moves or any journal goes
        atomic_write_bytes(folder / f"{run_id}.json", json.dumps({"run_id": run_id, "files": todo}).encode())
    for journal in old:
        journal.unlink(missing_ok=True)
    for src, dst in moves:
        _move(src, dst)
    return [*todo, *(r for r in found if isinstance(r, Rejected))]


def _move(src: Path, dst: Path) -> None:
    """One rename when the archive is on the inbox's file system; else copy under a temporary name,
    rename, then remove the original (a crash leaves the file in the inbox, or in both: then the
    content hash makes the second a duplicate)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:  # another file system
            raise
        tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)
        os.unlink(src)
