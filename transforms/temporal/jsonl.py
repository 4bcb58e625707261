"""Batch contract: JSONL in ({"id", "text", "dct"}), JSONL out ({"id", "timexes": [...]}); each
timex carries the TIMEX3 keys (start, end, text, type, value) and, as extra keys, its mod and the
resolved interval (resolved, date_start, date_end, precision, anchor, relation)."""
from __future__ import annotations

import datetime as _dt
import json
import sys
from typing import TextIO

from .engine import Timex, tag


def _parse_dct(v) -> _dt.date | None:
    if v in (None, ""):
        return None
    return _dt.date.fromisoformat(str(v)[:10])


def record(t: Timex) -> dict:
    """The JSONL form of a timex: the TIMEX3 (start, end, text, type, value, and mod when set),
    then the resolved interval the timeline uses, when there is one: its value, first and last
    day, precision, how it was anchored and, for an anchored duration, the relation to the anchor."""
    rec = {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
    if t.mod:
        rec["mod"] = t.mod
    if t.date_start is not None:
        rec["resolved"] = t.resolved
        rec["date_start"] = t.date_start.isoformat()
        rec["date_end"] = t.date_end.isoformat()
        rec["precision"] = t.precision
        rec["anchor"] = t.anchor
        if t.relation:
            rec["relation"] = t.relation
    return rec


def run_jsonl(inp: TextIO, out: TextIO) -> int:
    """Tag one JSON record per input line and write one result line per non-blank input line, in input order.

    The answer echoes the record's ``id`` as sent. A bad line never stops the batch and is never answered as
    "no dates": its answer has ``"error"`` (and ``"timexes": []``; ``"id": null`` and ``"line"`` when the line
    has no usable id), and the reason also goes to stderr. An unreadable ``dct`` is a ``"warning"``: the text
    is tagged without one. Returns 0 when every line was tagged, 1 when some line was an error (the batch still
    ran to its end), 2 when the output could not be written."""
    err = sys.stderr
    errors = 0
    try:
        for lineno, line in enumerate(inp, 1):
            if not line.strip():
                continue
            answer: dict = {"id": None, "timexes": []}
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError("line is not a JSON object")
                answer["id"] = rec.get("id")
                if answer["id"] is None:
                    raise ValueError("record has no id")
                text = rec.get("text")
                if not isinstance(text, str):
                    raise ValueError(f"'text' is not text: {type(text).__name__}")
                try:
                    dct = _parse_dct(rec.get("dct"))
                except (ValueError, TypeError):
                    answer["warning"] = f"unreadable dct {rec.get('dct')!r}: tagged without one"
                    err.write(f"timex: line {lineno} (id={answer['id']!r}): {answer['warning']}\n")
                    dct = None
                answer["timexes"] = [record(t) for t in tag(text, dct)]
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the batch
                errors += 1
                answer["error"] = f"{type(exc).__name__}: {exc}"
                if answer["id"] is None:
                    answer["line"] = lineno
                err.write(f"timex: line {lineno} (id={answer['id']!r}): {answer['error']}\n")
            try:
                line_out = json.dumps(answer, ensure_ascii=False, default=str, allow_nan=False)
            except ValueError:  # an id of NaN or Infinity: echoed as text, the line stays JSON
                line_out = json.dumps({**answer, "id": str(answer["id"])}, ensure_ascii=False, default=str)
            out.write(line_out + "\n")
        out.flush()
    except (BrokenPipeError, OSError) as exc:
        err.write(f"timex: cannot write output: {exc}\n")
        return 2
    return 1 if errors else 0
