"""Calendar dates and the periods named by the calendar: "2021-03-05", "3/5/99", "March 5",
"5 March 1999", "March 1999", "March", "the first week of March", "1999", "nineteen ninety-six",
"the 1990s", "the 20th century", "Christmas"."""
from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import replace

from .common import Norm, cap, day_or_none, day_reading, mod_of, month_of, reject_number, spelled_year, weekday_of, words, year2
from .context import limit, tense, tense_cue
from .dates import (PREC_ORDER, choose_year, fmt_day, fmt_week, fmt_year, holiday_date, interval, month_end, plausible_year,
                    safe_date)
from .tables import CENTWORDS, DECWORDS, HOLIDAYS, K, LAST_ORDINALS, MONTHS, ORDINALS, SEASONS, SHORT_WHOLE, WEEKDAYS, norm, prev_word, sentence_initial

D = _dt.date
_REL = K["relation"]
_DAY_DIRECTION = _REL["day_direction"]
_AMBIGUOUS = words("ambiguous_months", "words")
_AMBIGUOUS_AFTER = words("ambiguous_months", "after")
_LOWER_NEXT = words("ambiguous_months", "needs_lowercase_next")
_LOWER_WORD_NEXT = re.compile(r"\s{1,3}[a-z]")
_SY = K["spelled_year"]
_SY_AFTER = frozenset(_SY["after"])
_SY_THOUSAND = " ".join(_SY["thousand"])
_SHORT_YEAR_AFTER = words("short_year", "after")
_CONTRACT_BEFORE = re.compile(r"\s{1,3}(?:%s)\b" % "|".join(K["contract_month"]["before"]), re.I)
_CONTRACT_AFTER = re.compile(r"\b(?:%s)\s{1,3}$" % "|".join(w.replace(" ", r"\s{1,3}") for w in K["contract_month"]["after"]), re.I)
_YEAR_NAME_OK = words("year_in_name", "allowed_before") | frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset(SEASONS)
_CAP_WORD_BEFORE = re.compile(r"([A-Z][\w&-]*)[ \t]{1,2}$")  # not a possessive: "Mixte's 1989 profit"
_ERA_BC = K["era"]["after"]
_MONTH_EARLY_YEAR = re.compile(K["era"]["month_then_year"])
_DAY_EARLY_YEAR = re.compile(K["era"]["day_then_year"])


def n_iso(kind, g, s, e, doc):
    """Rule kinds iso, ymd, compact: 2021-03-05, 2021/03/05, 20210305, 2021-03-05T10:30."""
    d = safe_date(int(g["y"]), int(g.get("m") or g["m2"]), int(g.get("d") or g["d2"]))
    if d is None:
        return None
    if g.get("H") is not None:
        H, M = int(g["H"]), int(g["M"])
        if H > 24 or M > 59:
            return None
        return Norm("TIME", f"{fmt_day(d)}T{H:02d}:{M:02d}")
    return Norm("DATE", fmt_day(d))


def n_iso_week(kind, g, s, e, doc):
    """Rule kinds iso_week, week_number: "2022-W10", "week 10 of 2022" (an ISO week the year has)."""
    value = f"{int(g['y']):04d}-W{int(g['w']):02d}"
    return Norm("DATE", value) if int(g["w"]) and interval(value)[0] == "week" else None


def n_day_ordinal(kind, g, s, e, doc):
    """Rule kind day_ordinal: "on the 15th", the day of the month under way, a month earlier or later when the
    clause's tense puts it there ("was signed on the 28th" in a June 15 article: May 28)."""
    A, day = doc.anchor, int(g["d"])
    if A.date is None or not A.ok("day"):
        return Norm("DATE", f"XXXX-XX-{day:02d}", None, A.kind)
    step = {"past": -(day > A.date.day), "future": int(day < A.date.day)}.get(tense(doc.text, s, e), 0)
    months = A.date.year * 12 + A.date.month - 1 + step
    d = safe_date(months // 12, months % 12 + 1, day)
    return Norm("DATE", fmt_day(d), None, A.kind) if d is not None else None


def n_slash(kind, g, s, e, doc):
    """Rule kind slash: 3/5/1999 (M/D/Y unless the first number is over 12), 5.3.1999 (D.M.Y)."""
    a, b, y = int(g["a"]), int(g["b"]), year2(g["y"])
    if g["sep"] == ".":
        a, b = b, a  # European D.M.Y
    m_, d_ = (a, b) if a <= 12 else (b, a)
    d = safe_date(y, m_, d_)
    return Norm("DATE", fmt_day(d)) if d is not None else None


def n_mdy(kind, g, s, e, doc):
    """Rule kinds mdy, dmy, rel_mdy, week_of: a day of a month, with or without its year."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = mod_of(g)
    if not cap(g["mon"]):
        return None
    mo = month_of(g["mon"])
    day = int(g["d"])
    if not 1 <= day <= 31:
        return None
    fmt = fmt_week if kind == "week_of" else fmt_day
    if not g.get("y") and _DAY_EARLY_YEAR.match(text, e):
        return None  # "on June 5, 650.": an early year without its era
    year_kind = "absolute"
    if g.get("rel") and A.date is not None and A.ok("year"):  # "Nov. 13 last year": the year counted from the anchor
        g, year_kind = {**g, "y": str(A.date.year + _REL["offsets"].get(norm(g["rel"]), 0))}, akind
    if g.get("y"):
        y = int(g["y"])
        if not plausible_year(y):
            return None
        d = safe_date(y, mo, day)
        if d is None:
            # impossible day ("31 February 2022"): keep only the month
            return Norm("DATE", f"{y:04d}-{mo:02d}", mod, year_kind)
        return Norm("DATE", fmt(d), mod, year_kind)
    if calendar.monthrange(2000, mo)[1] < day:
        return None
    if A.date is None:
        return Norm("DATE", f"XXXX-{mo:02d}-{day:02d}", mod, akind)
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        # coarse anchor: the same year, unless a tense cue points past the anchor month
        # ("November 2023 ... a sale is due to start on June 1" -> the coming June 1)
        d = safe_date(A.date.year, mo, day)
        if d is None:
            return None
        if A.prec == "month" and kind != "rel_mdy":
            direction = tense_cue(text, s, e)[0]
            if direction == "future" and d < A.date:
                d = safe_date(A.date.year + 1, mo, day) or d
            elif direction == "past" and d > month_end(A.date.year, A.date.month):
                d = safe_date(A.date.year - 1, mo, day) or d
        return Norm("DATE", fmt(d), mod, akind)
    if kind == "rel_mdy":
        direction, dist = _DAY_DIRECTION.get(norm(g["rel"])), 0
    else:
        direction, dist = tense_cue(text, s, e)
    years = None
    wd = weekday_of(g["wd"]) if g.get("wd") else None
    if wd:
        # "Monday, Oct. 26": the year in which Oct. 26 is a Monday
        ys = [y for y in range(A.date.year - 1, A.date.year + 2) if (safe_date(y, mo, day) or D(1, 1, 1)).isoweekday() == wd]
        if len(ys) == 1 and not (direction == "past" and safe_date(ys[0], mo, day) > A.date
                                 or direction == "future" and safe_date(ys[0], mo, day) < A.date):
            years = ys                               # unless the tense says otherwise (a wrong weekday: "was held on
                                                     # Saturday, June 10" when June 10 is a Friday)
    r = choose_year(lambda y: day_or_none(y, mo, day), A.date, direction, years, limit=limit(dist))
    if r is None:
        return None
    return Norm("DATE", fmt(r[0]), mod, akind)


def n_era_year(kind, g, s, e, doc):
    """Rule kind era_year: "44 BC" -> BC0044, "AD 800" -> 0800, "March 15, 44 BC" -> BC0044-03-15,
    "the year 650" -> 0650 (the TIMEX3 over the number).  An era word in lower case ("an ad 30
    seconds long") is not an era: nothing."""
    era = g["era"] or g["era2"]
    if era is not None and not era.replace(".", "").isupper():
        return None
    ys = g["y"] or g["y2"] or g["y3"]
    n = int(ys)
    if n == 0:
        return None
    span = None
    if g["y3"]:
        span = (e - len(ys), e)
        if reject_number(doc.text, span[0], e):
            return None
    y = 1 - n if era is not None and _ERA_BC.get(norm(era), False) else n  # astronomical: 44 BC = -43
    if not plausible_year(y, marked=True):
        return None
    mon, day = g["mon"] or g["mon1"], g["d"] or g["d1"]
    if mon is None:
        return Norm("DATE", fmt_year(y), span=span)
    if not cap(mon):
        return None
    mo = month_of(mon)
    if day is None:
        return Norm("DATE", f"{fmt_year(y)}-{mo:02d}")
    if not 1 <= int(day) <= calendar.monthrange(2000 if y < 1 else y, mo)[1]:
        return None
    return Norm("DATE", f"{fmt_year(y)}-{mo:02d}-{int(day):02d}")


def n_month_year(kind, g, s, e, doc):
    """Rule kind month_year: "March 1999"."""
    y = int(g["y"])
    if not cap(g["mon"]) or not plausible_year(y):
        return None
    return Norm("DATE", f"{y:04d}-{month_of(g['mon']):02d}", mod_of(g))


def n_month_relyear(kind, g, s, e, doc):
    """Rule kind month_relyear: "March last year"."""
    A = doc.anchor
    mod = mod_of(g)
    if not cap(g["mon"]):
        return None
    mo = month_of(g["mon"])
    n = _REL["offsets"].get(norm(g["rel"]), 0)
    if A.date is None or not A.ok("year"):
        return Norm("DATE", f"XXXX-{mo:02d}", mod, A.kind)
    return Norm("DATE", f"{A.date.year + n:04d}-{mo:02d}", mod, A.kind)


def n_month(kind, g, s, e, doc):
    """Rule kind month: a month name alone, in the year the tense points to."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = mod_of(g)
    w = norm(g["mon"])
    if not cap(g["mon"]) or len(w) <= 4 and w not in SHORT_WHOLE:
        return None
    if w in _AMBIGUOUS:
        pw = prev_word(text, s)
        if not g.get("mod") and pw not in _AMBIGUOUS_AFTER:
            return None
        if pw in _LOWER_NEXT and not _LOWER_WORD_NEXT.match(text[e:e + 4]):
            return None  # "the March surplus" but not "the May Company"
    ey = _MONTH_EARLY_YEAR.match(text, e)
    if ey and not reject_number(text, ey.end() - len(ey.group().lstrip(" ,")), ey.end()):
        return None  # "in May 950": an early year without its era (but "in March 400 workers" is March)
    mo = month_of(w)
    if A.date is None:
        return Norm("DATE", f"XXXX-{mo:02d}", mod, akind)
    if not A.ok("month") and A.prec != "year" and A.prec != "quarter":
        return Norm("DATE", f"XXXX-{mo:02d}", mod, akind)
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        return Norm("DATE", f"{A.date.year:04d}-{mo:02d}", mod, akind)
    direction, dist = tense_cue(text, s, e)
    if _CONTRACT_BEFORE.match(text, e) or _CONTRACT_AFTER.search(text, max(0, s - 24), s):
        direction, dist = "future", 0  # "crude for January delivery": a contract month is the coming one
    r = choose_year(lambda y: (y, D(y, mo, 1), month_end(y, mo)), A.date, direction, limit=limit(dist))
    if r is None:
        return None
    return Norm("DATE", f"{r[0]:04d}-{mo:02d}", mod, akind)


def n_week_of_month(kind, g, s, e, doc):
    """Rule kind week_of_month: the ISO week holding most of the n-th (or last) seven days."""
    if g.get("y"):
        y = int(g["y"])
        r = Norm("DATE", f"{y:04d}-{month_of(g['mon']):02d}") if plausible_year(y) else None
    else:
        ms = doc.text.find(g["mon"], s, e)
        r = n_month("month", {"mon": g["mon"]}, ms, ms + len(g["mon"]), doc)
    if r is None or r.value.startswith("X"):
        return r
    y, mo = int(r.value[:4]), int(r.value[5:7])
    o = norm(g["ord"])
    mid = month_end(y, mo) - _dt.timedelta(3) if o in LAST_ORDINALS else D(y, mo, 4 + 7 * (ORDINALS[o] - 1))
    return Norm("DATE", fmt_week(mid), None, r.anchor)


def _in_name(text: str, s: int) -> bool:
    """"Euro 2004", "the ADI 2006 report": a year right after a capitalised word in mid-sentence (not a
    calendar word) is part of a name."""
    m = _CAP_WORD_BEFORE.search(text, max(0, s - 32), s)
    return m is not None and m.group(1).lower().rstrip(".") not in _YEAR_NAME_OK and not sentence_initial(text, m.start(1))


def n_year(kind, g, s, e, doc):
    """Rule kind year: "1999", "late 1999"."""
    text = doc.text
    y = int(g["y"])
    if not plausible_year(y):
        return None
    if not g.get("mod") and not g.get("orso") and (reject_number(text, s + (len(text[s:e]) - len(text[s:e].lstrip())), e)
                                                   or _in_name(text, s)):
        return None
    return Norm("DATE", f"{y:04d}", mod_of(g))


def n_short_year(kind, g, s, e, doc):
    """Rule kind short_year: "in '87" -> 1987, only after a cue word."""
    if prev_word(doc.text, s) not in _SHORT_YEAR_AFTER:
        return None
    return Norm("DATE", f"{year2(g['yy']):04d}")


def n_spelled_year(kind, g, s, e, doc):
    """Rule kind spelled_year: "nineteen ninety-six", "two thousand and one"."""
    text = doc.text
    if norm(g["sy"]).startswith(_SY_THOUSAND) and not norm(text[s:e]).startswith(_SY["the_year"]) \
            and prev_word(text, s) not in _SY_AFTER:
        return None  # "two thousand troops"
    n = spelled_year(g["sy"])
    if n is None:
        return None
    if g.get("mon"):  # "January nineteen ninety-seven"
        if not cap(g["mon"]):
            r = n_spelled_year(kind, {**g, "mon": None}, e - len(g["sy"]), e, doc)
            return replace(r, span=(e - len(g["sy"]), e)) if r else None
        return Norm("DATE", f"{n:04d}-{month_of(g['mon']):02d}")
    return Norm("DATE", f"{n:04d}")


def n_decade(kind, g, s, e, doc):
    """Rule kind decade: "the 1990s", "the '80s", "the eighties"."""
    mod = mod_of(g)
    if g.get("dec"):
        return Norm("DATE", g["dec"], mod)
    if g.get("d2"):
        return Norm("DATE", "19" + g["d2"], mod)
    if not g.get("the"):
        return None
    return Norm("DATE", f"19{DECWORDS[norm(g['dw'])]}", mod)


def n_century(kind, g, s, e, doc):
    """Rule kind century: "the 20th century", "the nineteenth century"."""
    n = int(g["n"]) if g.get("n") else CENTWORDS.get(norm(g["cw"]).replace(" ", "-"))
    era = g.get("era")
    if era and not era.replace(".", "").isupper():  # "the 20th century ad campaign": no era
        r = n_century(kind, {**g, "era": None}, s, e, doc)
        return replace(r, span=(s, e - len(era))) if r else None
    if era and _ERA_BC[norm(era)]:  # "the fifth century BC": BC04 (the centuries count back)
        return Norm("DATE", f"BC{n - 1:02d}", mod_of(g)) if 0 < n <= 100 else None
    if not n or n > 21:
        return None
    return Norm("DATE", f"{n - 1:02d}", mod_of(g))


def n_holiday(kind, g, s, e, doc):
    """Rule kind holiday: "Christmas", "Labor Day 1999", "Easter week"."""
    A = doc.anchor
    akind = A.kind
    spec = HOLIDAYS[norm(g["hol"])]
    if not cap(g["hol"]):
        return None
    fmt = fmt_week if g.get("week") else fmt_day  # "Easter week": the ISO week of the holiday
    if g.get("y"):
        y = int(g["y"])
        d = holiday_date(spec, y) if plausible_year(y) else None
        return Norm("DATE", fmt(d)) if d else None
    if A.date is None:
        return Norm("DATE", "XXXX-XX-XX", mod_of(g), akind)
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        d = holiday_date(spec, A.date.year)
        return Norm("DATE", fmt(d), None, akind) if d else None
    r = choose_year(lambda y: day_reading(holiday_date(spec, y)), A.date, tense(doc.text, s, e))
    return Norm("DATE", fmt(r[0]), None, akind) if r else None


NORMALISERS = {
    "era_year": n_era_year,
    "iso": n_iso,
    "ymd": n_iso,
    "compact": n_iso,
    "iso_week": n_iso_week,
    "day_ordinal": n_day_ordinal,
    "week_number": n_iso_week,
    "slash": n_slash,
    "mdy": n_mdy,
    "dmy": n_mdy,
    "rel_mdy": n_mdy,
    "week_of": n_mdy,
    "month_year": n_month_year,
    "month_relyear": n_month_relyear,
    "month": n_month,
    "week_of_month": n_week_of_month,
    "year": n_year,
    "spelled_year": n_spelled_year,
    "short_year": n_short_year,
    "decade": n_decade,
    "century": n_century,
    "holiday": n_holiday,
}
