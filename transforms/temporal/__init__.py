"""Temporal expression tagger (TIMEX3: DATE, TIME, DURATION, SET) for news text.

    from transforms.temporal import Timex, tag, range_end, reference_date, run_jsonl

Knowledge (word lists, normalisation tables, patterns) lives in the TOML files; the engine
(engine.py) compiles it into one scanner and normalises matches against the document creation
time (DCT) or, without a DCT, against the text's own reference date (``reference_date``).
"""
from __future__ import annotations

from .engine import Timex, reference_date, tag
from .links import anchored_on, names_a_thing, near_in_sentence, range_end
from .jsonl import run_jsonl

__all__ = ["Timex", "tag", "anchored_on", "names_a_thing", "near_in_sentence", "range_end", "reference_date", "run_jsonl"]
