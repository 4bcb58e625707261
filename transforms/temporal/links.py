"""How the tagger's expressions relate to each other once a text is read: the two ends of a range ("December
1-15", "from May to July"), a duration counted from a written day ("two days before Christmas") or from the
publication date ("takes effect in two weeks"), and clock times that take the day named right after them
("at 10:00 am (0700 GMT) on Monday"). Word lists in families.toml [extent]."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .context import tense
from .dates import Anchor, add_months, fmt_day, interval, shift_value
from .tables import K

if TYPE_CHECKING:
    from .engine import Timex


def link(text: str, out: list, anchor: Anchor) -> None:
    """The relations above, resolved in place on the text's expressions ``out`` (in text order)."""
    _count_from_dates(text, out)
    _count_from_now(text, out, anchor)
    _times_on_the_day_after(text, out)


RANGE_GAP = re.compile(K["extent"]["range_gap"], re.IGNORECASE)
_RANGE_OPENERS = K["extent"]["range_openers"]
_RANGE_MOVES = re.compile(K["extent"]["range_moves"], re.IGNORECASE)
_PERIOD_TO = re.compile(K["extent"]["period_to"], re.IGNORECASE)
CHANGE_GAPS, _LIST_GAP = frozenset(K["extent"]["range_change_gaps"]), K["extent"]["list_gap"]
_SENTENCE_END = re.compile(r".*[.;!?\n]\s", re.DOTALL)
_DATE_ANCHOR_GAP = re.compile(K["extent"]["date_anchor_gap"], re.IGNORECASE)
_DATE_ANCHOR_BEFORE = frozenset(K["extent"]["date_anchor_before"])
_DAYS_OF = {"D": 1, "W": 7}
_MONTHS_OF = {"M": 1, "Y": 12}
_COUNTABLE = re.compile(r"P(\d{1,3})([DWMY])")
_WEEKDAYS_ONLY = re.compile(r"\b(?:" + "|".join(K["extent"]["weekdays_only"]) + r")\b", re.IGNORECASE)


def anchored_on(text: str, d: Timex, t: Timex) -> str | None:
    """"before" / "after" when the duration ``d`` is counted from the written day ``t`` that follows it ("two
    days before Christmas", "a week after March 3", "three months after Oct. 12"), else None."""
    if d.type != "DURATION" or t.type != "DATE" or t.precision != "day" or t.anchor == "previous":
        return None
    m = _DATE_ANCHOR_GAP.fullmatch(text, d.end, t.start)
    if m is None or not _COUNTABLE.fullmatch(d.value):
        return None
    return "before" if " ".join(m.group("rel").lower().split()) in _DATE_ANCHOR_BEFORE else "after"


_HOLIDAY_NAMES = frozenset(k for k in K["holidays"] if " " not in k)
_HOLIDAY_THINGS = frozenset(K["extent"]["holiday_things"])
_NEXT_WORD = re.compile(r"[ \t]+([a-z][a-z'-]*)")


def names_a_thing(text: str, t: Timex) -> bool:
    """Is ``t`` a holiday's name used for a kind of thing ("Christmas commodities", "Easter eggs"), not a day?"""
    if t.text.lower() not in _HOLIDAY_NAMES:
        return False
    m = _NEXT_WORD.match(text, t.end)
    return m is not None and m.group(1) in _HOLIDAY_THINGS


_FUTURE_IN = re.compile(K["extent"]["future_in"], re.IGNORECASE)
_GRANULE = {"D": "day", "W": "week", "M": "month", "Y": "year"}


def _count_from_now(text: str, out: list, anchor: Anchor) -> None:
    """"The law takes effect in two weeks": a duration after "in" in a future clause resolves to the day, week,
    month or year it points to from the publication date (the TIMEX3 stays the DURATION)."""
    if anchor.date is None or anchor.prec != "day":
        return
    for i, d in enumerate(out):
        m = _COUNTABLE.fullmatch(d.value) if d.type == "DURATION" and d.resolved is None else None
        if m and _FUTURE_IN.search(text, max(0, d.start - 30), d.start) and tense(text, d.start, d.end) == "future":
            try:
                value = shift_value(anchor.date, _GRANULE[m.group(2)], int(m.group(1)))
                prec, d0, d1 = interval(value)
            except (OverflowError, ValueError):     # past the calendar's end (a DCT in 9999)
                continue
            out[i] = replace(d, resolved=value, date_start=d0, date_end=d1, precision=prec, anchor=anchor.kind,
                             relation="after")


_SHORT_GAP = re.compile(r"(?:[^.;!?\n]|\.(?!\s+[A-Z\"“]))*")  # "p.m. on" is one sentence, ". On" is not


def near_in_sentence(text: str, end: int, start: int) -> bool:
    """Is ``text[end:start]`` a short stretch (at most 40 characters) of one sentence?"""
    return 0 <= start - end <= 40 and _SHORT_GAP.fullmatch(text, end, start) is not None


def _times_on_the_day_after(text: str, out: list) -> None:
    """"turned off at 10:00 am in Moscow (0700 GMT) on Monday": clock times right before a day take that day."""
    for j in range(len(out) - 1, 0, -1):
        day = out[j]
        if day.type != "DATE" or day.precision != "day" or day.date_start is None:
            continue
        k = j - 1
        while k >= 0 and out[k].type == "TIME" and out[k].precision == "time" and out[k].anchor != "absolute" \
                and near_in_sentence(text, out[k].end, out[k + 1].start) and "T" in out[k].value:
            t = out[k]
            if t.date_start != day.date_start:
                v = fmt_day(day.date_start) + t.value[t.value.index("T"):]
                out[k] = replace(t, value=v, resolved=v, date_start=day.date_start, date_end=day.date_start,
                                 anchor=day.anchor)
            k -= 1


def _count_from_dates(text: str, out: list) -> None:
    """The durations counted from a written day resolve to their own day ("two days before Christmas": Dec 23;
    "three months after Oct. 12": Jan. 12, or the month's last day where it has no such day)."""
    for i in range(len(out) - 1):
        d, t = out[i], out[i + 1]
        relation = anchored_on(text, d, t)
        if relation is None:
            continue
        unit, step = d.value[-1], -1 if relation == "before" else 1
        n = int(d.value[1:-1])
        try:  # off the end of the calendar ("two days before Jan. 1, AD 1"): the duration stays unresolved
            if unit in _MONTHS_OF:
                day = add_months(t.date_start, step * n * _MONTHS_OF[unit])
                n = 0
            else:
                n *= _DAYS_OF[unit]
                day = t.date_start + _dt.timedelta(step * n)
            if unit == "D" and _WEEKDAYS_ONLY.search(d.text):   # "eight trading days after"
                day = t.date_start
                while n:
                    day += _dt.timedelta(step)
                    n -= day.isoweekday() < 6
        except (OverflowError, ValueError):
            continue
        out[i] = replace(d, resolved=fmt_day(day), date_start=day, date_end=day, precision="day",
                         anchor=t.anchor, relation=relation)


def range_end(text: str, a: Timex, b: Timex) -> bool:
    """Does ``b`` end a range that ``a`` begins ("December 1-15", "from May to July", "between 1975 and 1980",
    "Monday through Friday")? Both dates or times, ``b`` not before ``a``."""
    return a.date_start is not None and b.date_start is not None and a.type in ("DATE", "TIME") \
        and b.type in ("DATE", "TIME") and b.date_start >= a.date_start and b.date_end >= a.date_end \
        and joins_a_range(text, a, b)


def joins_a_range(text: str, a: Timex, b: Timex) -> bool:
    """Do the words between ``a`` and ``b`` make them a range's ends ("-", "to", "through"; "and" after
    "between")? Not a change of date ("moved the vote from Monday to Wednesday": two days), nor a period
    counted up to a date ("the year to March 1998")."""
    m = RANGE_GAP.fullmatch(text, a.end, b.start)
    if m is None:
        return False
    gap = m.group().strip().lower()
    before = text[max(0, a.start - 80):a.start]
    if gap in CHANGE_GAPS:
        cut = _SENTENCE_END.match(before)
        if _RANGE_MOVES.search(before, cut.end() if cut else 0) or _PERIOD_TO.fullmatch(a.text):
            return False
    opener = _RANGE_OPENERS.get(gap)
    return opener is None or before.rstrip().lower().endswith(opener)


def next_weekday_in_range(text: str, a: Timex, b: Timex) -> bool:
    """Is the weekday ``b``, read before the weekday ``a``, the one after it: the end of a range ("Monday to
    Wednesday", "adjourned Monday until Wednesday"), or the next day in a list ("on Friday and Saturday")?"""
    m = RANGE_GAP.fullmatch(text, a.end, b.start)
    if m is None:
        return False
    return m.group().strip().lower() != _LIST_GAP or (b.date_start - a.date_start).days == -6
