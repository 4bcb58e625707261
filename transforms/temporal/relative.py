"""Relative and anchored references: "last week", "the following month", "this spring", "next
Tuesday", "Friday night", "three years ago", "two days later", "the end of the year", "earlier
this month", "yesterday", "tonight", "the weekend", "recently"."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import replace

from .common import Norm, attributive, cap, digits, mod_of, number, unit, weekday_of, words
from .context import tense, tense_cue
from .dates import PREC_ORDER, SEASON_MONTHS, UNKNOWN_VALUE, fmt_day, fmt_week, shift_value, weekday_date
from .durations import dur_value
from .tables import APPROX, FIXED, K, MONTHS, NEXT_WORD, PODS, SEASONS, WEEKDAYS, alternation, norm, prev_word, sentence_initial

_REL = K["relation"]
_OFFSETS = _REL["offsets"]
_ANAPHORIC = words("relation", "anaphoric")
_ANAPHORIC_THE = words("relation", "anaphoric_with_the")
_YEAR_BEFORE = words("relation", "year_before")
_POD_TIME = words("relation", "pod_time")
_POD_TIME_NIGHT = words("relation", "pod_time_night")
_SAME_DAY = words("relation", "same_day")
_PAST_UNIT = words("relation", "past_unit")
_PAST_SPAN, _PAST_SPAN_REL = K["relation"]["past_span"], words("relation", "past_span_rel")
_DISCUSSED_Q = words("relation", "discussed_quarter")
_DAY_MOD_KINDS = words("relation", "day_mod_kinds")
_TITLE_UNITS = words("relation", "title_units")
_PERIODS = words("relation", "periods")
_AGO = K["ago"]
_INSIDE = frozenset(_AGO["inside"])
_FROM_PREVIOUS = frozenset(_AGO["from_previous"])
_TO_EVENT = frozenset(_AGO["to_event"])
_COMPARISON = _AGO["comparison"]
_COMPARED = re.compile(r"\b(?:%s)\s{1,3}$" % "|".join(re.escape(w) for w in _AGO["compared_after"]), re.I)
_WR = K["word_ref"]
_DISCOURSE = frozenset(_WR["discourse_marker"])
_IDIOM_AFTER = _WR["idiom_after"]
_OPENING_QUOTES = frozenset("\"“‘'`")
_NAME_OK_BEFORE = frozenset(_WR["name_ok_before"]) | frozenset(MONTHS) | frozenset(WEEKDAYS)
_CAP_BEFORE = re.compile(r"([A-Z][\w&.-]*)[ \t]$")
_SHARED_POD = re.compile(r"\s{1,3}%s\s{1,3}%s\s{1,3}(%s)s\b" % (
    alternation(words("relation", "coordinators")), alternation(WEEKDAYS), alternation(PODS)), re.I)


def _in_name(text: str, s: int, e: int) -> bool:
    """"Midnight Oil", "The Today Show", "USA Today": a capitalised word in mid-sentence next to another
    capitalised word (not a weekday, month or zone) is part of a name."""
    if not text[s:s + 1].isupper() or sentence_initial(text, s) \
            or text[s - 1:s] in _OPENING_QUOTES:  # '"Today Lin Dan is out of order," Chen said'
        return False
    before = _CAP_BEFORE.search(text, max(0, s - 24), s)
    if before is not None and norm(before.group(1)).rstrip(".") not in _NAME_OK_BEFORE:
        return True
    m = NEXT_WORD.match(text, e) if text[e:e + 1] == " " else None
    return m is not None and m.group(1)[:1].isupper() and norm(m.group(1)).rstrip(".") not in _NAME_OK_BEFORE


def _discourse_marker(text: str, s: int, e: int) -> bool:
    """"Now, he says ...": the word opens its sentence and a comma follows it."""
    return text[e:e + 1] == "," and norm(text[s:e]) in _DISCOURSE and sentence_initial(text, s)




def _ref(sign: int) -> str:
    return "PAST_REF" if sign < 0 else "FUTURE_REF"


def _resolve_distance(doc, s, n, u, relation: str, base, ak) -> tuple[str, str]:
    """(value, anchor kind) of the date that lies n units of u (TimeML letter, is time, granularity)
    before / after the anchor base; a *_REF when it cannot be computed."""
    letter, is_time, gran = u
    sign = -1 if relation == "before" else 1
    if n is None or gran == "time" or base.date is None:
        if gran == "time" and base.date is not None and PREC_ORDER.get(base.prec, 9) <= 1:
            return fmt_day(base.date), ak
        return _ref(sign), ak
    if letter == "2W":
        n, gran = n * 2, "week"
    if gran == "year" and n == 1 and sign < 0 and doc.quarter_near(s):
        # earnings news: "a year earlier" = the same quarter a year before the quarter just discussed
        return shift_value(doc.last_quarter, "quarter", -4), ak
    if n != int(n):
        return _ref(sign), ak
    n = int(n)
    if gran in ("decade", "century"):
        n, gran = n * (10 if gran == "decade" else 100), "year"
    if not base.ok(gran):
        return _ref(sign), ak
    if gran == "day":
        return fmt_day(base.date + _dt.timedelta(sign * n)), ak
    return shift_value(base.date, gran, sign * n), ak


def n_ago(kind, g, s, e, doc):
    """Rule kind ago: N units ago / earlier / later / before / after / from now / hence / since.
    "three years ago" is a DATE, and so is the comparison "a year earlier"; with the other relation
    words the TIMEX3 is the DURATION ("three weeks" later, P3W) and the date it points to is kept as
    the resolved value."""
    text = doc.text
    u = unit(g["unit"])
    if u is None:
        return None
    n = number(g.get("num")) if g.get("num") else (digits(g["digits"]) if g.get("digits") else None)
    if g.get("num") and n is None:
        return None
    signal = norm(g["dir"])
    relation = _AGO["relation"][signal]
    amod = APPROX.get(norm(g["approx"])) if g.get("approx") else None
    if signal in _FROM_PREVIOUS:
        base, ak = doc.prev_anchor(u[2] if u[2] != "time" else "day")
    else:
        base, ak = doc.anchor, doc.anchor.kind
    if signal in _INSIDE or n == 1 and _COMPARISON.get(signal) == u[2]:
        value, ak = _resolve_distance(doc, s, n, u, relation, base, ak)
        compared = signal not in _INSIDE or _COMPARED.search(text, max(0, s - 16), s) is not None
        return Norm("DATE", value, amod, ak, comparison=compared)
    inner = text[s:e - len(g["dir"])]  # the match without its relation word, then without blanks
    span = (s + len(inner) - len(inner.lstrip()), s + len(inner.rstrip()))
    duration = dur_value(n, g["unit"])
    if signal in _TO_EVENT:
        return Norm("DURATION", duration, amod, span=span, relation=relation)
    value, ak = _resolve_distance(doc, s, n, u, relation, base, ak)
    if value.endswith("_REF"):
        return Norm("DURATION", duration, amod, span=span, relation=relation)
    return Norm("DURATION", duration, amod, ak, span, value, relation)


def n_mod_the_unit(kind, g, s, e, doc):
    """Rule kind mod_the_unit: "the end of the year", "by the middle of next month"."""
    A = doc.anchor
    mod = mod_of(g)
    u = norm(g["unit"])
    rel = norm(g["rel"])
    base, ak = (A, A.kind) if rel not in _ANAPHORIC else doc.prev_anchor(u)
    if base.date is None or not base.ok(u):
        return Norm("DATE", UNKNOWN_VALUE.get(u, "XXXX"), mod, ak)
    return Norm("DATE", shift_value(base.date, u, _OFFSETS.get(rel, 0)), mod, ak)


def n_earlier_this(kind, g, s, e, doc):
    """Rule kind earlier_this: "earlier this month", "later this year", "late last week"."""
    A = doc.anchor
    u = norm(g["unit"])
    rel = norm(g.get("rel") or "")
    m2 = _REL["position_mod"][norm(g["mod"])]
    if u == "day" and not rel:
        return None  # "earlier in the day": news annotation leaves it out (a vague part of the day)
    base, ak = A, A.kind
    if not rel or rel in _ANAPHORIC:
        base, ak = doc.prev_anchor(u)
        if u == "day" and ak != "previous" and doc.coarse_day():
            return Norm("DATE", doc.coarse_day(), m2, "previous")
    if base.date is None or not base.ok(u):
        return Norm("DATE", "XXXX", m2, ak)
    return Norm("DATE", shift_value(base.date, u, _OFFSETS.get(rel, 0)), m2, ak)


def _weekday_shift(dd, wd: int, n: int):
    delta = wd - dd.isoweekday()
    if n < 0:
        return dd + _dt.timedelta(delta if delta < 0 else delta - 7)
    if n > 0:
        return dd + _dt.timedelta(delta if delta > 0 else delta + 7)
    return dd + _dt.timedelta(delta)


def _season_year(d, code: str, n: int) -> int:
    """The year of the season `code` that is n seasons-of-that-name from the one around d."""
    y = d.year
    a, b = SEASON_MONTHS[code]
    cur_m = d.month
    in_season = (a <= cur_m <= b) if a <= b else (cur_m >= a or cur_m <= b)
    if n < 0:
        y = y - 1 if (in_season or cur_m < a) else y
    elif n > 0:
        y = y + 1 if (in_season or cur_m > b and a <= b) else y
    if code == "WI" and cur_m <= 2 and n == 0:
        y -= 1
    return y


def n_rel_unit(kind, g, s, e, doc):
    """Rule kind rel_unit: a relation word + a unit or a name ("last week", "the following
    month", "next Tuesday", "this spring", "that evening", "the year-earlier period")."""
    A = doc.anchor
    mod = mod_of(g)
    rel = norm(g["rel"])
    unit_raw = g["unit"]
    u = _REL["unit_alias"].get(norm(unit_raw), norm(unit_raw))
    the = bool(g.get("the"))
    if u in _TITLE_UNITS and unit_raw[:1].isupper() and unit_raw[1:].islower():
        return None  # a title mid-sentence: ABC's "This Week"
    pod = PODS.get(norm(g["pod"])) if g.get("pod") else None
    base, ak = A, A.kind
    if rel in _ANAPHORIC or (the and rel in _ANAPHORIC_THE):
        need = u if u in PREC_ORDER else ("year" if u in MONTHS or u in SEASONS else "day")
        base, ak = doc.prev_anchor(need)
    n = _OFFSETS.get(rel, 0)
    if u in PODS:
        code = PODS[u]
        if base.date is None or not base.ok("day"):
            return Norm("TIME", f"XXXX-XX-XXT{code}", mod, ak)
        if rel in _POD_TIME or (rel in _POD_TIME_NIGHT and code == "NI"):
            return Norm("TIME", f"{fmt_day(base.date + _dt.timedelta(n))}T{code}", mod, ak)
        # "the next morning", "that evening": the day
        return Norm("DATE", fmt_day(base.date + _dt.timedelta(n)), mod, ak)
    if u in MONTHS:
        if not cap(unit_raw):
            return None
        mo = MONTHS[u]
        if base.date is None or not base.ok("year"):
            return Norm("DATE", f"XXXX-{mo:02d}", mod, ak)
        y = base.date.year
        if n < 0:
            y = y - 1 if mo >= base.date.month else y
        elif n > 0:
            y = y + 1 if mo <= base.date.month else y
        return Norm("DATE", f"{y:04d}-{mo:02d}", mod, ak)
    if u in WEEKDAYS or weekday_of(u):
        if not cap(unit_raw):
            return None
        wd = weekday_of(u)
        if base.date is None or not base.ok("day"):
            return Norm("DATE", f"XXXX-WXX-{wd}", mod, ak)
        v = fmt_day(_weekday_shift(base.date, wd, n))
        return Norm("TIME", f"{v}T{pod}", mod, ak) if pod else Norm("DATE", v, mod, ak)
    if u in SEASONS:
        code = SEASONS[u]
        if base.date is None or not base.ok("year"):
            return Norm("DATE", f"XXXX-{code}", mod, ak)
        return Norm("DATE", f"{_season_year(base.date, code, n):04d}-{code}", mod, ak)
    if u == _REL["weekend"]:
        if base.date is None or not base.ok("day"):
            return Norm("DATE", "XXXX-WXX-WE", mod, ak)
        if n == 0 and base.date.isoweekday() < 6 and tense(doc.text, s, e) == "past":
            n = -1                         # "held a sale this weekend" in a Wednesday's article: the one just past
        return Norm("DATE", shift_value(base.date, "week", n) + "-WE", mod, ak)
    if u in _PERIODS:
        if rel in _YEAR_BEFORE and u == _REL["period"]:
            if doc.last_quarter is not None:
                return Norm("DATE", shift_value(doc.last_quarter, "quarter", -4), mod, ak)
            if base.date is None or not base.ok("year"):
                return Norm("DATE", "XXXX", mod, ak)
            return Norm("DATE", f"{base.date.year - 1:04d}", mod, ak)
        return None
    if u == "day":
        if rel in _SAME_DAY and ak == "previous":
            n = 0
        if rel in _ANAPHORIC and rel in _SAME_DAY and ak != "previous" and doc.coarse_day():
            return Norm("DATE", doc.coarse_day(), mod, "previous")
        if base.date is None or not base.ok("day"):
            return Norm("DATE", "XXXX-XX-XX", mod, ak)
        if rel in _PAST_UNIT and the:
            return Norm("DURATION", "P1D")
        return Norm("DATE", fmt_day(base.date + _dt.timedelta(n)), mod, ak)
    if u in _PAST_SPAN and rel in _PAST_SPAN_REL and the:
        return Norm("DURATION", _PAST_SPAN[u])
    if rel in _YEAR_BEFORE:
        if u == "quarter" and doc.last_quarter is not None:
            return Norm("DATE", shift_value(doc.last_quarter, "quarter", -4), mod, ak)
        if u == "quarter" and base.date is not None and base.ok("quarter"):
            return Norm("DATE", shift_value(base.date, "quarter", -4), mod, ak)
        u, n = "year", -1
    if u == "quarter" and rel in _DISCUSSED_Q and doc.last_quarter is not None:
        return Norm("DATE", shift_value(doc.last_quarter, "quarter", 0), mod, ak)
    if base.date is None or not base.ok(u):
        return Norm("DATE", UNKNOWN_VALUE.get(u, "XXXX"), mod, ak)
    return Norm("DATE", shift_value(base.date, u, n), mod, ak)


def n_weekday(kind, g, s, e, doc):
    """Rule kind weekday: "Friday", "early Monday", "Friday night", "Fridays"."""
    A = doc.anchor
    akind = A.kind
    if not cap(g["wd"]):
        return None
    wd = weekday_of(g["wd"])
    if wd is None:
        return None
    pod = PODS.get(norm(g["pod"])) if g.get("pod") else None
    shared = None if pod or g.get("plural") else _SHARED_POD.match(doc.text, e)  # "Monday and Tuesday nights"
    if g.get("plural") or g.get("plural2") or shared:
        pod = pod or (PODS[norm(shared.group(1))] if shared else None)
        return Norm("SET", f"XXXX-WXX-{wd}" + (f"T{pod}" if pod else ""))
    m2 = _REL["day_mod"].get(norm(g["mod"])) if g.get("mod") else None
    # "Friday night": a TIME, the TimeML part of day on that date
    typ, tpod = ("TIME", f"T{pod}") if pod else ("DATE", "")
    if A.date is None or not A.ok("day"):
        return Norm(typ, f"XXXX-WXX-{wd}{tpod}", m2, akind)
    d = weekday_date(A.date, wd, *tense_cue(doc.text, s, e))
    return Norm(typ, f"{fmt_day(d)}{tpod}", m2, akind)


def n_fixed_md(kind, g, s, e, doc):
    """Rule kind fixed_md: the [fixed] expressions ("yesterday", "tonight", "now", "noon")."""
    A = doc.anchor
    akind = A.kind
    t, _, arg = FIXED[norm(g["fx"])].partition(":")
    if _in_name(doc.text, s, e) or prev_word(doc.text, s) in _IDIOM_AFTER.get(norm(g["fx"]), ()):
        return None
    if g.get("mod"):
        if t not in _DAY_MOD_KINDS:  # "earlier recently": the position word is not part of it
            return replace(n_fixed_md(kind, {"fx": g["fx"]}, s, e, doc), span=(e - len(g["fx"]), e))
        m2 = _REL["day_mod"].get(norm(g["mod"]))
        return replace(n_fixed_md(kind, {"fx": g["fx"]}, s, e, doc), mod=m2)
    if t == "ref":
        if _discourse_marker(doc.text, s, e) or g["fx"][:4].lower() == "the " and attributive(doc.text, s, e):
            return None
        return Norm("DATE", f"{arg}_REF")
    if t == "dur":
        return Norm("DURATION", arg)
    if t == "day":
        if A.date is None or not A.ok("day"):
            return Norm("DATE", "XXXX-XX-XX", mod_of(g), akind)
        return Norm("DATE", fmt_day(A.date + _dt.timedelta(int(arg))), None, akind)
    if t == "pod":
        n, code = arg.split(":")
        if A.date is None or not A.ok("day"):
            return Norm("TIME", f"XXXX-XX-XXT{code}", None, akind)
        return Norm("TIME", f"{fmt_day(A.date + _dt.timedelta(int(n)))}T{code}", None, akind)
    if t == "time":
        return _on_day_discussed(doc, s, e, arg)
    return None


def _on_day_discussed(doc, s: int, e: int, clock: str, mod: str | None = None) -> Norm:
    """A TIME ("noon", "mid-afternoon") on the day under discussion (Doc.day_discussed), else on the anchor's day."""
    A = doc.anchor
    day = doc.day_discussed(s, e)
    base = day if day is not None else (A.date if A.ok("day") else None)
    if base is None:
        return Norm("TIME", f"XXXX-XX-XXT{clock}", mod, A.kind)
    return Norm("TIME", f"{fmt_day(base)}T{clock}", mod, "previous" if day is not None else A.kind)


def n_mid_pod(kind, g, s, e, doc):
    """Rule kind mid_pod: "mid-afternoon" (on the day under discussion), "mid-morning yesterday"."""
    code = PODS[norm(g["pod"])]
    if g.get("fx"):
        r = n_fixed_md(kind, {"fx": g["fx"]}, s, e, doc)
        return Norm("TIME", f"{r.value}T{code}", "MID", r.anchor) if r is not None and r.type == "DATE" else None
    return _on_day_discussed(doc, s, e, code, "MID")


def n_word_ref(kind, g, s, e, doc):
    """Rule kind word_ref: "year-end", "the weekend", "recent", "future"."""
    A = doc.anchor
    akind = A.kind
    w = norm(g["w"])
    if w in _WR["present"]:
        return Norm("DATE", "PRESENT_REF")
    if w in _WR["past"]:
        return Norm("DATE", "PAST_REF")
    if w in _WR["future"]:
        return Norm("DATE", "FUTURE_REF")
    if w in _WR["year_end"]:  # the end of the year, as TimeML writes "the end of 1989": 1989 with mod END
        if A.date is None or not A.ok("year"):
            return Norm("DATE", "XXXX", "END", akind)
        # "since year-end": the last one passed
        y = A.date.year - (prev_word(doc.text, s) in _WR["past_year_end_after"] and (A.date.month, A.date.day) != (12, 31))
        return Norm("DATE", f"{y:04d}", "END", akind)
    if w != _WR["the_weekend"]:
        return None
    if A.date is None or not A.ok("day"):
        return Norm("DATE", "XXXX-WXX-WE", None, akind)
    # the weekend: the coming one if the clause is future (or the DCT is in it), else the last one
    dd = A.date
    if dd.isoweekday() >= 6 or tense(doc.text, s, e) == "future":
        return Norm("DATE", fmt_week(dd) + "-WE", None, akind)
    return Norm("DATE", fmt_week(dd - _dt.timedelta(7)) + "-WE", None, akind)


NORMALISERS = {
    "mid_pod": n_mid_pod,
    "ago": n_ago,
    "mod_the_unit": n_mod_the_unit,
    "earlier_this": n_earlier_this,
    "rel_unit": n_rel_unit,
    "weekday": n_weekday,
    "fixed_md": n_fixed_md,
    "word_ref": n_word_ref,
}
