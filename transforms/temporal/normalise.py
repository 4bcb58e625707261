"""The normalisers, one module per family of expressions, gathered by rule kind.

Every rule of rules.toml names a `kind`; the normaliser of that kind turns the named groups of
a match into a Norm (TimeML type, value, mod, how it was anchored, the span when the TIMEX3 is
only part of the match) or None to drop the match:
  absolute.py   calendar dates, months, years, decades, centuries, holidays
  periods.py    quarters and halves, fiscal years, seasons
  relative.py   relation words + units ("last week"), weekdays, "ago" / "later", fixed words
  clock.py      clock times
  durations.py  durations and sets
"""
from __future__ import annotations

from . import absolute, clock, durations, periods, relative
from .common import Doc, Norm

NORMALISERS = {**absolute.NORMALISERS, **periods.NORMALISERS, **relative.NORMALISERS, **clock.NORMALISERS,
               **durations.NORMALISERS}


def normalise(kind: str, g: dict, s: int, e: int, doc: Doc) -> Norm | None:
    return NORMALISERS[kind](kind, g, s, e, doc)
