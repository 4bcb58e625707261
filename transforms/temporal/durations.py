"""Durations and sets: "three weeks", "about two years", "the past 10 days", "weeks-long",
"every Monday", "twice a week", "daily"."""
from __future__ import annotations

import re
from dataclasses import replace

from .common import Norm, cap, digits, mod_of, number, unit, weekday_of, month_of, words
from .tables import APPROX, K, PODS, SEASONS, SETADV, UNITS, norm, prev_word, sentence_initial

_SMALLER = {("Y", False): (12, "M", False), ("M", False): (30, "D", False), ("W", False): (7, "D", False),
            ("D", False): (24, "H", True), ("H", True): (60, "M", True), ("M", True): (60, "S", True)}
_IN_YEARS = K["unit_in_years"]
_W = K["duration_words"]
_ONE_SECOND_NUM = frozenset(_W["not_one_second"]["num"])
_ONE_SECOND_UNIT = _W["not_one_second"]["unit"]
_RATE_AFTER = words("duration_words", "rate_after")
_RATE_NOT_PLURAL = words("duration_words", "rate_not_plural")
_FRACTION_UNITS = words("duration_words", "fraction_units")
_VAGUE_PAST = words("duration_words", "vague_past")
_PAST_REL = words("relation", "past_unit")
_BARE_REL = words("relation", "duration_bare")
_APPROX_PREPOSITIONS = words("approx_prepositions", "words")
_BARE_PLURAL_AFTER = words("duration_words", "bare_plural_after")
_AND_A_HALF = re.compile(r"\s{1,3}".join(_W["and_a_half"].split()), re.I)
_FRACTION_OF = re.compile(_W["fraction_of"], re.I)


def dur_value(n: float | None, unit_word: str) -> str:
    """TimeML duration value of n units ("P3W", "PT2H", "P1Y6M"; n None -> "PXY")."""
    letter, is_time, _ = unit(unit_word)
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
    parts = [p for p in parts if p[0]] or [(0, letter, is_time)]  # "0 days" is P0D, never an empty "P"
    date_p = "".join(f"{c}{l}" for c, l, t in parts if not t)
    time_p = "".join(f"{c}{l}" for c, l, t in parts if t)
    return "P" + date_p + ("T" + time_p if time_p else "")


def n_set(kind, g, s, e, doc):
    """Rule kind set."""
    text = doc.text
    if g.get("adv"):
        if cap(g["adv"]) and not sentence_initial(text, s):
            return None  # "China Daily", "the Weekly Standard": a name
        return Norm("SET", SETADV[norm(g["adv"])])
    if g.get("span"):
        return Norm("SET", dur_value(1, g["unit2"]))
    u = norm(g["unit"])
    n = g.get("num")
    nn = 1
    if n:
        if norm(n) == _W["other"]:
            nn = 2
        else:
            nn = number(n) if not n.isdigit() else int(n)
            if nn is None:
                return None
    if u in UNITS:
        return Norm("SET", dur_value(nn, u))
    if weekday_of(u):
        return Norm("SET", f"XXXX-WXX-{weekday_of(u)}")
    if u in PODS:
        return Norm("SET", f"XXXX-XX-XXT{PODS[u]}")
    if u in SEASONS:
        return Norm("SET", f"XXXX-{SEASONS[u]}")
    if month_of(u):
        return Norm("SET", f"XXXX-{month_of(u):02d}")
    return None


def n_duration_range(kind, g, s, e, doc):
    """Rule kind duration_range: "two to three years" -> PXY."""
    a = number(g["a"]) if g.get("a") else (int(g["ad"]) if g.get("ad") else None)
    b = number(g["b"]) if g.get("b") else (int(g["bd"]) if g.get("bd") else None)
    if a is None or b is None or not a < b:
        return None
    letter, is_time, _ = unit(g["unit"])
    return Norm("DURATION", ("PT" if is_time else "P") + "X" + letter.replace("2W", "W"))


def n_duration(kind, g, s, e, doc):
    """Rule kind duration."""
    text = doc.text
    if unit(g["unit"]) is None:
        return None
    num = norm(g["num"]) if g.get("num") else None
    if num in _ONE_SECOND_NUM and norm(g["unit"]) == _ONE_SECOND_UNIT and not g.get("approx"):
        return None  # "a second time", "a second term"
    if num:
        n = number(g["num"])
        if n is None:
            return None
        if not g.get("half") and _AND_A_HALF.search(text, s, e):
            n += 0.5
    elif g.get("vague"):
        n = None
    else:
        n = digits(g["digits"])
        if n is None or (1500 <= n <= 2100 and not g.get("approx")):
            return None  # "the 1988 quarter"
    if g.get("half") and n is not None:
        n += 0.5
    if g.get("age") or (g.get("old") and norm(g["old"]) == _W["age"]):
        return None  # "five-year-old", "52 years old": an age
    if num and norm(g["unit"]) in _FRACTION_UNITS and _FRACTION_OF.match(text, e):
        return None  # "three-quarters of its food", "more than a quarter of the market": a fraction
    rel = norm(g.get("rel") or "")
    approx = norm(g["approx"]) if g.get("approx") else None
    if approx in _APPROX_PREPOSITIONS and g.get("vague"):
        # "over the next few days", "over several years": a preposition, outside the timex
        q = s + text[s:e].lower().find(g["vague"].lower(), len(approx))
        r = n_duration(kind, {**g, "approx": None}, q, e, doc)
        return replace(r, span=(q, e)) if r is not None else None
    amod = APPROX.get(approx) if approx else mod_of({"orso": g.get("orso")})
    if g.get("vague") and rel in _PAST_REL and norm(g["vague"]) in _VAGUE_PAST:
        return Norm("DURATION", dur_value(None, g["unit"]), amod)
    if num in _ONE_SECOND_NUM and not g.get("the") and not amod:
        # a rate: "$1.76 a year", "four flights a week", "700 seats a week" -> not a timex
        pw = prev_word(text, s)
        if pw and (pw[-1].isdigit() or (pw.endswith("s") and len(pw) > 3 and pw not in _RATE_NOT_PLURAL)
                   or pw in _RATE_AFTER):
            return None
    return Norm("DURATION", dur_value(n, g["unit"]), amod)


def n_long_adj(kind, g, s, e, doc):
    """Rule kind long_adj: one unit ("day-long") or an unknown number of them ("weeks-long")."""
    u = g["unit"]
    n = None if norm(u).endswith("s") else 1
    return Norm("DURATION", dur_value(n, u), span=(e - len(u) - 5, e))


def n_duration_bare(kind, g, s, e, doc):
    """Rule kind duration_bare: "the past year" -> P1Y, "for years" -> PXY."""
    if g.get("unit1"):
        if norm(g["rel"]) in _BARE_REL:
            return Norm("DURATION", dur_value(1, norm(g["unit1"])))
        return None
    if prev_word(doc.text, s) in _BARE_PLURAL_AFTER:
        return Norm("DURATION", dur_value(None, norm(g["unit2"])))
    return None


NORMALISERS = {
    "set": n_set,
    "duration_range": n_duration_range,
    "duration": n_duration,
    "duration_bare": n_duration_bare,
    "long_adj": n_long_adj,
}
