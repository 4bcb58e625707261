"""JSON records (JSONL lines and sidecars) and metadata dates: parsed one at a time, with limits.

Whatever a record holds, the worst outcome is a BadInput naming why it cannot be stored: the reader
quarantines that record (that line) only.
"""
from __future__ import annotations

import datetime as dt
import json
import re

from transforms.ingest import clean
from transforms.ingest.models import BadInput

MAX_JSON_DEPTH = 32          # nesting deeper than this is not an article's metadata
MAX_SIDECAR_BYTES = 1_000_000


def parse_json_record(line: str, what: str = "JSONL record") -> dict:
    """One JSON object, parsed on its own with limits; BadInput (the quarantine reason) when it cannot be
    stored: invalid JSON, nesting deeper than MAX_JSON_DEPTH, numbers too long to convert, strings that
    are not valid Unicode (lone surrogates from ``\\ud800`` escapes), or not an object."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and "\r" in line[:exc.pos]:
            raise BadInput("invalid JSON: records separated by a bare CR; JSONL lines end in LF") from None
        raise BadInput(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise BadInput(f"invalid JSON: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # e.g. an integer literal over Python's digit limit
        raise BadInput(f"invalid JSON: {str(exc).split(';')[0]}") from None
    if not isinstance(record, dict):
        raise BadInput(f"{what} is not an object")
    problem = _unstorable(record)
    if problem:
        raise BadInput(problem)
    return record


def _unstorable(value) -> str | None:
    """Why a parsed JSON value cannot be stored in the lake (None: it can). Iterative, linear."""
    stack = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"invalid JSON: nested deeper than {MAX_JSON_DEPTH} levels (at '{path}')"
        if isinstance(item, dict):
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in item.items())
            stack.extend((k, depth, path) for k in item)
        elif isinstance(item, list):
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(item))
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                where = f" in '{path.encode('utf-8', 'backslashreplace').decode()}'" if path else ""
                return f"text is not valid Unicode{where}: lone surrogate {item[exc.start]!a}"
    return None


def record_text(record: dict) -> str:
    """A JSONL record's article text; BadInput when it has none or it is not text (a list, a number)."""
    text = record.get("text")
    if text is not None and not isinstance(text, str):
        raise BadInput(f"JSONL record's 'text' is not text: {type(text).__name__}")
    if not text or not text.strip():
        raise BadInput("JSONL record has no 'text'")
    return text


def text_field(record: dict, key: str, where: str, notes: list[str]) -> str | None:
    """A title/url field: text as is, a number as its digits; any other type is ignored, with a note."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    notes.append(f"{where} field '{key}' ignored: {type(value).__name__}, not text")
    return None


# --- dates in metadata ------------------------------------------------------------------------------

_META_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})-(\d{1,2})|(\d{2})(\d{2}))(?:[T\s].*)?$", re.DOTALL)


def meta_date(value, where: str, notes: list[str]) -> dt.date | None:
    """A publication date from metadata; an impossible or out-of-range one is rejected with a note
    (the publication date is then found another way), never shifted to another day."""
    if value is None or value == "":
        return None
    m = _META_DATE.match(value) if isinstance(value, str) and len(value) <= 64 else None
    if m is None:
        notes.append(f"publication date {str(value)[:40]!r} in the {where} not understood: ignored")
        return None
    published, rejected = clean.publication_date(*(g for g in m.groups() if g is not None), where=where)
    if rejected:
        notes.append(rejected)
    return published
