"""Market mentions: find the countries (ISO-3166 alpha-2), the EU and GLOBAL statements named in a text.

The names (market_names.py: countries, the curated aliases, demonyms, institutions, capitals, cities, regions)
are merged into one case-sensitive matcher (a trie compiled into a single regex, built once per process);
subdivisions of any country are found where the text names them with their kind ("Paktika province").

Each raw match is then filtered and given a role (see ``schema.MARKET_ROLES``):

* dropped when it is a language ("websites in English, Spanish, Korean"; "(Chinese: ...)"), part of a
  publication / organisation name ("Jerusalem Post", "Times of India"), inside an ``exclude`` span given
  by the caller (actor names), an all-caps "US" ("LET US KNOW"), or an ambiguous name ("Jordan",
  "Georgia", "Turkey", "Chad") without locative or list context;
* ``origin`` for "Chinese brands", "Russian-branded", "based in China"; ``institution`` for national
  institutions ("Kremlin", "India's Ministry", "the Russian embassy"); ``global`` for worldwide statements;
  ``place`` otherwise.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from transforms.extract.languages import language_spans
from transforms.extract.market_names import (aliases, areas, config, is_subdivision_of, market_table, subdivision_at,
                                             subdivision_names)
from transforms.extract.sentences import SpanSet
from transforms.extract.textmatch import leftmost_longest, occurrences, trie_regex
from transforms.temporal.tables import MONTHS, WEEKDAYS

__all__ = ["Mention", "find", "language_spans", "market_table", "aliases", "config"]


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    code: str          # ISO-3166 alpha-2, EU or GLOBAL
    kind: str          # name | demonym | city | region | area (a world region: one mention a member) | institution | global
    role: str          # place | origin | institution | global


@functools.cache
def _matchers():
    cfg = config()
    al = aliases()
    # no look-behind here: a leading assertion disables the regex engine's fast first-character scan;
    # ``find`` checks the left word boundary instead. The few aliases with a lower-case initial ("eurozone",
    # "mainland China") are looked up as substrings: in the scan they would make it try every word
    alias_re = re.compile(trie_regex([a for a in al if not a[:1].islower()] + list(subdivision_names()) + list(areas()))
                          + r"(?![\w&]|\.\w)")
    glob_re = re.compile("|".join("(?:%s)" % p for p in cfg["global"]["patterns"]), re.I)
    media = cfg["media"]
    media_after = re.compile(
        r"(?:[ \t]+(?:[A-Z][\w&.'’-]*|of|the|and)){0,3}?[ \t]+(?:" + "|".join(map(re.escape, media["suffixes"])) + r")\b")
    media_before = re.compile(r"(?:" + "|".join(map(re.escape, media["prefixes"])) + r")\s+(?:the\s+)?$")
    return alias_re, glob_re, media_after, media_before


@functools.cache
def _lower_initial() -> tuple[str, ...]:
    return tuple(a for a in aliases() if a[:1].islower())


def _raw_matches(text: str, alias_re: re.Pattern) -> list[tuple[int, int, str]]:
    """Alias matches, leftmost-longest and not overlapping, each at a word start."""
    raw = [(m.start(), m.end(), m.group()) for m in alias_re.finditer(text)
           if not m.start() or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_&")]
    extra = [(i, i + len(a), a) for a in _lower_initial() if a in text for i in occurrences(text, a)]
    return leftmost_longest(raw + extra) if extra else raw


# ------------------------------------------------------------------------------------- finding

_PREV_WORD_RE = re.compile(r"([\w][\w.&'’-]*)[^\w\n]*$")
_POSS_RE = re.compile(r"(?:['’]s|['’])?")
_BLANK_RE, _WORD_GAP_RE, _SENT_FIRST_RE = re.compile(r"[ \t]"), re.compile(r"\w[ \t]+$"), \
    re.compile(r"(?:^|[.!?\n\"“])\s*\S+\s*$")
_POSS_LOWER_RE, _LIST_SEP_RE = re.compile(r"['’]s\s+[a-z]"), re.compile(r"\s*(?:,|and|or|,\s*and)\s*")
_CAPS_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_NEXT_WORDS_RE = re.compile(r"[^\w,.;:!?\n()\"“”]{0,40}?([\w][\w.&'’-]*)"
                            r"(?:[^\w,.;:!?\n()\"“”]{0,40}?([\w][\w.&'’-]*))?")


def _next_words(text: str, pos: int, n: int = 2) -> list[str]:
    """Up to ``n`` (1 or 2) words after ``pos``, not crossing punctuation."""
    m = _NEXT_WORDS_RE.match(text, pos)
    if not m:
        return []
    out = [m.group(1).rstrip(".’'")]
    if n > 1 and m.group(2):
        out.append(m.group(2).rstrip(".’'"))
    return out


def _prev_word(text: str, pos: int) -> str:
    m = _PREV_WORD_RE.search(text, max(0, pos - 40), pos)
    if not m:
        return ""
    gap = text[m.end(1):pos]
    if any(ch in gap for ch in ".;:!?\n()"):
        return ""
    return m.group(1)


_CALENDAR_WORDS = frozenset(WEEKDAYS) | frozenset(MONTHS)  # "trading in Paris Tuesday": a date, not a longer name


def _in_a_name(text: str, start: int, end: int, al) -> bool:
    """True when the mention sits inside a longer proper name: "Sofia Coppola", "Michael Jordan",
    "Grand InterContinental Seoul Parnas" (a capitalised non-place word right before or after it)."""
    nxt = _next_words(text, end + len(_POSS_RE.match(text, end).group()), 1)
    if nxt and nxt[0][:1].isupper() and nxt[0] not in al and nxt[0] not in _ambiguous_sets()["place_name_suffixes"] \
            and _BLANK_RE.match(text[end:end + 1]) and nxt[0].lower().rstrip(".") not in _CALENDAR_WORDS:
        return True
    prev = _prev_word(text, start)
    if prev and prev[:1].isupper() and prev not in al and _WORD_GAP_RE.search(text[max(0, start - 3):start]):
        before = text[max(0, start - 60):start]
        if not _SENT_FIRST_RE.search(before):
            return True                               # not merely the sentence's first word ("In Seoul")
    return False


def _context_ok(text: str, start: int, end: int, raw: list[tuple[int, int, str]], i: int, al) -> bool:
    """An ambiguous name is a market with locative, possessive or list context, never next to a name."""
    after = text[end:end + 40]
    if _in_a_name(text, start, end, al):
        return False                                  # "Jordan Peterson", "Michael Jordan", "Georgia May"
    prev = _prev_word(text, start)
    if prev.lower() in _locative():
        return True
    if _POSS_LOWER_RE.match(after):
        return True                                   # "Jordan's economy"
    for s, e, _ in raw[max(0, i - 1):i] + raw[i + 1:i + 2]:   # list context: "Syria, Jordan and Iraq"
        if 0 <= start - e <= 6 and _LIST_SEP_RE.fullmatch(text[e:start]):
            return True
        if 0 <= s - end <= 6 and _LIST_SEP_RE.fullmatch(text[end:s]):
            return True
    return False


@functools.cache
def _person_places() -> frozenset[str]:
    return frozenset(config()["ambiguous"]["person_places"])


def _a_person(text: str, start: int, end: int) -> bool:
    """A place name used as a surname, or the US state: after a title or a capitalised given name, or before
    "state" / "University" ("Washington the person", "Washington state")."""
    amb = config()["ambiguous"]
    prev = _prev_word(text, start)
    if prev in amb["person_titles"] or (prev[:1].isupper() and prev.lower() not in _locative()
                                        and _WORD_GAP_RE.search(text[max(0, start - 3):start])):
        return True
    nxt = _next_words(text, end, 1)
    return bool(nxt) and nxt[0] in amb["person_places_not_before"]


@functools.cache
def _locative() -> frozenset[str]:
    return frozenset(config()["ambiguous"]["locative"])


@functools.cache
def _ambiguous_sets() -> dict:
    a = config()["ambiguous"]
    sets = {k: frozenset(a[k]) for k in ("food_names", "us_state_names", "seat_place_words", "place_name_suffixes")}
    us_re, country_re = (re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, a[k])) + r")(?!\w)")  # any, one scan
                         for k in ("us_context", "country_context"))
    return {**sets, "seat_names": dict(a["seat_names"]), "us_context_re": us_re, "country_context_re": country_re}


@functools.cache
def _area_words() -> re.Pattern:
    """A place word right before a world region, "the" allowed between ("across the Nordics")."""
    return re.compile(r"\b(?:" + "|".join(config()["areas"]["after"]) + r")[ \t]+(?:the[ \t]+)?$", re.IGNORECASE)


@functools.cache
def _subdivision_words() -> frozenset[str]:
    return frozenset(config()["subdivisions"]["words"])


@functools.cache
def _sets() -> dict:
    """The [roles] and [ambiguous] word lists, by name, in the forms the matchers test them."""
    r, a = config()["roles"], config()["ambiguous"]
    out = {k: frozenset(r[k]) for k in ("origin_nouns", "institution_nouns", "people_nouns", "named_after")}
    out |= {k: frozenset(a[k]) for k in ("needs_context", "food_words")}
    out |= {"origin_suffixes": tuple(r["origin_suffixes"]), "institution_heads": tuple(r["institution_heads"]),
            "origin_before": tuple(w.lower() for w in r["origin_before"]),
            "denominations": {code: frozenset(ws) for code, ws in r["denominations"].items()}}
    return out


def _role(text: str, start: int, end: int, code: str, kind: str) -> str:
    if code == "GLOBAL":
        return "global"
    if kind == "institution":
        return "institution"
    w = _sets()
    origin_nouns, inst_nouns, people_nouns = w["origin_nouns"], w["institution_nouns"], w["people_nouns"]
    if text.startswith(w["origin_suffixes"], end, end + 20):
        return "origin"
    if text.startswith("-", end, end + 20):
        return "place"                                 # "China-foreign joint venture", "pro-Moscow"
    head = text[max(0, start - 40):start].rstrip()
    low = head.lower()
    if low.endswith(" the"):
        low = low[:-4].rstrip()
        head = head[:-4].rstrip()
    if low.endswith(w["origin_before"]):
        return "origin"
    if head.endswith(" of") and head[:-3].rstrip().endswith(w["institution_heads"]):
        return "institution"
    raw = _next_words(text, _POSS_RE.match(text, end).end(), 2)
    words = [x.lower() for x in raw]
    if words and (words[0] in w["denominations"].get(code, ()) or words[0] in w["named_after"] and raw[0][:1].isupper()):
        return "origin"                                # "1.96 billion U.S. dollars", "a Vietnam War pilot"
    if words and words[0] in people_nouns:
        return "place"
    if kind in ("region", "city", "name") and words and words[0] in _subdivision_words():
        return "place"                                 # "Unity State", "Kandahar province police"
    for x in words[:2]:
        if x in inst_nouns:
            return "institution"
        if x in people_nouns:
            return "place"
        if kind == "demonym" and x in origin_nouns:
            return "origin"
    return "place"


def _owner(text: str, start: int, alias: str, raw: list, i: int, al) -> str | None:
    """The country named right before a subdivision of its own, as its owner: "Pakistan's Punjab" (PK, not IN)."""
    if i == 0 or text[raw[i - 1][1]:start] not in ("'s ", "’s "):
        return None
    owner = al.get(raw[i - 1][2])
    return owner[0] if owner and owner[1] == "name" and is_subdivision_of(alias, owner[0]) else None


def find(text: str, exclude: list[tuple[int, int]] | tuple = ()) -> list[Mention]:
    """All market mentions in ``text`` in order; spans in ``exclude`` (e.g. actor names) are skipped."""
    alias_re, glob_re, media_after, media_before = _matchers()
    al = aliases()
    needs_context, food_words = _sets()["needs_context"], _sets()["food_words"]
    langs = language_spans(text)
    raw = _raw_matches(text, alias_re)
    out: list[Mention] = []
    langs = SpanSet(langs)
    exclude = SpanSet(exclude)
    amb = _ambiguous_sets()
    person_places = _person_places()
    area_names, area_words = areas(), _area_words()
    for i, (start, end, alias) in enumerate(raw):
        code, kind = ("", "area") if alias in area_names else al.get(alias) or ("", "region")
        if kind == "area" and (not area_words.search(text, max(0, start - 20), start) or _in_a_name(text, start, end, al)):
            continue                                   # "launched across Southeast Asia", not "Africa's first", "Asia Society"
        if kind in ("region", "city", "name"):         # "Paktika province", "Punjab province" (PK, not IN)
            code = subdivision_at(text, start, end) or _owner(text, start, alias, raw, i, al) or code or "-"
        if kind == "block" or code == "-":
            continue
        if langs and langs.overlaps(start, end):
            continue
        if exclude and exclude.overlaps(start, end):
            continue
        if kind != "demonym" and media_after.match(text, end):
            continue                                   # "Kyiv Post", "Korea Herald" (but "Russian Post")
        before = text[max(0, start - 25):start]
        if ("of" in before or "Free" in before) and media_before.search(before):
            continue
        if alias == "US":
            around = text[max(0, start - 12):end + 12]
            words = [w for w in _CAPS_WORD_RE.findall(around) if w != "US"]
            if words and all(w.isupper() for w in words):
                continue                               # "LET US KNOW"
        if kind == "city" and _in_a_name(text, start, end, al):
            continue                                   # "Paris Hilton", "Grand InterContinental Seoul Parnas"
        if kind == "city" and i + 1 < len(raw) and text[end:raw[i + 1][0]] in (", ", ","):
            nxt = al.get(raw[i + 1][2], ("-", "region"))
            if nxt[1] in ("region", "name") and nxt[0] not in (code, "-"):
                continue                               # "St. Petersburg, Fla.", "London, Ontario": the next name
        if alias in person_places and _a_person(text, start, end):
            continue                                   # "Mr. Washington", "George Washington", "Washington state"
        if alias in needs_context:
            # "Georgia": the country near a country cue (then no locative needed), else the state near a US cue
            window = text[max(0, start - 120):end + 120] if alias in amb["us_state_names"] else ""
            the_country = bool(window) and amb["country_context_re"].search(window) is not None
            if alias in amb["food_names"]:
                nxt = [w.lower() for w in _next_words(text, end, 1)]
                prev = _prev_word(text, start).lower()
                if (nxt and nxt[0] in food_words) or prev in food_words:
                    continue
            elif not the_country and not _context_ok(text, start, end, raw, i, al):
                continue
            if window and not the_country and amb["us_context_re"].search(window):
                code = "US"
        if alias in amb["seat_names"] and _prev_word(text, start).lower() not in amb["seat_place_words"]:
            code, kind = amb["seat_names"][alias], "institution"   # "Brussels said": the EU
        role = _role(text, start, end, code, kind)
        for member in area_names.get(alias, (code,)):  # "across Southeast Asia": each of its markets
            out.append(Mention(start, end, alias, member, kind, role))
    for m in _global_matches(text, glob_re):
        if exclude and exclude.overlaps(m.start(), m.end()):
            continue
        out.append(Mention(m.start(), m.end(), m.group(), "GLOBAL", "global", "global"))
    out.sort(key=lambda x: x.start)
    return out


def _global_matches(text: str, glob_re: re.Pattern):
    """The worldwide-statement regex run only in windows around its keywords (fast on long texts)."""
    low = text.lower()
    if len(low) != len(text):
        yield from glob_re.finditer(text)
        return
    windows = []
    for kw in config()["global"]["keywords"]:
        i = low.find(kw)
        while i >= 0:
            windows.append((max(0, i - 40), min(len(text), i + len(kw) + 40)))
            i = low.find(kw, i + 1)
    windows.sort()
    pos = 0
    for s, e in windows:
        s = max(s, pos)
        if s >= e:
            continue
        for m in glob_re.finditer(text, s, e):
            if m.start() >= pos:
                yield m
                pos = m.end()
        pos = max(pos, s)
