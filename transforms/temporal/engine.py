"""Temporal expression tagger for news text: TIMEX3 DATE / TIME / DURATION / SET with TimeML values.

Knowledge lives in the TOML files (resources, context, families, rules); the code
that applies it is split by concern:
  tables.py     loads the tables and builds the regex fragments ({MONTH}, {NUM}, ...)
  scanner.py    compiles the rules; finds candidate matches in one left-to-right pass
  normalise.py  the normaliser of each rule kind -> Norm (TimeML type / value / mod / anchor / span),
                one module per family: absolute.py, periods.py, relative.py, clock.py, durations.py
                (common.py: the Norm record, the document state, readers shared by the families)
  dates.py      calendar arithmetic, intervals, the plausible-year rule, choosing the reading of
                underspecified dates
  context.py    tense / direction cues of the clause around an expression
  engine.py     this driver: tag() and the Timex record

Pipeline for one document (linear in its length, no pairwise comparison of matches):
  1. scan       leftmost-first, non-overlapping matches, already sorted (scanner.py)
  2. normalise  each match in document order; relative expressions are resolved against the anchor:
                the DCT when given ("dct"), otherwise the document's latest absolute date
                ("inferred"); "two days later" / "the following month" use the previously
                mentioned date ("previous"); fully specified ones are "absolute"
  3. emit       a Timex with the calendar interval [date_start, date_end] of every DATE/TIME

Direction of underspecified dates ("December 27", "Monday", "June 1", "March"): the tense cue
nearest to the expression in its clause (context.py) picks the coming or the last reading, as long
as that reading stays within ~8 months of the DCT (a year when the cue is right next to the
expression); otherwise, and without a cue, the reading closest to the DCT wins.  Weekdays: the DCT
itself, the day right before/after it whatever the tense, else the tense, else the past week.
Bare clock times ("10 p.m.", "0735 GMT", "noon") sit on the last day-precision date mentioned
("previous"), else on the anchor; "that (same) day" right after a month / year mention is a day
inside it ("1998-10-XX").
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .common import Doc, Norm, reject_number
from .links import CHANGE_GAPS, RANGE_GAP, joins_a_range, link, next_weekday_in_range
from .dates import FIRST_DAY, LAST_DAY, PREC_ORDER, Anchor, fmt_day, interval, narrow, safe_date, shift_value
from .normalise import normalise
from .scanner import scan
from .tables import K, DAY_SHIFTS, REJECT_AFTER, NEXT_WORD, UNITS, alternation, norm

D = _dt.date


@dataclass(frozen=True, slots=True)
class Timex:
    start: int
    end: int
    text: str
    type: str
    value: str
    precision: str | None
    date_start: _dt.date | None
    date_end: _dt.date | None
    anchor: str
    mod: str | None = None
    resolved: str | None = None  # the value of the resolved interval (a DATE / TIME's own value)
    relation: str | None = None  # an anchored duration: "before" | "after" its anchor

    def __post_init__(self):
        if self.resolved is None and self.type in ("DATE", "TIME"):
            object.__setattr__(self, "resolved", self.value)

    @property
    def resolved_type(self) -> str | None:
        """DATE or TIME of the resolved interval (None when there is none)."""
        if self.resolved is None:
            return None
        return "TIME" if "T" in self.resolved else "DATE"


_DAY_SHIFT_RE = re.compile(alternation(DAY_SHIFTS) + r"\s{1,3}$", re.IGNORECASE)
_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day_shift(text: str, s: int, value: str, floor: int):
    """"the day before <date>": (start of the phrase, shifted value) or None."""
    if not _DAY_RE.fullmatch(value):
        return None
    lo = max(floor, s - 24)
    m = _DAY_SHIFT_RE.search(text, lo, s)
    if m is None or (m.start() > 0 and text[m.start() - 1].isalnum()):
        return None
    try:
        d = D.fromisoformat(value) + _dt.timedelta(DAY_SHIFTS[norm(m.group(0))])
    except OverflowError:  # off the end of the calendar
        return None
    return m.start(), fmt_day(d)


_HYPHEN_ADJ = re.compile(K["extent"]["hyphen_adjective"], re.IGNORECASE)
_POSSESSIVE = tuple(K["extent"]["possessive"])


def _emit(text, s, e, r: Norm, out, doc, kind=""):
    # trim whitespace/punctuation at the edges
    while s < e and text[s] in " \t\n,":
        s += 1
    while e > s and text[e - 1] in " \t\n,":
        e -= 1
    for p in _POSSESSIVE:  # "Friday's": the possessive is not part of the timex
        if e - s > len(p) and text[e - len(p):e].lower() == p:
            e -= len(p)
            break
    m = _HYPHEN_ADJ.fullmatch(text, s, e) if kind in ("duration", "quarter") else None
    if m is not None:
        s = m.end("det")  # "the two-week strike", "the third-quarter results": "the" belongs to the noun
    if s >= e:
        return
    typ, mod = r.type, r.mod
    if typ == "DATE" and _QUARTER.fullmatch(r.value):
        r = _fiscal_quarter(r, doc, kind)
    # the document state follows the TIMEX3 value (a fiscal quarter is discussed by its label);
    # the Timex carries the resolved interval (the calendar months of that quarter)
    stated = r.value if typ in ("DATE", "TIME") else r.resolved
    prec, d0, d1 = _interval(stated, mod)
    if d0 is not None and not r.comparison:  # a comparison is not the time the text goes on from
        _note(doc, s, kind, prec, d0, d1)
    resolved = r.resolved or stated
    if resolved != stated:
        prec, d0, d1 = _interval(resolved, mod)
    t = Timex(s, e, text[s:e], typ, r.value, prec, d0, d1, r.anchor, mod, resolved, r.relation)
    if out and t.anchor == "absolute" and prec == "day" and typ == "DATE":
        _range_year(text, out, t)
    elif out and t.anchor == "dct" and kind in ("weekday", "mdy", "dmy") and prec == "day" and out[-1].date_start \
            and t.date_start < out[-1].date_start \
            and (next_weekday_in_range if kind == "weekday" else joins_a_range)(text, out[-1], t):
        # "Monday through Friday": the Friday after that Monday; "Dec 1 - Dec 15": the 15th of that December
        day = safe_date(t.date_start.year + 1, t.date_start.month, t.date_start.day) if kind != "weekday" else \
            t.date_start + _dt.timedelta(7) if t.date_start < _dt.date(9999, 12, 24) else None
        if day is not None and day >= out[-1].date_start:
            t = replace(t, value=fmt_day(day), resolved=fmt_day(day), date_start=day, date_end=day)
    elif out and t.anchor == "dct" and kind == "month" and prec == "month" and out[-1].precision == "month" \
            and out[-1].date_start and t.date_start < out[-1].date_start and t.value == t.resolved \
            and t.date_start.year < 9999 and joins_a_range(text, out[-1], t):
        # "from November to February": in a past reading (the end already past) the November before, else the
        # February after
        if doc.anchor.date is not None and out[-1].date_start.year > 1 \
                and t.date_end < doc.anchor.date <= _dt.date(t.date_end.year + 1, t.date_end.month, 28):
            out[-1] = _month_shifted(out[-1], -1)
        else:
            t = _month_shifted(t, 1)
    out.append(t)


def _month_shifted(t: Timex, years: int) -> Timex:
    """A month's timex moved by ``years``."""
    v = f"{t.date_start.year + years:04d}-{t.date_start.month:02d}"
    _, d0, d1 = _interval(v, None)
    return replace(t, value=v, resolved=v, date_start=d0, date_end=d1)


_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def _fiscal_quarter(r: Norm, doc, kind: str) -> Norm:
    """A quarter named by its fiscal label and resolved to the calendar ("the fiscal first quarter ended Sept. 30":
    1989-Q1, resolved 1989-Q3) sets the document's fiscal shift; the quarters later derived from the one under
    discussion ("the quarter", "a year earlier", "the 1988 period") are resolved with the same shift."""
    if r.resolved and r.resolved != r.value:
        a, b = _QUARTER.fullmatch(r.value), _QUARTER.fullmatch(r.resolved)
        if a and b:
            doc.quarter_shift = (int(b[1]) * 4 + int(b[2])) - (int(a[1]) * 4 + int(a[2]))
    elif not r.resolved and doc.quarter_shift and kind not in _NAMED_QUARTER:
        r = replace(r, resolved=shift_value(interval(r.value)[1], "quarter", doc.quarter_shift))
    return r


_NAMED_QUARTER = frozenset(("quarter", "quarter_code"))  # "the third quarter", "Q3": named, not derived


def _range_year(text: str, out: list, t: Timex) -> None:
    """"from November 20 to November 21, 1991": the day read without a year before a range's second day takes
    that day's year (the year before when its month and day come later: "December 30 to January 2, 1992")."""
    prev = out[-1]
    if prev.type != "DATE" or prev.precision != "day" or prev.anchor not in ("dct", "inferred") \
            or not RANGE_GAP.fullmatch(text, prev.end, t.start):
        return
    a, b = prev.date_start, t.date_start
    d = safe_date(b.year - ((a.month, a.day) > (b.month, b.day)), a.month, a.day)
    if d is not None and d != a:
        v = fmt_day(d)
        out[-1] = replace(prev, value=v, resolved=v, date_start=d, date_end=d, anchor="absolute")


@lru_cache(maxsize=4096)
def _interval(value: str | None, mod: str | None):
    """(precision, first day, last day) of a DATE / TIME value, narrowed by a START / MID / END mod
    (cached: a document repeats its dates)."""
    if value is None:
        return None, None, None
    prec, d0, d1 = interval(value)
    if prec is None and "T" in value:
        prec2, d0, d1 = interval(value.split("T")[0])
        prec = "time" if prec2 == "day" else None
        if prec is None:
            d0 = d1 = None
    if d0 is not None and mod in ("START", "MID", "END"):
        d0, d1 = narrow(d0, d1, mod)
    return prec, d0, d1


def _note(doc, s, kind, prec, d0, d1) -> None:
    """Remember a mentioned date: the previous date, the previous day, the quarter under discussion."""
    if prec == "quarter" and kind in ("quarter", "quarter_code", "the_quarter") \
            and (doc.anchor.date is None or d1 < doc.anchor.date):
        # the quarter under discussion (earnings news) is a completed one: a quarter still
        # running or to come ("a fourth-quarter charge") is not what "the latest quarter" /
        # "a year ago" refer to
        # ... and the latest one mentioned: "after a flat second quarter" in a third-quarter
        # report does not change the quarter under discussion
        if doc.last_quarter is None or d0 >= doc.last_quarter or not doc.quarter_near(s):
            doc.last_quarter = d0
        doc.last_quarter_pos = s
    if prec in ("day", "time"):
        doc.prev = (d0, "day")
        doc.prev_day = d0
        doc.day_left = False
    elif prec in ("month", "year", "quarter", "week", "half", "season"):
        doc.prev = (d0, prec)
        doc.day_left = True


_DAY_NUM = re.compile(K["extent"]["day_number"])
_DAY_OR_UNDATED_DAY = re.compile(r"(?:\d{4}|XXXX)-\d{2}-\d{2}")


_NOT_A_DAY_AFTER = frozenset(REJECT_AFTER) | frozenset(UNITS)   # "May 5 and 6 percent", "June 3 to 25 years"
_FIGURE_VERB = re.compile(K["extent"]["figure_verbs"] + r"[^.;!?\n]*$", re.IGNORECASE)


def _month_day_range(text, s, e, g, doc, out) -> None:
    """"April 24 and 25", "March 3-5, 1999": the first date as an mdy match, the second the same
    month with the other day (unless it is a quantity: "May 5 and 6 percent")."""
    m1 = _DAY_NUM.search(text, s, e)
    m2 = _DAY_NUM.search(text, m1.end(), e)
    r = normalise("mdy", g, s, m1.end(), doc)
    if r is None:
        return
    value = r.value
    _emit(text, s, m1.end(), r, out, doc)
    d1, d2 = int(g["d"]), int(g["d2"])
    nw = NEXT_WORD.match(text, m2.end(), min(len(text), m2.end() + 40))
    if not _DAY_OR_UNDATED_DAY.fullmatch(value) or not d1 < d2 <= 31 \
            or (nw and nw.group(1).lower().rstrip(".,") in _NOT_A_DAY_AFTER):
        return
    if text[m1.end():m2.start()].strip().lower() in CHANGE_GAPS and _FIGURE_VERB.search(text, max(0, s - 60), s):
        return                                       # "the toll rose on June 3 to 27": a figure
    if _DAY_RE.fullmatch(value) and safe_date(int(value[:4]), int(value[5:7]), d2) is None:
        return
    _emit(text, m2.start(), e, replace(r, value=f"{value[:-2]}{d2:02d}"), out, doc)


def _day_month_range(text, s, e, g, doc, out) -> None:
    """"3-5 March 2022", "from 3 to 5 March": the second date as a dmy match, the first its month's other day."""
    m1 = _DAY_NUM.match(text, s)
    m2 = _DAY_NUM.search(text, m1.end(), e)
    r = normalise("dmy", {**g, "d": g["d2"]}, m2.start(), e, doc)
    if r is None or not _DAY_RE.fullmatch(r.value) or not int(g["d"]) < int(g["d2"]) <= 31:
        return
    _emit(text, s, m1.end(), replace(r, value=f"{r.value[:-2]}{int(g['d']):02d}"), out, doc)
    _emit(text, m2.start(), e, r, out, doc)


def _run(text: str, cands, anchor: Anchor) -> list[Timex]:
    doc = Doc(text, anchor)
    out: list[Timex] = []
    for s, e, kind, g in cands:
        if kind == "year_range":
            y1 = int(g["y1"])
            y2s = g["y2"]
            y2 = int(y2s) if len(y2s) == 4 else (y1 // 100) * 100 + int(y2s)
            if not y1 < y2 <= y1 + 100 or reject_number(text, s, e):
                continue
            if len(y2s) == 4:                        # "1975-1990": two years
                _emit(text, s, s + len(g["y1"]), Norm("DATE", f"{y1:04d}"), out, doc)
                _emit(text, e - len(y2s), e, Norm("DATE", f"{y2:04d}"), out, doc)
            else:                                    # "1997-98": one timex, the first year's, ending with the second
                n = len(out)
                _emit(text, s, e, Norm("DATE", f"{y1:04d}"), out, doc)
                if len(out) > n and out[-1].date_end is not None:
                    out[-1] = replace(out[-1], date_end=out[-1].date_end.replace(year=y2))
            continue
        if kind == "era_year" and g.get("y0"):
            # "1354 to 1345 B.C.": two years, the era written once, after the second
            y_at = text.rfind(g["y"], s, e)
            for a, b, y in ((s, s + len(g["y0"]), g["y0"]), (y_at, e, g["y"])):
                r = normalise(kind, {**g, "y": y, "y0": None, "mon": None, "mon1": None}, a, b, doc)
                if r is not None:
                    _emit(text, a, b, r, out, doc, kind)
            continue
        try:
            if kind == "month_day_range":
                _month_day_range(text, s, e, g, doc, out)
                continue
            if kind == "day_month_range":
                _day_month_range(text, s, e, g, doc, out)
                continue
            r = normalise(kind, g, s, e, doc)
        except (ValueError, OverflowError, KeyError, TypeError, IndexError):
            # calendar arithmetic off the end of the calendar (DCT near year 1 or 9999) or an
            # unforeseen table gap: drop this expression, never the document
            r = None
        if r is None:
            continue
        if r.span is not None:
            s, e = r.span
        if kind == "set" and g.get("span"):
            s = s + text[s:e].lower().rfind(g["span"].lower())
        if r.type == "DATE":
            shifted = _day_shift(text, s, r.value, out[-1].end if out else 0)
            if shifted is not None:
                s, r = shifted[0], replace(r, value=shifted[1])
        _emit(text, s, e, r, out, doc, kind)
    link(text, out, anchor)
    return out


def reference_date(timexes) -> Anchor | None:
    """The one rule for the date a document speaks from when no publication date is known: the latest
    absolute date it writes out to the day (or time); without one, the latest absolute week, month,
    quarter, ... or year. Only dates a timeline holds count ([FIRST_DAY, LAST_DAY]: "AD 800" or "2150"
    is not when the text was written). The tagger anchors relative dates on it; the pipeline takes it as
    the inferred publication date when it is a day (a publication date is a day)."""
    best_day = best_other = None
    for t in timexes:
        if (t.anchor != "absolute" or t.type not in ("DATE", "TIME") or t.date_start is None
                or PREC_ORDER.get(t.precision, 99) > PREC_ORDER["year"] or not FIRST_DAY <= t.date_start <= LAST_DAY):
            continue
        if t.precision in ("day", "time"):
            best_day = t if best_day is None or t.date_start > best_day.date_start else best_day
        elif best_other is None or t.date_start > best_other.date_start:
            best_other = t
    best = best_day or best_other
    if best is None:
        return None
    return Anchor(best.date_start, "day" if best.precision == "time" else best.precision, "inferred")


def tag(text: str, dct: _dt.date | None = None) -> list[Timex]:
    """The TIMEX3 expressions of ``text``, resolved against ``dct`` or, without one, against the text's
    own ``reference_date``."""
    if not text:
        return []
    if dct is not None:  # the candidates streamed into one pass
        return _run(text, scan(text), Anchor(dct, "day", "dct"))
    # no DCT: absolute dates first, then anchor relative ones on the text's reference date
    cands = list(scan(text))
    first = _run(text, cands, Anchor(None, "day", "inferred"))
    anchor = reference_date(first)
    if anchor is None:
        return first
    del first  # not held through the second pass
    return _run(text, cands, anchor)
