"""Normalisers: one small function per rule kind turns the groups of a match into
(type, value, mod, anchor kind[, span]) or None to drop the match."""
from __future__ import annotations

import calendar
import datetime as _dt
import re

from .tables import K, APPROX, BARE_HOUR_AFTER, LAST_ORDINALS, NIGHT_PM_HOURS, POD_HALF, CENTWORDS, DECWORDS, FIXED, HOLIDAYS, MODIFIERS, MONTHS, NUMBERS, ORDINALS, PODS, REJECT_AFTER, REJECT_BEFORE, SEASONS, SETADV, STREET, UNITS, WEEKDAYS, _NEXT_WORD, _PREV_WORD, _norm
from .dates import Anchor, PREC_ORDER, _SEAS, _month_end, _safe_date, choose_year, fmt_day, fmt_week, holiday_date, interval, shift_value, weekday_date
from .context import _limit, tense, tense_cue

D = _dt.date

def _prev_anchor(doc, unit: str):
    """The previously mentioned date as the anchor when it is precise enough for `unit`, else the
    document anchor (DCT / inferred)."""
    if doc.prev is not None:
        a = Anchor(doc.prev[0], doc.prev[1], "previous")
        if a.ok(unit):
            return a, "previous"
    return doc.anchor, doc.anchor.kind


def _coarse_day(doc) -> str | None:
    """"that (same) day" right after a coarser mention ("last October ... that same day"): a day
    inside that month / year, unknown which."""
    if doc.prev is None:
        return None
    d, p = doc.prev
    if p == "month":
        return f"{d.year:04d}-{d.month:02d}-XX"
    if p == "year":
        return f"{d.year:04d}-XX-XX"
    return None


def _num(s: str | None) -> float | None:
    if not s:
        return None
    s = _norm(s).replace("-", " ")
    if s in NUMBERS:
        return NUMBERS[s]
    parts = s.split()
    if len(parts) == 2 and parts[0] in NUMBERS and parts[1] in NUMBERS:
        return NUMBERS[parts[0]] + NUMBERS[parts[1]]
    return None


def _digits(s: str) -> float | None:
    s = s.strip()
    if " 1/2" in s:
        return float(s.split()[0]) + 0.5
    try:
        return float(s)
    except ValueError:
        return None


def _unit(s: str):
    return UNITS.get(_norm(s))


_SMALLER = {("Y", False): (12, "M", False), ("M", False): (30, "D", False), ("W", False): (7, "D", False),
            ("D", False): (24, "H", True), ("H", True): (60, "M", True), ("M", True): (60, "S", True)}


_IN_YEARS = K["unit_in_years"]


def dur_value(n: float | None, unit: str) -> str:
    letter, is_time, _ = _unit(unit)
    if letter == "2W":
        letter, n = "W", n * 2 if n is not None else None
    if n is None:
        return ("PT" if is_time else "P") + "X" + letter
    if letter in _IN_YEARS:
        n, letter = n * _IN_YEARS[letter], "Y"
    whole = int(n)
    frac = n - whole
    parts = []  # (count, letter, is_time)
    if whole:
        parts.append((whole, letter, is_time))
    if frac:
        sm = _SMALLER.get((letter, is_time))
        if sm is None:
            return ("PT" if is_time else "P") + f"{n:g}" + letter
        k, l2, t2 = sm
        parts.append((round(frac * k), l2, t2))
    date_p = "".join(f"{c}{l}" for c, l, t in parts if not t)
    time_p = "".join(f"{c}{l}" for c, l, t in parts if t)
    return "P" + date_p + ("T" + time_p if time_p else "")


_RATE_OK = frozenset(("was", "has", "is", "as", "this", "its", "his", "hers", "ours", "yours", "theirs", "less", "across", "unless", "plus", "thus"))


def _cap(s: str) -> bool:
    return s[:1].isupper()


def _year2(s: str) -> int:
    y = int(s)
    if len(s) == 2:
        y += 1900 if y >= 50 else 2000
    return y


class Doc:
    def __init__(self, text: str, anchor: Anchor):
        self.text = text
        self.anchor = anchor
        self.prev: tuple[D, str] | None = None  # last mentioned date (first day, precision)
        self.prev_day: D | None = None  # last mentioned day-precision date (clock times anchor on it)
        self.last_quarter: D | None = None  # first day of the last mentioned quarter
        self.last_quarter_pos = -10**9  # where it was mentioned

    def quarter_near(self, pos: int, window: int = 1500) -> bool:
        """Is a quarter under discussion (mentioned within `window` characters before pos)?"""
        return self.last_quarter is not None and pos - self.last_quarter_pos <= window


def _is_month(s: str) -> int | None:
    return MONTHS.get(_norm(s))


def _wd(s: str) -> int | None:
    return WEEKDAYS.get(_norm(s).rstrip("s")) or WEEKDAYS.get(_norm(s))


def _reject_number(text: str, s: int, e: int) -> bool:
    """A bare number that is a quantity / address / code rather than a year."""
    nm = _NEXT_WORD.match(text, e, min(len(text), e + 40))
    if nm:
        w = nm.group(1).lower().rstrip(".,")
        if w in REJECT_AFTER:
            return True
        if w and w[0].isalpha() and nm.group(1)[0].isupper():
            # "2231 Royal Street": number + Capitalised word + street word
            nm2 = _NEXT_WORD.match(text, nm.end(), min(len(text), nm.end() + 40))
            if nm2 and (nm2.group(1).lower() in STREET or nm2.group(1).lower().rstrip(".,;:") in STREET):
                return True
        if w in STREET:
            return True
    pm = _PREV_WORD.search(text, max(0, s - 24), s)
    if pm:
        w = pm.group(1).lower()
        if w in REJECT_BEFORE or w[-1:] in "$€£¥#":
            return True
    # code: foo(2019), y[2020]
    if s >= 2 and text[s - 1] in "([" and text[s - 2].isalnum():
        return True
    # a number inside a digit run / phone / code line such as "555 2010 1234"
    if re.match(r"[\s-]{1,2}\d", text[e:e + 3]) or re.search(r"\d[\s-]{1,2}$", text[max(0, s - 3):s]):
        return True
    return False


def _mod(g: dict) -> str | None:
    return MODIFIERS.get(_norm(g["mod"])) if g.get("mod") else None


def _vague(mod, akind, typ="DATE", value="XXXX-XX-XX"):
    """An expression that cannot be resolved against the anchor at hand keeps an X value."""
    return (typ, value, mod, akind)


def _n_iso(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kinds iso, compact."""
    d = _safe_date(int(g["y"]), int(g["m"]), int(g["d"]))
    if d is None or not 1800 <= d.year <= 2200:
        return None
    if g.get("H") is not None:
        H, M = int(g["H"]), int(g["M"])
        if H > 24 or M > 59:
            return None
        return ("TIME", f"{fmt_day(d)}T{H:02d}:{M:02d}", None, "absolute")
    return ("DATE", fmt_day(d), None, "absolute")


def _n_slash(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind slash."""
    a, b, y = int(g["a"]), int(g["b"]), _year2(g["y"])
    if g["sep"] == ".":
        a, b = b, a  # European D.M.Y
    m_, d_ = (a, b) if a <= 12 else (b, a)
    d = _safe_date(y, m_, d_)
    if d is None or not 1900 <= y <= 2100:
        return None
    return ("DATE", fmt_day(d), None, "absolute")


def _n_mdy(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kinds mdy, dmy, rel_mdy, week_of."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    if not _cap(g["mon"]):
        return None
    mo = _is_month(g["mon"])
    day = int(g["d"])
    if not 1 <= day <= 31:
        return None
    if g.get("y"):
        y = int(g["y"])
        d = _safe_date(y, mo, day)
        if d is None:
            # impossible day ("31 February 2022"): keep only the month
            return ("DATE", f"{y:04d}-{mo:02d}", mod, "absolute", None)
        val = fmt_week(d) if kind == "week_of" else fmt_day(d)
        return ("DATE", val, mod, "absolute")
    if calendar.monthrange(2000, mo)[1] < day:
        return None
    if A.date is None:
        return ("DATE", f"XXXX-{mo:02d}-{day:02d}", mod, akind)
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        # coarse anchor: the same year, unless a tense cue points past the anchor month
        # ("November 2023 ... a sale is due to start on June 1" -> the coming June 1)
        d = _safe_date(A.date.year, mo, day)
        if d is None:
            return None
        if A.prec == "month" and kind != "rel_mdy":
            direction = tense_cue(text, s, e)[0]
            if direction == "future" and d < A.date:
                d = _safe_date(A.date.year + 1, mo, day) or d
            elif direction == "past" and d > _month_end(A.date.year, A.date.month):
                d = _safe_date(A.date.year - 1, mo, day) or d
        return ("DATE", fmt_week(d) if kind == "week_of" else fmt_day(d), mod, akind)
    if kind == "rel_mdy":
        direction, dist = {"yesterday": "past", "tomorrow": "future"}.get(_norm(g["rel"])), 0
    else:
        direction, dist = tense_cue(text, s, e)
    years = None
    if g.get("wd") and _wd(g["wd"]):
        # "Monday, Oct. 26": the year in which Oct. 26 is a Monday
        wd = _wd(g["wd"])
        ys = [y for y in range(A.date.year - 1, A.date.year + 2) if (_safe_date(y, mo, day) or D(1, 1, 1)).isoweekday() == wd]
        if len(ys) == 1:
            years = ys
    r = choose_year(lambda y: (lambda d: (d, d, d) if d else None)(_safe_date(y, mo, day)), A.date, direction, years,
                    limit=_limit(dist))
    if r is None:
        return None
    d = r[0]
    return ("DATE", fmt_week(d) if kind == "week_of" else fmt_day(d), mod, akind)


def _n_month_year(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind month_year."""
    mod = _mod(g)
    if not _cap(g["mon"]):
        return None
    mo = _is_month(g["mon"])
    return ("DATE", f"{int(g['y']):04d}-{mo:02d}", mod, "absolute")


def _n_month_relyear(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind month_relyear."""
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    if not _cap(g["mon"]):
        return None
    mo = _is_month(g["mon"])
    n = {"last": -1, "next": 1}.get(_norm(g["rel"]), 0)
    if A.date is None or not A.ok("year"):
        return ("DATE", f"XXXX-{mo:02d}", mod, akind)
    return ("DATE", f"{A.date.year + n:04d}-{mo:02d}", mod, akind)


def _n_named_time(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind named_time."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    hhmm = "T" + FIXED[_norm(g["nt"])].split(":", 1)[1]
    if A.date is None or not A.ok("day"):
        return ("TIME", "XXXX-XX-XX" + hhmm, None, akind)
    if g.get("wd"):
        d = weekday_date(A.date, _wd(g["wd"]), *tense_cue(text, s, e))
    else:
        d = A.date + _dt.timedelta(int(FIXED[_norm(g["rel"])].split(":")[1]))
    return ("TIME", fmt_day(d) + hhmm, None, akind)


def _n_month(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind month."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    w = _norm(g["mon"])
    if not _cap(g["mon"]) or len(w) <= 4 and w not in ("june", "july") and w != "may":
        return None
    if w in ("may", "march"):
        pm = _PREV_WORD.search(text, max(0, s - 24), s)
        pw = pm.group(1).lower() if pm else ""
        if not g.get("mod") and pw not in ("in", "of", "since", "until", "by", "last", "this", "next", "through", "from", "to", "before", "after", "during", "early", "late", "mid", "and", "or", "between", "till", "end", "the"):
            return None
        if pw == "the" and not re.match(r"\s{1,3}[a-z]", text[e:e + 4]):
            return None  # "the March surplus" but not "the May Company"
    mo = _is_month(w)
    if A.date is None:
        return ("DATE", f"XXXX-{mo:02d}", mod, akind)
    if not A.ok("month") and A.prec != "year" and A.prec != "quarter":
        return ("DATE", f"XXXX-{mo:02d}", mod, akind)
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        return ("DATE", f"{A.date.year:04d}-{mo:02d}", mod, akind)
    direction, dist = tense_cue(text, s, e)
    r = choose_year(lambda y: (y, D(y, mo, 1), _month_end(y, mo)), A.date, direction, limit=_limit(dist))
    return ("DATE", f"{r[0]:04d}-{mo:02d}", mod, akind)


def _n_week_of_month(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind week_of_month: the ISO week holding most of the n-th (or last) seven days."""
    if g.get("y"):
        r = ("DATE", f"{int(g['y']):04d}-{_is_month(g['mon']):02d}", None, "absolute")
    else:
        ms = doc.text.find(g["mon"], s, e)
        r = _n_month("month", {"mon": g["mon"]}, ms, ms + len(g["mon"]), doc)
    if r is None or r[1].startswith("X"):
        return r
    y, mo = int(r[1][:4]), int(r[1][5:7])
    o = _norm(g["ord"])
    mid = _month_end(y, mo) - _dt.timedelta(3) if o in LAST_ORDINALS else D(y, mo, 4 + 7 * (ORDINALS[o] - 1))
    return ("DATE", fmt_week(mid), None, r[3])


def _n_quarter_code(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind quarter_code."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    q = g["q"].upper()
    letter = "Q" if "Q" in q else "H"
    n = int(q.replace(letter, ""))
    if letter == "H" and n > 2:
        return None
    if not (g["q"][0] in "QH" or g["q"][-1] in "QH") or not g["q"].isupper():
        return None
    ys = g.get("y1") or g.get("y2")
    if ys:
        y = _year2(ys) if len(ys) == 2 else int(ys)
        return ("DATE", f"{y:04d}-{letter}{n}", None, "absolute")
    if A.date is None or not A.ok("year"):
        return _vague(mod, akind, value=f"XXXX-{letter}{n}")
    mk = lambda y: (y, *interval(f"{y:04d}-{letter}{n}")[1:])
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        return ("DATE", f"{A.date.year:04d}-{letter}{n}", None, akind)
    r = choose_year(mk, A.date, "future" if tense(text, s, e) == "future" else "past", limit=366)
    return ("DATE", f"{r[0]:04d}-{letter}{n}", None, akind)


def _n_quarter(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind quarter."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    unit = _norm(g["unit"])
    letter = "Q" if unit == "quarter" else "H"
    n = ORDINALS.get(_norm(g["ord"]))
    if _norm(g["ord"]) in LAST_ORDINALS:  # "the last half of 1989", "the last quarter of 1988"
        n = 4 if letter == "Q" else 2
    if n is None or (letter == "H" and n > 2):
        return None
    ys = g.get("y1") or g.get("y2") or g.get("y3")
    if ys:
        return ("DATE", f"{int(ys):04d}-{letter}{n}", mod, "absolute")
    rel = _norm(g.get("rel") or g.get("rel2") or "")
    if A.date is None or not A.ok("year"):
        return _vague(mod, akind, value=f"XXXX-{letter}{n}")
    y0 = A.date.year
    if rel in ("last", "previous", "year-earlier", "year-ago", "the previous"):
        return ("DATE", f"{y0 - 1:04d}-{letter}{n}", mod, akind)
    if rel == "next":
        return ("DATE", f"{y0 + 1:04d}-{letter}{n}", mod, akind)
    if rel in ("this", "current", "the current", "the"):
        return ("DATE", f"{y0:04d}-{letter}{n}", mod, akind)
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        return ("DATE", f"{y0:04d}-{letter}{n}", mod, akind)
    mk = lambda y: (y, *interval(f"{y:04d}-{letter}{n}")[1:])
    r = choose_year(mk, A.date, "future" if tense(text, s, e) == "future" else "past", limit=366)
    return ("DATE", f"{r[0]:04d}-{letter}{n}", mod, akind)


def _n_decade(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind decade."""
    mod = _mod(g)
    if g.get("dec"):
        return ("DATE", g["dec"], mod, "absolute")
    if g.get("d2"):
        return ("DATE", "19" + g["d2"], mod, "absolute")
    if not g.get("the"):
        return None
    dw = DECWORDS[_norm(g["dw"])]
    return ("DATE", f"19{dw}", mod, "absolute")


def _n_century(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind century."""
    mod = _mod(g)
    n = int(g["n"]) if g.get("n") else CENTWORDS.get(_norm(g["cw"]).replace(" ", "-"))
    if not n or n > 21:
        return None
    return ("DATE", f"{n - 1:02d}", mod, "absolute")


def _n_fiscal(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind fiscal."""
    mod = _mod(g)
    y = _year2(g["y"])
    return ("DATE", f"{y:04d}", mod, "absolute")


def _n_holiday(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind holiday."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    spec = HOLIDAYS[_norm(g["hol"]).replace("’", "'")]
    if not _cap(g["hol"]):
        return None
    fmt = fmt_week if g.get("week") else fmt_day  # "Easter week": the ISO week of the holiday
    if g.get("y"):
        d = holiday_date(spec, int(g["y"]))
        return ("DATE", fmt(d), None, "absolute") if d else None
    if A.date is None:
        return _vague(mod, akind, )
    if PREC_ORDER.get(A.prec, 9) > PREC_ORDER["day"]:
        d = holiday_date(spec, A.date.year)
        return ("DATE", fmt(d), None, akind) if d else None
    r = choose_year(lambda y: (lambda d: (d, d, d) if d else None)(holiday_date(spec, y)), A.date, tense(text, s, e))
    return ("DATE", fmt(r[0]), None, akind) if r else None


def _n_ago(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind ago."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    u = _unit(g["unit"])
    if u is None:
        return None
    n = _num(g.get("num")) if g.get("num") else (_digits(g["digits"]) if g.get("digits") else None)
    if g.get("num") and n is None:
        return None
    letter, is_time, gran = u
    direction = _norm(g["dir"])
    amod = APPROX.get(_norm(g["approx"])) if g.get("approx") else None
    if direction in ("before", "after", "since"):
        # "two days before the vote": a duration relative to an event
        sub_e = s + len(text[s:e]) - len(g["dir"])
        sub_e = len(text[:sub_e].rstrip())
        return ("DURATION", dur_value(n, g["unit"]), amod, "absolute", (s, sub_e))
    sign = -1 if direction in ("ago", "earlier") else 1
    base = A
    ak = akind
    if direction in ("earlier", "later"):
        base, ak = _prev_anchor(doc, gran if gran != "time" else "day")
    if gran == "time" and direction in ("earlier", "later"):
        # "an hour later": the distance is what is annotated
        sub_e = len(text[:s + len(text[s:e]) - len(g["dir"])].rstrip())
        st = s + (len(text[s:e]) - len(text[s:e].lstrip()))
        return ("DURATION", dur_value(n, g["unit"]), amod, "absolute", (st, sub_e))
    if n is None and direction in ("earlier", "later"):
        sub_e = len(text[:s + len(text[s:e]) - len(g["dir"])].rstrip())
        return ("DURATION", dur_value(None, g["unit"]), amod, "absolute", (s, sub_e))
    if n is None or gran == "time" or base.date is None:
        if gran == "time" and base.date is not None and PREC_ORDER.get(base.prec, 9) <= 1:
            return ("DATE", fmt_day(base.date), amod, ak)
        return ("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", amod, ak)
    if letter == "2W":
        n, gran = n * 2, "week"
    if gran == "year" and n == 1 and sign < 0 and direction in ("ago", "earlier") and doc.quarter_near(s):
        # earnings news: "a year earlier" = the same quarter a year before the quarter just discussed
        return ("DATE", shift_value(doc.last_quarter, "quarter", -4 * int(n)), amod, ak)
    if n != int(n):
        return ("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", amod, ak)
    n = int(n)
    if gran in ("decade", "century"):
        n, gran = n * (10 if gran == "decade" else 100), "year"
    if not base.ok(gran):
        return ("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", amod, ak)
    if gran == "day":
        return ("DATE", fmt_day(base.date + _dt.timedelta(sign * n)), amod, ak)
    return ("DATE", shift_value(base.date, gran, sign * n), amod, ak)


def _n_mod_the_unit(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind mod_the_unit."""
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    # "the end of the year", "by the middle of next month": the DCT's (or the discussed) period
    unit = _norm(g["unit"])
    rel = _norm(g["rel"])
    n = {"next": 1, "last": -1}.get(rel, 0)
    base, ak = (A, akind) if rel != "that" else _prev_anchor(doc, unit)
    if base.date is None or not base.ok(unit):
        return ("DATE", {"week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX"}.get(unit, "XXXX"), mod, ak)
    return ("DATE", shift_value(base.date, unit, n), mod, ak)


def _n_earlier_this(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind earlier_this."""
    A = doc.anchor
    akind = A.kind
    unit = _norm(g["unit"])
    rel = _norm(g.get("rel") or "this")
    m2 = {"earlier": "START", "early": "START", "later": "END", "late": "END"}[_norm(g["mod"])]
    if unit == "day" and g.get("rel") is None:
        return None  # "earlier in the day": news annotation leaves it out (a vague part of the day)
    base, ak = A, akind
    if rel in ("that", "") or g.get("rel") is None:
        base, ak = _prev_anchor(doc, unit)
        if unit == "day" and ak != "previous" and _coarse_day(doc):
            return ("DATE", _coarse_day(doc), m2, "previous")
    if base.date is None or not base.ok(unit if unit != "day" else "day"):
        return ("DATE", "XXXX", m2, ak)
    n = {"last": -1, "next": 1}.get(rel, 0)
    return ("DATE", shift_value(base.date, unit, n), m2, ak)


def _n_rel_unit(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind rel_unit."""
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    rel = _norm(g["rel"])
    unit_raw = g["unit"]
    unit = _norm(unit_raw)
    if unit == "fiscal year":
        unit = "year"
    the = bool(g.get("the"))
    if unit in ("week", "month", "year", "day") and unit_raw[:1].isupper() and unit_raw[1:].islower():
        return None  # a title mid-sentence: ABC's "This Week"
    pod = PODS.get(_norm(g["pod"])) if g.get("pod") else None
    base, ak = A, akind
    if rel in ("following", "same", "that", "preceding", "prior") or (the and rel in ("next", "previous")):
        need = unit if unit in PREC_ORDER else ("year" if unit in MONTHS or unit in SEASONS else "day")
        base, ak = _prev_anchor(doc, need)
    n = {"last": -1, "past": -1, "previous": -1, "prior": -1, "preceding": -1, "this past": -1, "year-earlier": -1, "year-ago": -1,
         "next": 1, "following": 1, "coming": 1, "this coming": 1}.get(rel, 0)
    if unit in PODS:
        code = PODS[unit]
        if base.date is None or not base.ok("day"):
            return ("TIME", f"XXXX-XX-XXT{code}", mod, ak)
        if rel == "this" or (rel == "last" and code == "NI"):
            return ("TIME", f"{fmt_day(base.date + _dt.timedelta(n))}T{code}", mod, ak)
        # "the next morning", "that evening": the day
        return ("DATE", fmt_day(base.date + _dt.timedelta(n)), mod, ak)
    if unit in MONTHS:
        if not _cap(unit_raw):
            return None
        mo = MONTHS[unit]
        if base.date is None or not base.ok("year"):
            return ("DATE", f"XXXX-{mo:02d}", mod, ak)
        y = base.date.year
        if n < 0:
            y = y - 1 if mo >= base.date.month else y
        elif n > 0:
            y = y + 1 if mo <= base.date.month else y
        return ("DATE", f"{y:04d}-{mo:02d}", mod, ak)
    if unit in WEEKDAYS or _wd(unit):
        wd = _wd(unit)
        if not _cap(unit_raw):
            return None
        if base.date is None or not base.ok("day"):
            return ("DATE", f"XXXX-WXX-{wd}", mod, ak)
        dd = base.date
        delta = wd - dd.isoweekday()
        if n < 0:
            d = dd + _dt.timedelta(delta if delta < 0 else delta - 7)
        elif n > 0:
            d = dd + _dt.timedelta(delta if delta > 0 else delta + 7)
        else:
            d = dd + _dt.timedelta(delta)
        v = fmt_day(d)
        if pod:
            return ("TIME", f"{v}T{pod}", mod, ak)
        return ("DATE", v, mod, ak)
    if unit in SEASONS:
        code = SEASONS[unit]
        if base.date is None or not base.ok("year"):
            return ("DATE", f"XXXX-{code}", mod, ak)
        y = base.date.year
        a, b = _SEAS[code]
        cur_m = base.date.month
        in_season = (a <= cur_m <= b) if a <= b else (cur_m >= a or cur_m <= b)
        if n < 0:
            y = y - 1 if (in_season or cur_m < a) else y
        elif n > 0:
            y = y + 1 if (in_season or cur_m > b and a <= b) else y
        if code == "WI" and cur_m <= 2 and n == 0:
            y -= 1
        return ("DATE", f"{y:04d}-{code}", mod, ak)
    if unit == "weekend":
        if base.date is None or not base.ok("day"):
            return ("DATE", "XXXX-WXX-WE", mod, ak)
        return ("DATE", shift_value(base.date, "week", n) + "-WE", mod, ak)
    if unit in ("season", "period"):
        if rel in ("year-earlier", "year-ago") and unit == "period" and doc.last_quarter is not None:
            return ("DATE", shift_value(doc.last_quarter, "quarter", -4), mod, ak)
        if rel in ("year-earlier", "year-ago") and unit == "period":
            if base.date is None or not base.ok("year"):
                return ("DATE", "XXXX", mod, ak)
            return ("DATE", f"{base.date.year - 1:04d}", mod, ak)
        return None
    if unit == "day":
        if rel in ("this", "current", "that", "same") and ak == "previous":
            n = 0
        if rel in ("that", "same") and ak != "previous" and _coarse_day(doc):
            return ("DATE", _coarse_day(doc), mod, "previous")
        if base.date is None or not base.ok("day"):
            return ("DATE", "XXXX-XX-XX", mod, ak)
        if rel in ("past", "last") and the:
            return ("DURATION", "P1D", None, "absolute")
        return ("DATE", fmt_day(base.date + _dt.timedelta(n)), mod, ak)
    if rel in ("year-earlier", "year-ago"):
        if unit in ("quarter", "period") and doc.last_quarter is not None:
            return ("DATE", shift_value(doc.last_quarter, "quarter", -4), mod, ak)
        if unit == "quarter" and base.date is not None and base.ok("quarter"):
            return ("DATE", shift_value(base.date, "quarter", -4), mod, ak)
        unit, n = "year", -1
    if unit == "quarter" and rel in ("that", "same", "latest") and doc.last_quarter is not None:
        return ("DATE", shift_value(doc.last_quarter, "quarter", 0), mod, ak)
    if base.date is None or not base.ok(unit):
        return ("DATE", {"week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX"}.get(unit, "XXXX"), mod, ak)
    return ("DATE", shift_value(base.date, unit, n), mod, ak)


_WD_POD = bool(K.get("conventions", {}).get("weekday_part_of_day", True))


def _n_weekday(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind weekday."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    if not _cap(g["wd"]):
        return None
    wd = _wd(g["wd"])
    if wd is None:
        return None
    pod = PODS.get(_norm(g["pod"])) if g.get("pod") else None
    if g.get("plural") or g.get("plural2"):
        return ("SET", f"XXXX-WXX-{wd}" + (f"T{pod}" if pod else ""), None, "absolute")
    m2 = {"early": "START", "late": "END"}.get(_norm(g["mod"])) if g.get("mod") else None
    if A.date is None or not A.ok("day"):
        if pod and _WD_POD:
            return ("TIME", f"XXXX-WXX-{wd}T{pod}", m2, akind)
        return ("DATE", f"XXXX-WXX-{wd}", m2, akind)
    d = weekday_date(A.date, wd, *tense_cue(text, s, e))
    if pod and _WD_POD:
        # "Friday night" -> TimeML part of day on that date
        return ("TIME", f"{fmt_day(d)}T{pod}", m2, akind)
    return ("DATE", fmt_day(d), m2, akind)


def _n_season(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kinds season, year_season."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    code = SEASONS[_norm(g["season"])]
    if g.get("y"):
        return ("DATE", f"{int(g['y']):04d}-{code}", mod, "absolute")
    pm = _PREV_WORD.search(text, max(0, s - 24), s)
    pw = pm.group(1).lower() if pm else ""
    if not (g.get("the") or g.get("mod") or pw in ("in", "during", "by", "until", "since", "through", "this", "last", "next", "over")):
        return None
    if re.match(r"\s{1,3}(?:of|in|from|to)\b", text[e:e + 8]):
        return None  # "the fall of the wall", "the fall in prices"
    if A.date is None or not A.ok("year"):
        return ("DATE", f"XXXX-{code}", mod, akind)
    y = A.date.year
    if PREC_ORDER.get(A.prec, 9) <= 1:
        mk = lambda yy: (yy, *interval(f"{yy:04d}-{code}")[1:])
        y = choose_year(mk, A.date, tense(text, s, e))[0]
    return ("DATE", f"{y:04d}-{code}", mod, akind)


def _n_set(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind set."""
    text = doc.text
    if g.get("adv"):
        if _cap(g["adv"]) and not re.search(r"(?:^|[.!?:\n\"“(]\s{0,3})$", text[max(0, s - 4):s]):
            return None  # "China Daily", "the Weekly Standard": a name
        return ("SET", SETADV[_norm(g["adv"])], None, "absolute")
    if g.get("span"):
        return ("SET", dur_value(1, g["unit2"]), None, "absolute")
    unit = _norm(g["unit"])
    n = g.get("num")
    nn = 1
    if n:
        if _norm(n) == "other":
            nn = 2
        else:
            nn = _num(n) if not n.isdigit() else int(n)
            if nn is None:
                return None
    if unit in UNITS:
        return ("SET", dur_value(nn, unit), None, "absolute")
    if _wd(unit):
        return ("SET", f"XXXX-WXX-{_wd(unit)}", None, "absolute")
    if unit in PODS:
        return ("SET", f"XXXX-XX-XXT{PODS[unit]}", None, "absolute")
    if unit in SEASONS:
        return ("SET", f"XXXX-{SEASONS[unit]}", None, "absolute")
    if _is_month(unit):
        return ("SET", f"XXXX-{_is_month(unit):02d}", None, "absolute")
    return None


def _n_duration_range(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind duration_range."""
    a = _num(g["a"]) if g.get("a") else (int(g["ad"]) if g.get("ad") else None)
    b = _num(g["b"]) if g.get("b") else (int(g["bd"]) if g.get("bd") else None)
    if a is None or b is None or not a < b:
        return None
    letter, is_time, _ = _unit(g["unit"])
    return ("DURATION", ("PT" if is_time else "P") + "X" + letter.replace("2W", "W"), None, "absolute")


_FRACTION_OF = re.compile(r"\s{1,3}of\s{1,3}(?!(?:the\s{1,3})?(?:fiscal\s{1,3})?(?:\d{4}|this\b|last\b|next\b|that\b|year\b|fiscal\b))", re.I)


def _n_duration(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind duration."""
    text = doc.text
    u = _unit(g["unit"])
    if u is None:
        return None
    if g.get("num") and _norm(g["num"]) in ("a", "an") and _norm(g["unit"]) == "second" and not g.get("approx"):
        return None  # "a second time", "a second term"
    if g.get("num"):
        n = _num(g["num"])
        if n is None:
            return None
        if not g.get("half") and re.search(r"and\s{1,3}a\s{1,3}half", text[s:e], re.I):
            n += 0.5
    elif g.get("vague"):
        n = None
    else:
        n = _digits(g["digits"])
        if n is None or (1500 <= n <= 2100 and not g.get("approx")):
            return None  # "the 1988 quarter"
    if g.get("half") and n is not None:
        n += 0.5
    if g.get("old"):
        if _norm(g["old"]) == "old":
            return None
    if g.get("num") and _norm(g["unit"]) in ("quarter", "quarters") and _FRACTION_OF.match(text, e):
        return None  # "three-quarters of its food", "more than a quarter of the market": a fraction
    rel = _norm(g.get("rel") or "")
    amod = APPROX.get(_norm(g["approx"])) if g.get("approx") else None
    if g.get("vague") and rel in ("past", "last") and _norm(g["vague"]) in ("several",):
        return ("DURATION", dur_value(None, g["unit"]), amod, "absolute")
    if g.get("num") and _norm(g["num"]) in ("a", "an") and not g.get("the") and not amod:
        # a rate: "$1.76 a year", "four flights a week", "700 seats a week" -> not a timex
        pm = _PREV_WORD.search(text, max(0, s - 24), s)
        pw = pm.group(1).lower() if pm else ""
        if pw and (pw[-1].isdigit() or (pw.endswith("s") and len(pw) > 3 and pw not in _RATE_OK)
                   or pw in ("million", "billion", "thousand", "hundred", "percent", "cents", "dollars")):
            return None
    return ("DURATION", dur_value(n, g["unit"]), amod, "absolute")


def _n_long_adj(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind long_adj: one unit ("day-long") or an unknown number of them ("weeks-long")."""
    unit = g["unit"]
    n = None if _norm(unit).endswith("s") else 1
    return ("DURATION", dur_value(n, unit), None, "absolute", (e - len(unit) - 5, e))


def _n_duration_bare(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind duration_bare."""
    text = doc.text
    if g.get("unit1"):
        unit = _norm(g["unit1"])
        rel = _norm(g["rel"])
        if rel in ("past", "last", "next", "coming", "first"):
            return ("DURATION", dur_value(1, unit), None, "absolute")
        return None
    unit = _norm(g["unit2"])
    pm = _PREV_WORD.search(text, max(0, s - 24), s)
    pw = pm.group(1).lower() if pm else ""
    if pw in ("for", "in", "within", "over", "took", "take", "takes", "lasted", "last", "spent", "spend"):
        return ("DURATION", dur_value(None, unit), None, "absolute")
    return None


def _n_fixed_md(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind fixed_md."""
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    w = _norm(g["fx"])
    spec = FIXED[w]
    t, _, arg = spec.partition(":")
    if t == "ref":
        return ("DATE", f"{arg}_REF", None, "absolute")
    if t == "dur":
        return ("DURATION", arg, None, "absolute")
    if t == "day":
        if A.date is None or not A.ok("day"):
            return _vague(mod, akind, )
        return ("DATE", fmt_day(A.date + _dt.timedelta(int(arg))), None, akind)
    if t == "pod":
        n, code = arg.split(":")
        if A.date is None or not A.ok("day"):
            return ("TIME", f"XXXX-XX-XXT{code}", None, akind)
        return ("TIME", f"{fmt_day(A.date + _dt.timedelta(int(n)))}T{code}", None, akind)
    if t == "time":
        base = doc.prev_day if doc.prev_day is not None else (A.date if A.ok("day") else None)
        if base is None:
            return ("TIME", f"XXXX-XX-XXT{arg}", None, akind)
        return ("TIME", f"{fmt_day(base)}T{arg}", None, "previous" if doc.prev_day is not None else akind)
    return None


def _n_time_date(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kinds time_date, time24, clock_pod."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    h = int(g.get("h") or g["h2"])
    mi = int(g.get("mi") or g.get("mi2") or 0)
    ap = _norm(g.get("ap") or "")
    if kind == "clock_pod":
        pm = _PREV_WORD.search(text, max(0, s - 24), s)
        if not pm or pm.group(1).lower() not in BARE_HOUR_AFTER:
            return None
    if g.get("pod"):  # "4 in the morning", "5 in the afternoon"
        ap = POD_HALF[_norm(g["pod"])]
    elif g.get("night"):  # "11 at night" (evening), "2 at night" (small hours)
        ap = "pm" if NIGHT_PM_HOURS[0] <= h <= NIGHT_PM_HOURS[1] else "am"
    if ap:
        if not 1 <= h <= 12:
            return None
        if ap.startswith("p") and h != 12:
            h += 12
        if ap.startswith("a") and h == 12:
            h = 0
    if h > 23:
        return None
    hhmm = f"T{h:02d}:{mi:02d}"
    if g.get("mon"):
        mo = _is_month(g["mon"])
        day = int(g["d"])
        if g.get("y"):
            d = _safe_date(int(g["y"]), mo, day)
            if d is None:
                return None
            return ("TIME", fmt_day(d) + hhmm, None, "absolute")
        if A.date is None or not A.ok("year"):
            return ("TIME", f"XXXX-{mo:02d}-{day:02d}{hhmm}", None, akind)
        r = choose_year(lambda y: (lambda d: (d, d, d) if d else None)(_safe_date(y, mo, day)), A.date, tense(text, s, e))
        if r is None:
            return None
        return ("TIME", fmt_day(r[0]) + hhmm, None, akind)
    if g.get("wd"):
        wd = _wd(g["wd"])
        if A.date is None or not A.ok("day"):
            return ("TIME", f"XXXX-WXX-{wd}{hhmm}", None, akind)
        d = weekday_date(A.date, wd, *tense_cue(text, s, e))
        return ("TIME", fmt_day(d) + hhmm, None, akind)
    if doc.prev_day is not None:
        # news convention: a bare clock time is on the day last mentioned
        return ("TIME", fmt_day(doc.prev_day) + hhmm, None, "previous")
    if A.date is None or not A.ok("day"):
        return ("TIME", "XXXX-XX-XX" + hhmm, None, akind)
    return ("TIME", fmt_day(A.date) + hhmm, None, akind)


def _n_year(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind year."""
    text = doc.text
    mod = _mod(g)
    y = int(g["y"])
    if _reject_number(text, s + (len(text[s:e]) - len(text[s:e].lstrip())), e) and not g.get("mod"):
        return None
    return ("DATE", f"{y:04d}", mod, "absolute")


def _n_year_range(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind year_range."""
    return None  # handled in tag() (two timexes)


def _n_year_ago(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind year_ago."""
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    w = _norm(g["w"])
    if A.date is None or not A.ok("year"):
        return _vague(mod, akind, value="XXXX")
    if doc.last_quarter is not None:
        return ("DATE", shift_value(doc.last_quarter, "quarter", -4), None, akind)
    if w == "quarter":
        return ("DATE", shift_value(A.date, "quarter", -1), None, akind)
    return ("DATE", f"{A.date.year - 1:04d}", None, akind)


def _n_the_quarter(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind the_quarter."""
    A = doc.anchor
    akind = A.kind
    # "the quarter", "the latest quarter": the quarter under discussion, else the last completed one
    if doc.last_quarter is not None:
        return ("DATE", shift_value(doc.last_quarter, "quarter", 0), None, "previous")
    if A.date is None or not A.ok("quarter"):
        return ("DATE", "XXXX-QX", None, akind)
    return ("DATE", shift_value(A.date, "quarter", -1), None, akind)


def _n_spelled_year(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind spelled_year."""
    text = doc.text
    words = _norm(g["sy"]).replace("-", " ").split()
    if words[:2] == ["two", "thousand"] and not _norm(text[s:e]).startswith("the year"):
        pm = _PREV_WORD.search(text, max(0, s - 24), s)
        if not pm or pm.group(1).lower() not in ("in", "by", "since", "until", "before", "after", "through", "of"):
            return None  # "two thousand troops"
    if words[:2] == ["two", "thousand"]:
        rest = [w for w in words[2:] if w != "and"]
        n = 2000 + (int(_num(" ".join(rest)) or 0) if rest else 0)
    else:
        hi = NUMBERS.get(words[0])
        rest = words[1:]
        if rest == ["hundred"]:
            lo = 0
        else:
            lo = _num(" ".join(rest[:2])) if rest else None
        if hi is None or lo is None or lo >= 100:
            return None
        n = hi * 100 + int(lo)
    return ("DATE", f"{n:04d}", None, "absolute")


def _n_word_ref(kind: str, g: dict, s: int, e: int, doc: Doc):
    """Rule kind word_ref."""
    text = doc.text
    A = doc.anchor
    akind = A.kind
    mod = _mod(g)
    w = _norm(g["w"])
    if w == "recent":
        return ("DATE", "PAST_REF", None, "absolute")
    if w == "future":
        return ("DATE", "FUTURE_REF", None, "absolute")
    if w in ("year-end", "year end", "year's end", "year’s end"):
        if A.date is None or not A.ok("year"):
            return _vague(mod, akind, value="XXXX-12-31")
        return ("DATE", f"{A.date.year:04d}-12-31", None, akind)
    if w in ("the weekend", "weekend"):
        if w == "weekend":
            return None
        if A.date is None or not A.ok("day"):
            return ("DATE", "XXXX-WXX-WE", None, akind)
        # the weekend: the coming one if the clause is future, else the last one
        direction = tense(text, s, e)
        dd = A.date
        if dd.isoweekday() >= 6:
            return ("DATE", fmt_week(dd) + "-WE", None, akind)
        if direction == "future":
            return ("DATE", fmt_week(dd) + "-WE", None, akind)
        return ("DATE", fmt_week(dd - _dt.timedelta(7)) + "-WE", None, akind)
    return None


NORMALISERS = {
    "iso": _n_iso,
    "compact": _n_iso,
    "slash": _n_slash,
    "mdy": _n_mdy,
    "dmy": _n_mdy,
    "rel_mdy": _n_mdy,
    "week_of": _n_mdy,
    "month_year": _n_month_year,
    "month_relyear": _n_month_relyear,
    "named_time": _n_named_time,
    "month": _n_month,
    "week_of_month": _n_week_of_month,
    "quarter_code": _n_quarter_code,
    "quarter": _n_quarter,
    "decade": _n_decade,
    "century": _n_century,
    "fiscal": _n_fiscal,
    "holiday": _n_holiday,
    "ago": _n_ago,
    "mod_the_unit": _n_mod_the_unit,
    "earlier_this": _n_earlier_this,
    "rel_unit": _n_rel_unit,
    "weekday": _n_weekday,
    "season": _n_season,
    "year_season": _n_season,
    "set": _n_set,
    "duration_range": _n_duration_range,
    "duration": _n_duration,
    "duration_bare": _n_duration_bare,
    "long_adj": _n_long_adj,
    "fixed_md": _n_fixed_md,
    "time_date": _n_time_date,
    "time24": _n_time_date,
    "clock_pod": _n_time_date,
    "year": _n_year,
    "year_range": _n_year_range,
    "year_ago": _n_year_ago,
    "the_quarter": _n_the_quarter,
    "spelled_year": _n_spelled_year,
    "word_ref": _n_word_ref,
}


def normalise(kind: str, g: dict, s: int, e: int, doc: Doc):
    """-> (type, value, mod, anchor_kind[, (s, e)]) or None to drop the match."""
    return NORMALISERS[kind](kind, g, s, e, doc)
