"""Growing JSONL feeds, read incrementally.

Writers append lines to a JSONL feed. The ``sources`` table records how far a run read one: ``read_offset``
(the end of the last complete line consumed), ``read_lines`` (lines consumed so far) and ``prefix_sha256``
(a fingerprint of the bytes before the offset). When the file has changed, the next run resumes at the
offset if the file is at least that long and the fingerprint still matches: it seeks there, never
re-parses or re-hashes the earlier lines, and numbers the lines on from ``read_lines``. A file that shrank
below the offset or whose fingerprint differs was truncated or rewritten and is read whole.

The fingerprint is the sha256 of the offset, the first min(64 KiB, offset) bytes and the 4 KiB ending at the
offset: at most 68 KiB are read whatever the size of the feed. It catches a truncation and a rewrite of
the head or of the last lines read, not an edit inside a long prefix that keeps every byte count (which
appending never does).

An unterminated last line (no newline yet) is consumed when it is a whole JSON value or holds bare CRs (lines
ending in CR only); otherwise a writer may still be appending to it: it is left for the next run
(``Position.pending``), neither read nor quarantined.
"""
from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.ingest.models import BadInput

_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
HEAD = 64 * 1024
TAIL = 4 * 1024


@dataclass(slots=True)
class Position:
    """How far a feed has been read; a reader advances it past each line it consumes."""

    offset: int = 0                 # bytes consumed: the end of the last complete line read
    lines: int = 0                  # lines consumed (the last one's number)
    pending: int = 0                # bytes of an unterminated last line left for the next run
    fingerprint: str | None = None  # of the bytes before ``offset`` (set when a read ends)


def fingerprint(fh, offset: int) -> str:
    """sha256 of the offset, the first min(HEAD, offset) bytes and the TAIL bytes ending at the offset."""
    h = hashlib.sha256(str(offset).encode())
    fh.seek(0)
    h.update(fh.read(min(HEAD, offset)))
    tail = max(0, offset - TAIL)
    fh.seek(tail)
    h.update(fh.read(offset - tail))
    return h.hexdigest()


def resume_point(path: Path, size: int, offset: int | None, lines: int | None, prefix: str | None) -> Position:
    """Where to start reading a changed feed: after what an earlier run read (``offset``, ``lines``,
    ``prefix``, from its ``sources`` row) when the file still holds those bytes, else at its start."""
    if offset is None or lines is None or prefix is None or size < offset:
        return Position()
    try:
        with open(path, "rb") as fh:
            if fingerprint(fh, offset) == prefix:
                return Position(offset, lines)
    except OSError:
        pass  # the reader reports an unreadable file
    return Position()


def read_lines(fh, pos: Position, max_bytes: int) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line, too long) from ``pos`` on, with at most ``max_bytes`` of any line in memory.

    ``pos`` is advanced past each line before it is yielded; when the lines run out, ``pos.pending`` holds
    the size of an unterminated last line left for the next run and ``pos.fingerprint`` is set.
    """
    if pos.offset == 0 and fh.read(4).startswith(_WIDE_BOMS):  # its lines split inside characters
        raise BadInput("JSONL feed in UTF-16 or UTF-32 (byte-order mark): JSONL is UTF-8; save it as UTF-8")
    after_unterminated = pos.offset > 0 and _byte_before(fh, pos.offset) != b"\n"
    fh.seek(pos.offset)
    while True:
        raw = fh.readline(max_bytes + 1)
        if not raw:
            break
        too_long = len(raw) > max_bytes and not raw.endswith(b"\n")
        while too_long and raw and not raw.endswith(b"\n"):  # skip the rest of an oversized line
            raw = fh.readline(1 << 20)
        if not raw.endswith(b"\n") and (too_long or not _whole(raw)) and not _cr_separated(raw):
            pos.pending = fh.tell() - pos.offset
            break
        pos.offset = fh.tell()
        if after_unterminated and raw in (b"\n", b"\r\n"):
            after_unterminated = False  # the newline that ends the record an earlier run consumed
            continue
        after_unterminated = False
        pos.lines += 1
        yield pos.lines, (b"" if too_long else raw), too_long
    pos.fingerprint = fingerprint(fh, pos.offset)


def _byte_before(fh, offset: int) -> bytes:
    fh.seek(offset - 1)
    return fh.read(1)


def _cr_separated(raw: bytes) -> bool:
    """Lines ending in a bare CR (classic Mac): no writer is still appending to them, so they are read (and
    quarantined with the reason) rather than left pending for ever."""
    return b"\r" in raw.rstrip(b"\r")


def _whole(raw: bytes) -> bool:
    """Whether an unterminated line is complete: blank, or a whole JSON value (every structural character
    of JSON is ASCII, so any ASCII-compatible encoding of the line shows it)."""
    text = raw.decode("utf-8", "replace").lstrip("\ufeff")
    if not text.strip():
        return True
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    except (ValueError, RecursionError):
        return True  # whole, but over a limit: the reader says why
    return True
