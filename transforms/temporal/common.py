"""What every family of normalisers shares: the result record (Norm), the document state (Doc)
and readers for the parts of a match (numbers, units, months, weekdays, modifiers)."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from .context import tense
from .dates import Anchor, safe_date
from .tables import APPROX_AFTER, APPROX_POINT, K, MODIFIERS, MONTHS, NEXT_WORD, NUMBERS, REJECT_AFTER, REJECT_BEFORE, STREET, UNITS, VAGUE, WEEKDAYS, norm, \
    prev_word

D = _dt.date


@dataclass(frozen=True, slots=True)
class Norm:
    """What a normaliser makes of a match: the TIMEX3 (type, value, mod), how it was anchored
    ("absolute", "dct", "inferred", "previous"), when the TIMEX3 covers only part of the match its
    span, and for a duration anchored by a relation word the date it resolves to."""
    type: str
    value: str
    mod: str | None = None
    anchor: str = "absolute"
    span: tuple[int, int] | None = None
    resolved: str | None = None  # an anchored DURATION ("three weeks later"): the date it points to
    relation: str | None = None  # ... and on which side of its anchor: "before" | "after"
    comparison: bool = False  # "from a year earlier", "the year-ago quarter": not the time the text goes on from


class Doc:
    """The state of one document while its matches are normalised left to right."""

    def __init__(self, text: str, anchor: Anchor):
        self.text = text
        self.anchor = anchor
        self.prev: tuple[D, str] | None = None  # last mentioned date (first day, precision)
        self.prev_day: D | None = None  # last mentioned day-precision date (clock times anchor on it)
        self.day_left = False  # a coarser date was mentioned after prev_day: the text has moved on from that day
        self.last_quarter: D | None = None  # first day of the last mentioned quarter
        self.last_quarter_pos = -10**9  # where it was mentioned
        self.quarter_shift = 0  # quarters from a fiscal label to the calendar quarter (engine._fiscal_quarter)

    def quarter_near(self, pos: int, window: int = 1500) -> bool:
        """Is a quarter under discussion (mentioned within `window` characters before pos)?"""
        return self.last_quarter is not None and pos - self.last_quarter_pos <= window

    def prev_anchor(self, unit: str) -> tuple[Anchor, str]:
        """The previously mentioned date as the anchor when it is precise enough for `unit`, else
        the document anchor (DCT / inferred)."""
        if self.prev is not None:
            a = Anchor(self.prev[0], self.prev[1], "previous")
            if a.ok(unit):
                return a, "previous"
        return self.anchor, self.anchor.kind

    def day_discussed(self, s: int, e: int) -> D | None:
        """The day a clock time or part of day at text[s:e] without a date of its own is on: the last day
        mentioned, unless the text has moved on to another period since and the clause is not in the past
        tense ("... since 1997. The first test comes at 1200 GMT" is today); None: the anchor's day."""
        if self.prev_day is None or self.day_left and tense(self.text, s, e) != "past":
            return None
        return self.prev_day

    def coarse_day(self) -> str | None:
        """"that (same) day" right after a coarser mention ("last October ... that same day"): a
        day inside that month / year, unknown which."""
        if self.prev is None:
            return None
        d, p = self.prev
        if p == "month":
            return f"{d.year:04d}-{d.month:02d}-XX"
        if p == "year":
            return f"{d.year:04d}-XX-XX"
        return None


def number(s: str | None) -> float | None:
    """The value of a number in words ("three", "twenty five", "a couple of")."""
    if not s:
        return None
    s = norm(s).replace("-", " ")
    if s in NUMBERS:
        return NUMBERS[s]
    parts = s.split()
    if len(parts) == 2 and parts[0] in NUMBERS and parts[1] in NUMBERS:
        return NUMBERS[parts[0]] + NUMBERS[parts[1]]
    return None


def digits(s: str) -> float | None:
    """The value of a number in digits ("3", "2.5", "2 1/2")."""
    s = s.strip()
    if " 1/2" in s:
        return float(s.split()[0]) + 0.5
    try:
        return float(s)
    except ValueError:
        return None


def unit(s: str):
    """[TimeML letter, is a time-of-day unit, granularity] of a unit word, or None."""
    return UNITS.get(norm(s))


def cap(s: str) -> bool:
    return s[:1].isupper()


def year2(s: str) -> int:
    """A year written with 2 or 4 digits ('87 -> 1987, 05 -> 2005)."""
    y = int(s)
    if len(s) == 2:
        y += 1900 if y >= 50 else 2000
    return y


def month_of(s: str) -> int | None:
    return MONTHS.get(norm(s))


def weekday_of(s: str) -> int | None:
    """ISO weekday of a weekday name, singular or plural ("Fridays")."""
    return WEEKDAYS.get(norm(s).rstrip("s")) or WEEKDAYS.get(norm(s))


def mod_of(g: dict) -> str | None:
    """TimeML mod of the `mod` group ("early" -> START), of an `orso` group ("the next year or so")
    or of the `approx` group of a point in time ("around Nov. 1") -> APPROX."""
    if g.get("mod"):
        return MODIFIERS.get(norm(g["mod"]))
    if g.get("orso"):
        return APPROX_AFTER.get(norm(g["orso"]))
    return APPROX_POINT.get(norm(g["approx"])) if g.get("approx") else None


def words(table: str, key: str) -> frozenset[str]:
    """A word list of the knowledge files as a set."""
    return frozenset(K[table][key])


_DIGIT_RUN_AFTER = re.compile(r"[\s-]{1,2}\d")
_DIGIT_RUN_BEFORE = re.compile(r"\d[\s-]{1,2}$")


def reject_number(text: str, s: int, e: int) -> bool:
    """A bare number that is a quantity / address / code rather than a year."""
    nm = NEXT_WORD.match(text, e, min(len(text), e + 40))
    if nm:
        w = nm.group(1).lower().rstrip(".,")
        if w in REJECT_AFTER:
            return True
        if w and w[0].isalpha() and nm.group(1)[0].isupper():
            # "2231 Royal Street": number + Capitalised word + street word
            nm2 = NEXT_WORD.match(text, nm.end(), min(len(text), nm.end() + 40))
            if nm2 and (nm2.group(1).lower() in STREET or nm2.group(1).lower().rstrip(".,;:") in STREET):
                return True
        if w in STREET:
            return True
    pw = prev_word(text, s)
    if pw and (pw in REJECT_BEFORE or pw[-1:] in "$€£¥#"):
        return True
    # code: foo(2019), y[2020]
    if s >= 2 and text[s - 1] in "([" and text[s - 2].isalnum():
        return True
    # a number inside a digit run / phone / code line such as "555 2010 1234"
    return bool(_DIGIT_RUN_AFTER.match(text[e:e + 3]) or _DIGIT_RUN_BEFORE.search(text[max(0, s - 3):s]))


def day_reading(d: D | None):
    """A day as a reading for choose_year: (d, d, d), or None."""
    return (d, d, d) if d else None


def day_or_none(y: int, mo: int, day: int):
    """The reading of day `day` of month `mo` in year y, or None when it does not exist."""
    return day_reading(safe_date(y, mo, day))


_SY = K["spelled_year"]


def spelled_year(phrase: str) -> int | None:
    """The year a phrase matched by {SPELLEDYEAR} names: "nineteen ninety-six" -> 1996, "eighteen hundred"
    -> 1800, "two thousand and one" -> 2001; None for what is no year ("nineteen one hundred")."""
    ws = norm(phrase).replace("-", " ").split()
    if ws[:2] == _SY["thousand"]:
        rest = [w for w in ws[2:] if w != _SY["and"]]
        return 2000 + (int(number(" ".join(rest)) or 0) if rest else 0)
    hi = NUMBERS.get(ws[0])
    rest = ws[1:]
    lo = 0 if rest == [_SY["hundred"]] else (number(" ".join(rest[:2])) if rest else None)
    if hi is None or lo is None or lo >= 100:
        return None
    return hi * 100 + int(lo)


_NOUN_FOLLOWERS = frozenset(K["word_ref"]["noun_followers"])
_NOUN_AFTER = frozenset(K["word_ref"]["noun_after"])
_PAST_VERBS, _PAST_SUFFIX = frozenset(K["cues"]["past"]), K["cues"]["past_suffix"]
_WORD_AFTER = re.compile(r"(?: {1,3}|-(?=[a-z]))(\w+)")  # the next word, or the rest of a compound ("the past-due")


def attributive(text: str, s: int, e: int) -> bool:
    """"the past three presidents", "the future king": the expression text[s:e] modifies the next word (after
    "in" only a number does: "may in the future lead to"; families.toml [word_ref])."""
    m = _WORD_AFTER.match(text, e)
    if m is None or m.group(1)[:1].isupper():
        return False
    w = norm(m.group(1))
    if prev_word(text, s) in _NOUN_AFTER:
        return w[0].isdigit() or w in NUMBERS or w in VAGUE
    return w not in _NOUN_FOLLOWERS and not w.endswith(_PAST_SUFFIX) and w not in _PAST_VERBS
