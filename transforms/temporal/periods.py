"""Business and natural periods: quarters and halves ("Q3", "the third quarter of 1999", "the
quarter", "year-ago"), fiscal years ("fiscal 1990", "FY99"), seasons ("last summer", "spring 1999") and the
current one of a running count ("entered its 200th day", "for a third straight year")."""
from __future__ import annotations

import re
from dataclasses import replace

from .common import Norm, day_or_none, mod_of, month_of, spelled_year, year2, words
from .context import limit, tense, tense_cue
from .dates import PREC_ORDER, UNKNOWN_VALUE, choose_year, interval, plausible_year, shift_value
from .tables import K, LAST_ORDINALS, ORDINALS, PLACEHOLDERS, SEASONS, norm, prev_word

_Q = K["quarters"]
_GAME_BEFORE = re.compile(_Q["game_half_before"], re.IGNORECASE)
_GAME_AFTER = re.compile(_Q["game_half_after"], re.IGNORECASE)
_Q_YEAR_OFFSETS = _Q["year_offsets"]
_SEASON_AFTER = words("season_words", "after")
_PERIOD_END_WORDS = K["period_end"]["words"]
_PERIOD_END = re.compile(
    r"\s{1,3}(?P<w>" + "|".join(_PERIOD_END_WORDS) + r")\s{1,3}(?P<mon>" + PLACEHOLDERS["MONTH"] + r")\s{1,3}(?P<d>\d{1,2})\b"
    r"(?:,?\s{1,3}(?P<y>\d{4})\b)?", re.I)
_OU = K["ordinal_unit"]
_STREAK_AFTER = re.compile(r"\s{1,3}(?:%s)\b" % "|".join(w.replace(" ", r"\s{1,3}") for w in _OU["streak_after"]), re.I)
_NOW_BEFORE = frozenset(_OU["now_before"])
_SEASON_NOT_BEFORE = re.compile(r"\s{1,3}(?:" + "|".join(K["season_words"]["not_before"]) + r")\b")


def _period_reading(code: str):
    """The reading of period `code` ("Q3", "H1", "SU") in year y0 for choose_year."""
    return lambda y: (y, *interval(f"{y:04d}-{code}")[1:])


def _in_tense_year(doc, s, e, code: str, mod):
    """A period named without a year: the anchor's year when the anchor is coarser than a day,
    else the nearest one in the tense direction (a past reading without a future cue)."""
    A = doc.anchor
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        return Norm("DATE", f"{A.date.year:04d}-{code}", mod, A.kind)
    direction, dist = tense_cue(doc.text, s, e)
    r = choose_year(_period_reading(code), A.date, direction, limit=limit(dist))
    if r is None:
        return None
    return Norm("DATE", f"{r[0]:04d}-{code}", mod, A.kind)


def n_quarter_code(kind, g, s, e, doc):
    """Rule kind quarter_code: "Q3", "3Q 1999", "H1 2000"."""
    A = doc.anchor
    q = g["q"].upper()
    letter = "Q" if "Q" in q else "H"
    n = int(q.replace(letter, ""))
    if letter == "H" and n > 2:
        return None
    if not (g["q"][0] in "QH" or g["q"][-1] in "QH") or not g["q"].isupper():
        return None
    ys = g.get("y1") or g.get("y2")
    if ys:
        y = year2(ys) if len(ys) == 2 else int(ys)
        return Norm("DATE", f"{y:04d}-{letter}{n}") if plausible_year(y) else None
    if A.date is None or not A.ok("year"):
        return Norm("DATE", f"XXXX-{letter}{n}", mod_of(g), A.kind)
    return _in_tense_year(doc, s, e, f"{letter}{n}", None)


def n_quarter(kind, g, s, e, doc):
    """Rule kind quarter: "the third quarter", "last year's second half", "the first quarter of 1999"."""
    A = doc.anchor
    mod = mod_of(g)
    letter = _Q["units"][norm(g["unit"])]
    o = norm(g["ord"])
    n = ORDINALS.get(o)
    if o in LAST_ORDINALS:  # "the last half of 1989", "the last quarter of 1988"
        n = 4 if letter == "Q" else 2
    if n is None or (letter == "H" and n > 2):
        return None
    ys = g.get("y1") or g.get("y2") or g.get("y3")
    if ys:
        return Norm("DATE", f"{int(ys):04d}-{letter}{n}", mod) if plausible_year(int(ys)) else None
    rel = norm(g.get("rel") or g.get("rel2") or "")
    if letter == "H" and not rel and (_GAME_BEFORE.search(doc.text, max(0, s - 30), s)
                                      or _GAME_AFTER.match(doc.text, e)):
        return None                                  # "15 minutes into the second half": a game's half
    if A.date is None or not A.ok("year"):
        return Norm("DATE", f"XXXX-{letter}{n}", mod, A.kind)
    if rel in _Q_YEAR_OFFSETS:
        r = Norm("DATE", f"{A.date.year + _Q_YEAR_OFFSETS[rel]:04d}-{letter}{n}", mod, A.kind)
    else:
        r = _in_tense_year(doc, s, e, f"{letter}{n}", mod)
    ended = _period_end(doc, e, letter) if r is not None else None
    return replace(r, resolved=ended) if ended and ended != r.value else r


def _period_end(doc, e: int, letter: str):
    """"the fiscal first quarter ended Sept. 30": the calendar quarter (half) that closes on the
    date named after the period, as the resolved value; None when there is none or it does not
    close at a calendar quarter (half)."""
    m = _PERIOD_END.match(doc.text, e)
    if m is None:
        return None
    mo = month_of(m["mon"])
    A = doc.anchor
    if m["y"]:
        y = int(m["y"])
    elif A.date is not None and A.ok("year"):
        # "ended": the last such date; "ending": the nearest
        r = choose_year(lambda yy: day_or_none(yy, mo, int(m["d"])), A.date,
                        "past" if norm(m["w"]) == _PERIOD_END_WORDS[0] else None)
        if r is None:
            return None
        y = r[0].year
    else:
        return None
    months = 3 if letter == "Q" else 6
    if mo % months or not plausible_year(y):
        return None
    return f"{y:04d}-{letter}{mo // months}"


def n_the_quarter(kind, g, s, e, doc):
    """Rule kind the_quarter: "the quarter", "the latest quarter": the quarter under discussion,
    else the last completed one; "the quarter ended Sept. 29": the quarter closing that day."""
    A = doc.anchor
    ended = _period_end(doc, e, "Q")  # "the quarter ended Sept. 29": the calendar quarter closing that day
    if doc.last_quarter is not None and (ended is None or doc.quarter_near(s)):
        # the quarter under discussion, by its (fiscal) label; the calendar quarter it ended in as resolved
        return Norm("DATE", shift_value(doc.last_quarter, "quarter", 0), None, "previous", resolved=ended)
    if ended:
        return Norm("DATE", ended, None, A.kind)
    if A.date is None or not A.ok("quarter"):
        return Norm("DATE", "XXXX-QX", None, A.kind)
    return Norm("DATE", shift_value(A.date, "quarter", -1), None, A.kind)


def n_year_period(kind, g, s, e, doc):
    """Rule kind year_period: "the 1988 period" in earnings news is the quarter under discussion,
    in that year; without one, the year."""
    y = int(g["y"])
    if not plausible_year(y):
        return None
    if doc.quarter_near(s):
        return Norm("DATE", f"{y:04d}-Q{(doc.last_quarter.month - 1) // 3 + 1}", mod_of(g))
    return Norm("DATE", f"{y:04d}")


def n_the_year(kind, g, s, e, doc):
    """Rule kind the_year: "for the year", "the full year", "the fiscal year" - the year of the
    anchor; "the year ended Sept. 30" names a twelve-month period by its end: a DURATION."""
    A = doc.anchor
    if g.get("ended"):
        return Norm("DURATION", "P1Y", span=(s, e - len(g["ended"])))
    if A.date is None or not A.ok("year"):
        return Norm("DATE", "XXXX", None, A.kind)
    return Norm("DATE", f"{A.date.year:04d}", None, A.kind)


def n_year_ago(kind, g, s, e, doc):
    """Rule kind year_ago: "year-ago", "year-earlier", "quarter-earlier" used alone."""
    A = doc.anchor
    if A.date is None or not A.ok("year"):
        return Norm("DATE", "XXXX", mod_of(g), A.kind)
    if doc.last_quarter is not None:
        return Norm("DATE", shift_value(doc.last_quarter, "quarter", -4), None, A.kind, comparison=True)
    if norm(g["w"]) == "quarter":
        return Norm("DATE", shift_value(A.date, "quarter", -1), None, A.kind, comparison=True)
    return Norm("DATE", f"{A.date.year - 1:04d}", None, A.kind, comparison=True)


def n_same_period(kind, g, s, e, doc):
    """Rule kind same_period: "the same period last year", "the corresponding quarter a year earlier", "the
    comparable year-ago quarter", "last year's quarter", "the same period of 2004": the period under discussion
    (the quarter mentioned last, nearby; else the year) a year before it, or in the year named."""
    A = doc.anchor
    y = int(g["y"]) if g.get("y") else None
    if y is None and (A.date is None or not A.ok("year")):
        return Norm("DATE", "XXXX", None, A.kind, comparison=True)
    if doc.quarter_near(s) and not norm(g.get("unit") or "").startswith("month"):
        q = doc.last_quarter
        if y is None:
            return Norm("DATE", shift_value(q, "quarter", -4), None, A.kind, comparison=True)
        return Norm("DATE", f"{y:04d}-Q{(q.month - 1) // 3 + 1}", comparison=True)
    if y is not None:
        return Norm("DATE", f"{y:04d}", comparison=True) if plausible_year(y) else None
    return Norm("DATE", f"{A.date.year - 1:04d}", None, A.kind, comparison=True)


def n_fiscal(kind, g, s, e, doc):
    """Rule kind fiscal: "fiscal 1990", "FY99"."""
    y = year2(g["y"])
    return Norm("DATE", f"{y:04d}", mod_of(g)) if plausible_year(y) else None


def n_season(kind, g, s, e, doc):
    """Rule kinds season, year_season: "spring 1999", "1999 spring", "the summer", "in winter"."""
    text = doc.text
    A = doc.anchor
    mod = mod_of(g)
    code = SEASONS[norm(g["season"])]
    y = int(g["y"]) if g.get("y") else spelled_year(g["sy"]) if g.get("sy") else None  # "the winter of 1994 / nineteen ninety-four"
    if y is not None:
        return Norm("DATE", f"{y:04d}-{code}", mod) if plausible_year(y) else None
    if not (g.get("the") or g.get("mod") or prev_word(text, s) in _SEASON_AFTER):
        return None
    if _SEASON_NOT_BEFORE.match(text[e:e + 8]):
        return None  # "the fall of the wall", "the fall in prices"
    if A.date is None or not A.ok("year"):
        return Norm("DATE", f"XXXX-{code}", mod, A.kind)
    y = A.date.year
    if PREC_ORDER.get(A.prec, 9) <= 1:
        r = choose_year(_period_reading(code), A.date, tense(text, s, e))
        if r is None:
            return None
        y = r[0]
    return Norm("DATE", f"{y:04d}-{code}", mod, A.kind)


def n_ordinal_unit(kind, g, s, e, doc):
    """Rule kind ordinal_unit: "entered its 200th day", "for a third straight day": the day (week, month, year)
    under discussion, when the text counts it as the current one of a run (else no timex: "on the second day of
    the talks")."""
    text = doc.text
    before = "'s" if text[max(0, s - 4):s].rstrip()[-2:] in ("'s", "’s") else prev_word(text, s)
    if not (g.get("streak") or _STREAK_AFTER.match(text, e, e + 20) or before in _NOW_BEFORE):
        return None
    # "its 200th day": the possessive outside
    span = None if norm(g["det"]) in _OU["inside"] else (e - len(text[s + len(g["det"]):e].lstrip()), e)
    A = doc.anchor
    unit = g["unit"].lower()
    if A.date is None or not A.ok(unit):
        return Norm("DATE", UNKNOWN_VALUE[unit], None, A.kind, span)
    day = doc.day_discussed(s, e) if unit == "day" else None
    return Norm("DATE", shift_value(day or A.date, unit, 0), None, "previous" if day else A.kind, span)


NORMALISERS = {
    "ordinal_unit": n_ordinal_unit,
    "quarter_code": n_quarter_code,
    "quarter": n_quarter,
    "the_quarter": n_the_quarter,
    "year_ago": n_year_ago,
    "same_period": n_same_period,
    "year_period": n_year_period,
    "the_year": n_the_year,
    "fiscal": n_fiscal,
    "season": n_season,
    "year_season": n_season,
}
