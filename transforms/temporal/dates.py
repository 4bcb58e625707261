"""Calendar arithmetic: TimeML values <-> intervals, shifting periods, holidays, and choosing the
reading of an underspecified date (year of "June 1", day of "Monday") relative to the anchor."""
from __future__ import annotations

import calendar
import datetime as _dt
import re

from .tables import K

D = _dt.date

# The one rule for plausible years: a year the tagger reads from a text or resolves a date into
# must lie in [FIRST_YEAR, LAST_YEAR] (news cites history back to the Middle Ages and plans a
# century or two ahead; outside that a "year" is a number, a code or the end of the calendar).
# A year whose era is written ("44 BC", "AD 800", "the year 650") is a year whatever its size:
# it may go back to FIRST_MARKED_YEAR.  Years are astronomical (1 BC = 0, 44 BC = -43).
FIRST_YEAR, LAST_YEAR = 1000, 2200
FIRST_MARKED_YEAR = -9998  # 9999 BC: TimeML writes BC years in four digits


def plausible_year(y: int, marked: bool = False) -> bool:
    return (FIRST_MARKED_YEAR if marked else FIRST_YEAR) <= y <= LAST_YEAR


# The days a timeline holds (event dates, publication dates; the lake's schema and the validation
# suites take them from here). Narrower than the years the tagger reads: "the year 2150" is read as a
# year, so it is flagged on its own row downstream instead of being misread as a number.
FIRST_DAY, LAST_DAY = D(1000, 1, 1), D(2100, 12, 31)


def fmt_year(y: int) -> str:
    """The TimeML value of an astronomical year: 1999 -> "1999", 800 -> "0800", -43 -> "BC0044"."""
    return f"{y:04d}" if y > 0 else f"BC{1 - y:04d}"


# the value of a period of each unit when no anchor says which one ("the quarter" in an undated text)
UNKNOWN_VALUE = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX", "year": "XXXX"}
PREC_ORDER = {"time": 0, "day": 1, "week": 2, "month": 3, "season": 4, "quarter": 4, "half": 5, "year": 6, "decade": 7, "century": 8}
SEASON_MONTHS = K["season_months"]


def safe_date(y: int, m: int, d: int) -> D | None:
    """The date, or None when it does not exist or its year is not plausible."""
    if not plausible_year(y):
        return None
    try:
        return D(y, m, d)
    except ValueError:
        return None


def month_end(y: int, m: int) -> D:
    return D(y, m, calendar.monthrange(y, m)[1])


_IV_RE = re.compile(
    r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})(?:-(?P<d>\d{2})(?P<t>T.*)?)?|W(?P<w>\d{2})(?P<we>-WE)?|Q(?P<q>[1-4])|H(?P<h>[12])|(?P<s>SP|SU|FA|WI)))?$"
    r"|^(?P<dec>\d{3})$|^(?P<cen>\d{2})$"
)


def interval(value: str) -> tuple[str | None, D | None, D | None]:
    """(precision, first day, last day) of a TimeML DATE/TIME value."""
    m = _IV_RE.match(value)
    if not m:
        return None, None, None
    try:
        if m["dec"]:
            y = int(m["dec"]) * 10
            return "decade", D(max(y, 1), 1, 1), D(y + 9, 12, 31)
        if m["cen"]:
            y = int(m["cen"]) * 100
            return "century", D(max(y, 1), 1, 1), D(y + 99, 12, 31)
        y = int(m["y"])
        if m["d"]:
            d = D(y, int(m["m"]), int(m["d"]))
            return ("time" if m["t"] else "day"), d, d
        if m["m"]:
            mo = int(m["m"])
            return "month", D(y, mo, 1), month_end(y, mo)
        if m["w"]:
            mon = D.fromisocalendar(y, int(m["w"]), 1)
            if m["we"]:
                return "week", mon + _dt.timedelta(5), mon + _dt.timedelta(6)
            return "week", mon, mon + _dt.timedelta(6)
        if m["q"]:
            q = int(m["q"])
            return "quarter", D(y, 3 * q - 2, 1), month_end(y, 3 * q)
        if m["h"]:
            h = int(m["h"])
            return "half", D(y, 6 * h - 5, 1), month_end(y, 6 * h)
        if m["s"]:
            a, b = SEASON_MONTHS[m["s"]]
            return "season", D(y, a, 1), month_end(y + (1 if b < a else 0), b)
        return "year", D(y, 1, 1), D(y, 12, 31)
    except (ValueError, OverflowError):
        return None, None, None


def narrow(iv0: D, iv1: D, mod: str | None) -> tuple[D, D]:
    if mod not in ("START", "MID", "END"):
        return iv0, iv1
    n = (iv1 - iv0).days + 1
    if n < 3:
        return iv0, iv1
    third = n // 3
    if mod == "START":
        return iv0, iv0 + _dt.timedelta(third - 1)
    if mod == "MID":
        return iv0 + _dt.timedelta(third), iv1 - _dt.timedelta(third)
    return iv1 - _dt.timedelta(third - 1), iv1


def fmt_day(d: D) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def fmt_week(d: D) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def add_months(d: D, n: int) -> D:
    k = d.year * 12 + d.month - 1 + n
    y, m = divmod(k, 12)
    return D(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def shift_value(d: D, unit: str, n: int) -> str:
    """The value of the `unit`-sized period that lies n units from the one containing d. A year before 1 AD
    is written BC ("5000 years ago" in 2021 -> BC2980); a period TimeML cannot write (after 9999, a decade
    or century before the first) raises ValueError: the caller drops the expression."""
    if unit == "day":
        return fmt_day(d + _dt.timedelta(n))
    if unit == "week":
        return fmt_week(d + _dt.timedelta(7 * n))
    if unit == "month":
        x = add_months(D(d.year, d.month, 1), n)
        return f"{x.year:04d}-{x.month:02d}"
    if unit == "year":
        return fmt_year(_in_range(d.year + n, FIRST_MARKED_YEAR, 9999))
    if unit == "quarter":
        k = d.year * 4 + (d.month - 1) // 3 + n
        return f"{_in_range(k // 4, 1, 9999):04d}-Q{k % 4 + 1}"
    if unit == "half":
        k = d.year * 2 + (d.month - 1) // 6 + n
        return f"{_in_range(k // 2, 1, 9999):04d}-H{k % 2 + 1}"
    if unit == "decade":
        return f"{_in_range(d.year // 10 + n, 1, 999):03d}"
    if unit == "century":
        return f"{_in_range(d.year // 100 + n, 1, 99):02d}"
    return fmt_day(d)


def _in_range(k: int, lo: int, hi: int) -> int:
    if not lo <= k <= hi:
        raise ValueError(f"{k} is outside {lo}..{hi}: no TimeML value")
    return k


def easter(y: int) -> D:
    a = y % 19
    b, c = divmod(y, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = (h + l - 7 * m + 114) % 31 + 1
    return D(y, month, day)


def holiday_date(spec: str, y: int) -> D | None:
    try:
        if spec == "election":
            d = D(y, 11, 2)
            return d + _dt.timedelta((2 - d.isoweekday()) % 7)
        if spec.startswith("easter:"):
            return easter(y) + _dt.timedelta(int(spec.split(":")[1]))
        if spec.startswith("nth:"):
            _, n, wd, mo = spec.split(":")
            n, wd, mo = int(n), int(wd), int(mo)
            if n > 0:
                first = D(y, mo, 1)
                return first + _dt.timedelta((wd - first.isoweekday()) % 7 + 7 * (n - 1))
            last = month_end(y, mo)
            return last - _dt.timedelta((last.isoweekday() - wd) % 7)
        mo, da = spec.split("-")
        return D(y, int(mo), int(da))
    except ValueError:
        return None


class Anchor:
    __slots__ = ("date", "prec", "kind")

    def __init__(self, date: D | None, prec: str, kind: str):
        self.date, self.prec, self.kind = date, prec, kind

    def ok(self, unit: str) -> bool:
        """Can a shift in `unit` steps be computed from this anchor?"""
        return self.date is not None and PREC_ORDER.get(self.prec, 9) <= PREC_ORDER.get(unit, 9)


def _distance(d: D, a: D, b: D) -> int:
    if a <= d <= b:
        return 0
    return min(abs((a - d).days), abs((b - d).days))


def choose_year(make, dct: D, direction: str | None, years=None, limit: int = 300):
    """Pick the year y for which make(y) -> (value, start, end) is the right reading relative to dct:
    the reading in the tense direction when it lies within `limit` days of the DCT, otherwise the
    reading closest to the DCT."""
    cands = []
    for y in years or (dct.year - 1, dct.year, dct.year + 1):
        if not plausible_year(y):
            continue
        try:
            r = make(y)
        except (ValueError, OverflowError):
            continue
        if r is not None and r[1] is not None:
            cands.append(r)
    if not cands:
        return None
    nearest = min(cands, key=lambda c: (_distance(dct, c[1], c[2]), -c[1].toordinal()))
    pick = None
    if direction == "future":
        fut = [c for c in cands if c[2] >= dct]
        if fut:
            pick = min(fut, key=lambda c: c[1])
    elif direction == "past":
        past = [c for c in cands if c[1] <= dct]
        if past:
            pick = max(past, key=lambda c: c[1])
    if pick is not None and _distance(dct, pick[1], pick[2]) <= limit:
        return pick
    return nearest


def weekday_date(dd: D, wd: int, direction: str | None, dist: int = 99) -> D:
    """The date of ISO weekday wd near dd: the DCT's own day if it is that weekday; the day right
    before or after the DCT whatever the tense (on the dev corpora a "Thursday" in a Wednesday
    paper is tomorrow even in "the court ruled Thursday" clauses: news is written for the next
    day's paper); otherwise the coming one for future clauses, the last one for past clauses, and
    without a cue the nearer one with a bias to the past (news reports mostly what happened).
    `dist` (words to the cue) is accepted for symmetry with the other resolvers."""
    delta = wd - dd.isoweekday()
    if delta == 0:
        return dd
    fut = delta if delta > 0 else delta + 7
    past = delta if delta < 0 else delta - 7
    if fut == 1 or past == -1:
        return dd + _dt.timedelta(1 if fut == 1 else -1)
    if direction == "future":
        return dd + _dt.timedelta(fut)
    if direction == "past":
        return dd + _dt.timedelta(past)
    return dd + _dt.timedelta(fut if fut + 1 < -past and fut <= 2 else past)
