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
    """Tag one JSON record per input line and write one result line per record, in input order.

    A bad line never stops the batch: it is reported on stderr and, when it has an id, answered
    with an empty timex list (a line that is not a JSON object with an id cannot be answered).  An
    unreadable "dct" is reported and the text is tagged without a DCT.  Returns 0 when the batch
    ran to the end (bad lines included: they are data errors, reported per line), 2 when the output
    could not be written."""
    err = sys.stderr
    try:
        for lineno, line in enumerate(inp, 1):
            if not line.strip():
                continue
            rec_id = None
            timexes: list[dict] = []
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError("line is not a JSON object")
                rec_id = rec.get("id")
                if rec_id is None:
                    raise ValueError("record has no id")
                text = rec.get("text")
                if not isinstance(text, str):
                    raise ValueError("missing or non-string 'text'")
                try:
                    dct = _parse_dct(rec.get("dct"))
                except (ValueError, TypeError):
                    err.write(f"timex: line {lineno} (id={rec_id!r}): unreadable dct {rec.get('dct')!r}, tagged without DCT\n")
                    dct = None
                timexes = [record(t) for t in tag(text, dct)]
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the batch
                err.write(f"timex: line {lineno} (id={rec_id!r}): {type(exc).__name__}: {exc}\n")
                if rec_id is None:
                    continue
            out.write(json.dumps({"id": str(rec_id), "timexes": timexes}, ensure_ascii=False) + "\n")
        out.flush()
    except (BrokenPipeError, OSError) as exc:
        err.write(f"timex: cannot write output: {exc}\n")
        return 2
    return 0
