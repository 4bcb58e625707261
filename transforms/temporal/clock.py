"""Clock times: "5 p.m.", "0735 GMT", "4 in the morning", "noon Friday", "10:30 a.m. Oct. 5"."""
from __future__ import annotations

import datetime as _dt
from dataclasses import replace

from .common import Norm, day_or_none, mod_of, month_of, weekday_of
from .context import tense, tense_cue
from .dates import choose_year, fmt_day, safe_date, weekday_date
from .tables import BARE_HOUR_AFTER, FIXED, K, NIGHT_PM_HOURS, POD_HALF, norm, prev_word

_UTC = frozenset(K["clock"]["utc_zones"])


def n_named_time(kind, g, s, e, doc):
    """Rule kind named_time: "noon Friday", "midnight tomorrow"."""
    A = doc.anchor
    hhmm = "T" + FIXED[norm(g["nt"])].split(":", 1)[1]
    if A.date is None or not A.ok("day"):
        return Norm("TIME", "XXXX-XX-XX" + hhmm, None, A.kind)
    if g.get("wd"):
        d = weekday_date(A.date, weekday_of(g["wd"]), *tense_cue(doc.text, s, e))
    else:
        d = A.date + _dt.timedelta(int(FIXED[norm(g["rel"])].split(":")[1]))
    return Norm("TIME", fmt_day(d) + hhmm, None, A.kind)


def _hour24(kind, g, s, doc) -> int | None:
    """The hour on a 24-hour clock, or None when the match is not a clock time."""
    h = int(g.get("h") or g["h2"])
    ap = norm(g.get("ap") or "")
    if kind == "clock_pod" and prev_word(doc.text, s) not in BARE_HOUR_AFTER:
        return None
    if g.get("pod"):  # "4 in the morning", "5 in the afternoon"
        ap = POD_HALF[norm(g["pod"])]
    elif g.get("night"):  # "11 at night" (evening), "2 at night" (small hours)
        ap = "pm" if NIGHT_PM_HOURS[0] <= h <= NIGHT_PM_HOURS[1] else "am"
    if ap:
        if not 1 <= h <= 12:
            return None
        if ap.startswith("p") and h != 12:
            h += 12
        if ap.startswith("a") and h == 12:
            h = 0
    return h if h <= 23 else None


def n_time_date(kind, g, s, e, doc):
    """Rule kinds time_date, time24, clock_pod: a clock time, on the date named with it, else on
    the day last mentioned (news convention), else on the anchor ("around 7 p.m.": mod APPROX)."""
    r = _clock_time(kind, g, s, e, doc)
    return replace(r, mod=mod_of(g)) if r is not None and g.get("approx") else r


def _clock_time(kind, g, s, e, doc):
    text = doc.text
    A = doc.anchor
    akind = A.kind
    h = _hour24(kind, g, s, doc)
    if h is None:
        return None
    hhmm = f"T{h:02d}:{int(g.get('mi') or g.get('mi2') or 0):02d}"
    if g.get("tz") and norm(g["tz"]) in _UTC:
        hhmm += "Z"
    if g.get("mon"):
        mo = month_of(g["mon"])
        day = int(g["d"])
        if g.get("y"):
            d = safe_date(int(g["y"]), mo, day)
            if d is None:
                return None
            return Norm("TIME", fmt_day(d) + hhmm)
        if A.date is None or not A.ok("year"):
            return Norm("TIME", f"XXXX-{mo:02d}-{day:02d}{hhmm}", None, akind)
        r = choose_year(lambda y: day_or_none(y, mo, day), A.date, tense(text, s, e))
        if r is None:
            return None
        return Norm("TIME", fmt_day(r[0]) + hhmm, None, akind)
    if g.get("wd"):
        wd = weekday_of(g["wd"])
        if A.date is None or not A.ok("day"):
            return Norm("TIME", f"XXXX-WXX-{wd}{hhmm}", None, akind)
        d = weekday_date(A.date, wd, *tense_cue(text, s, e))
        return Norm("TIME", fmt_day(d) + hhmm, None, akind)
    day = doc.day_discussed(s, e)
    if day is not None:
        return Norm("TIME", fmt_day(day) + hhmm, None, "previous")
    if A.date is None or not A.ok("day"):
        return Norm("TIME", "XXXX-XX-XX" + hhmm, None, akind)
    return Norm("TIME", fmt_day(A.date) + hhmm, None, akind)


NORMALISERS = {
    "named_time": n_named_time,
    "time_date": n_time_date,
    "time24": n_time_date,
    "clock_pod": n_time_date,
}
