"""The knowledge tables (the TOML files of this folder) loaded once, plus the regex fragments built from them."""
from __future__ import annotations

import re
from functools import lru_cache

from transforms import knowledge

KNOWLEDGE_FILES = ("resources.toml", "context.toml", "families.toml", "rules.toml")


def _load() -> dict:
    """The knowledge files merged into one namespace (a table may be defined in one file only)."""
    k: dict = {}
    for name in KNOWLEDGE_FILES:
        part = knowledge.toml(name, __package__)
        clash = k.keys() & part.keys()
        if clash:
            raise ValueError(f"{name}: tables defined twice: {sorted(clash)}")
        k.update(part)
    return k


K = _load()
SHORT_WHOLE = frozenset(K["ambiguous_months"]["short_whole"])


@lru_cache(maxsize=16384)
def norm(s: str) -> str:
    """A matched phrase as the tables spell it: lower case, no dots, one space, straight apostrophe."""
    return " ".join(s.lower().replace(".", "").replace("’", "'").split())


def alternation(words, dot_abbrev: bool = False, dot_required: bool = False) -> str:
    """A regex alternation of table words, longest first (spaces match 1-3 blanks)."""
    out = []
    for w in sorted(set(words), key=len, reverse=True):
        p = r"\s{1,3}".join(re.escape(part) for part in w.split(" "))
        p = p.replace("'", "['’]")
        if dot_abbrev and len(w) <= 4 and w not in SHORT_WHOLE:
            p += r"\.?" if not dot_required else r"\."
        out.append(p)
    return "(?:" + "|".join(out) + ")"


MONTHS = K["months"]
WEEKDAYS = K["weekdays"]
SEASONS = K["seasons"]
PODS = K["parts_of_day"]
NUMBERS = K["numbers"]
UNITS = K["units"]
ORDINALS = K["ordinals"]
FIXED = K["fixed"]
HOLIDAYS = K["holidays"]
MODIFIERS = K["modifiers"]
APPROX = K["approx"]
APPROX_POINT = K["approx_point"]
APPROX_AFTER = K["approx_after"]
VAGUE = K["vague_numbers"]["words"]
SETADV = K["set_adverbs"]
DECWORDS = K["decade_words"]
CENTWORDS = K["century_words"]
DAY_SHIFTS = K["day_shift_prefixes"]
BARE_HOUR_AFTER = frozenset(K["clock"]["bare_hour_after"])
POD_HALF = K["clock"]["pod_half"]
NIGHT_PM_HOURS = K["clock"]["night_pm_hours"]
LAST_ORDINALS = frozenset(K["ordinal_last"]["words"])
_TENS = [w for w, v in NUMBERS.items() if isinstance(v, int) and 20 <= v <= 90 and " " not in w]
_ONES = [w for w, v in NUMBERS.items() if isinstance(v, int) and 1 <= v <= 9 and w not in ("a", "an")]

_full_wd = [w for w in WEEKDAYS if len(w) > 4]
_abbr_wd = [w for w in WEEKDAYS if len(w) <= 4]
PLACEHOLDERS = {
    "MONTH": alternation(MONTHS, dot_abbrev=True),
    "WEEKDAY": "(?:" + alternation(_full_wd)[3:-1] + "|" + alternation(_abbr_wd, dot_abbrev=True, dot_required=True)[3:-1] + ")",
    "SEASON": alternation(SEASONS),
    "POD": alternation(PODS),
    "NUM": "(?:" + alternation(_TENS)[3:-1].replace("|", "|") + r")(?:[\s-](?:" + "|".join(_ONES) + "))?|" + alternation(NUMBERS)[3:-1],
    "VAGUE": alternation(VAGUE),
    "UNIT": alternation(UNITS),
    "ORD": alternation(ORDINALS),
    "MOD": alternation(MODIFIERS),
    "APPROX": alternation(APPROX),
    "APPROXPOINT": alternation(APPROX_POINT),
    "ORSO": alternation(APPROX_AFTER),
    "FIXED": alternation(FIXED),
    "HOLIDAY": alternation(HOLIDAYS),
    "SETADV": alternation(SETADV),
    "DECWORD": alternation(DECWORDS),
    "CENTWORD": alternation(CENTWORDS),
}
PLACEHOLDERS["NUM"] = "(?:" + PLACEHOLDERS["NUM"] + ")"


def _dotted(words) -> str:
    """An alternation of abbreviations written with a dot after every letter or with none ("BC", "B.C.")."""
    return "(?:" + "|".join(f"{re.escape(w)}|{'[.]'.join(w)}[.]" for w in sorted(words, key=len, reverse=True)) + ")"


PLACEHOLDERS["ERA"] = _dotted(K["era"]["after"])
PLACEHOLDERS["ERABEFORE"] = _dotted(K["era"]["before"])
PLACEHOLDERS.update({name: f"(?:{fragment})" for name, fragment in K["fragments"].items()})


REJECT_AFTER = set(K["reject"]["after_number"])
REJECT_BEFORE = set(w.lower() for w in K["reject"]["before_number"])
STREET = set(K["reject"]["street_words"])
NEXT_WORD = re.compile(r"\s{0,3}([%$€£¥]|[A-Za-z][\w.'-]{0,30})")
PREV_WORD = re.compile(r"([\w.$€£¥#]{1,20})\s{0,3}$")


def prev_word(text: str, s: int) -> str:
    """The word (lower case) right before position s, or ""."""
    m = PREV_WORD.search(text, max(0, s - 24), s)
    return m.group(1).lower() if m else ""


_SENTENCE_START = re.compile(r"(?:^|[.!?:\n(][\"'“”‘’`]*)\s{0,3}[\"'“‘`(]{0,2}$")


def sentence_initial(text: str, s: int) -> bool:
    """Does position s open a sentence (or a line, a bracket, a quotation)?"""
    return _SENTENCE_START.search(text, max(0, s - 8), s) is not None
