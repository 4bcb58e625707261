"""Actors: the organisations and people that act in a sentence, normalised to one canonical name.

Two sources, merged (curated matches win where they overlap):

* the alias table ``knowledge/actors.csv`` (alias -> canonical name, kind, whether a place inside the name is
  not a market: "Kyiv Post"); aliases of 5+ characters also match upper-case and capitalised ("Aliexpress"),
  web addresses also lower-case ("aliexpress.com");
* the organisation table ``knowledge/organisations.csv`` (transforms.extract.organisations): names and aliases
  as written, with their home market; ambiguous ones ("Apple", "Shell") only with business context;
* a capitalised-name heuristic (word lists in ``knowledge/actor_words.toml``): multi-word proper names ending in
  an organisation suffix ("... Group", "... Post") or starting with a head + "of" ("Ministry of Defense"; not a
  country's own name: "the Republic of Turkey"), and two/three-word person names after a title ("expert Semyon
  Novoprudsky") or before a speech verb ("Artem Bobtsov told"). Runs that are places, months or weekdays are not
  actors; sentence-initial function words are dropped.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from transforms import knowledge
from transforms.extract import organisations
from transforms.extract.market_names import aliases as market_aliases  # a place is no actor
from transforms.extract.sentences import SpanSet
from transforms.extract.textmatch import by_next, occurrences

__all__ = ["Actor", "find", "normalise", "in_span", "place_masks"]


@dataclass(frozen=True, slots=True)
class Actor:
    start: int
    end: int
    text: str
    name: str          # canonical name
    kind: str          # org | media | person
    masks_place: bool  # a place inside the name is not a market mention
    home: str | None = None     # home market from the organisation table (ISO code, EU, GLOBAL, "*")
    institution: bool = False   # a government, central bank, regulator or supranational body


@functools.cache
def _words() -> dict:
    cfg = knowledge.toml("actor_words.toml")
    return {k: (frozenset(v) if isinstance(v, list) else v) for k, v in cfg.items()}


@functools.cache
def _table() -> dict[str, tuple[str, str, bool]]:
    """Curated aliases: actors.csv, then every name and alias of the organisation table (whose names
    mask the places inside them: "Bank of America" is an actor at home in the US, not a US mention)."""
    out: dict[str, tuple[str, str, bool]] = {}
    for row in knowledge.csv_rows("actors.csv"):
        out[row["alias"]] = (row["canonical"], row["kind"], row["masks_place"] == "1")
    for alias, org in organisations.table().items():
        out.setdefault(alias, (org.name, "media" if org.kind == "media" else "org", True))
    return out


@functools.cache
def _matchers():
    """One case-sensitive scan for every curated alias (organisation names as written; actors.csv aliases of
    5+ characters also in upper and capitalised forms, web addresses also lower-cased: "Aliexpress",
    "ALIEXPRESS", "aliexpress.com")."""
    table = _table()
    curated = {row["alias"] for row in knowledge.csv_rows("actors.csv")}
    lower: dict[str, tuple[str, str, bool]] = {}
    for a, v in table.items():
        lower.setdefault(a.lower(), v)
    variants: dict[str, str] = {a: a for a in table}
    for a in curated:
        if len(a) >= 5:
            # lower-case forms only for web addresses ("aliexpress.com"): a scan for lower-case initials
            # tries every word of the text (slow), one for capitals only the names
            for v in (a.upper(), a.capitalize(), a[:1].upper() + a[1:].lower()) + ((a.lower(),) if "." in a else ()):
                variants.setdefault(v, a)
    # An index by first word instead of one trie regex: compiling a regex of ~4,000 names costs 0.1 s in every
    # new process (each extraction task); the index is built in a few ms and scans almost as fast. The few
    # names with a lower-case initial ("eBay", "aliexpress.com") are looked up as plain substrings.
    by_first: dict[str, list[str]] = {}
    for v in variants:
        if not v[:1].islower():
            by_first.setdefault(v.split()[0], []).append(v)
    for names in by_first.values():
        names.sort(key=len, reverse=True)
    by_first = {k: by_next(k, names) for k, names in by_first.items()}
    # a token's head (up to its first character other than a letter, digit, "_" or "&") is the head of every
    # index key that could match it: tokens with another head are skipped without a lookup
    heads = frozenset(k[:m.start()] if (m := _CUT_RE.search(k)) else k for k in by_first)
    initials = sorted({k[0] for k in by_first})
    word_initials = "".join(c for c in initials if _CUT_RE.match(c) is None)
    other_initials = "".join(c for c in initials if _CUT_RE.match(c) is not None)
    head = "([%s][\\w&]*)" % re.escape(word_initials) + ("|[%s]" % re.escape(other_initials) if other_initials else "")
    token_re = re.compile("(?:%s)[^\\s,;:!?()\"“”]*" % head)
    lower_initial = tuple(sorted((v for v in variants if v[:1].islower()), key=len, reverse=True))
    cap = r"(?:[A-Z][\w&'’.-]{0,40}[\w&]|[A-Z])"    # bounded: a long capitalised blob ("XXXX...") stays linear
    run_re = re.compile(cap + r"(?:(?:[ \t]+(?:of|and|for|the|de|du|&))*[ \t]+" + cap + r")+")
    return (by_first, token_re, heads), variants, lower, run_re, lower_initial


_POSS = re.compile(r"['’]s$")


def normalise(name: str) -> str:
    """Canonical form of an actor name: alias table (case-insensitive), else legal suffixes stripped."""
    table = _table()
    lower = _matchers()[2]
    name = _POSS.sub("", name.strip())
    if name in table:
        return table[name][0]
    if name.lower() in lower and len(name) >= 5:
        return lower[name.lower()][0]
    base = organisations.short_name(name)
    if base != name:
        return normalise(base)
    if name.startswith(("The ", "the ")):
        return normalise(name[4:])
    return name


_TOK_RE, _PREV_RE, _NEXT_RE = re.compile(r"\S+"), re.compile(r"(\S+)\s+$"), re.compile(r"\s+(\S+)")
_POSS_ENDS = ("'s", "’s")
_LEAD_CUT = frozenset(("of", "and", "for", "the", "&"))
_TAIL_CUT = frozenset(("of", "and", "for", "the", "&", "de", "du"))


def _heuristic(text: str, taken, spans=None) -> list[Actor]:
    w = _words()
    run_re = _matchers()[3]
    out = []
    taken = SpanSet(taken)
    if spans is None:
        matches = run_re.finditer(text)
    else:
        matches = (m for s, e in spans for m in run_re.finditer(text, s, e))
    for m in matches:
        start, end = m.start(), m.end()
        if taken.overlaps(start, end) or (found := _run_actor(m.group())) is None:
            continue
        rs0, re0, name, canon, kind = found
        s0, e0 = start + rs0, start + re0
        if kind == "person?":                             # a title before or a speech verb after the name
            prev = _PREV_RE.search(text[max(0, s0 - 30):s0])
            nxt = _NEXT_RE.match(text[e0:e0 + 30])
            if not ((prev and prev.group(1).strip(",") in w["person_titles"]) or
                    (nxt and nxt.group(1).strip(",.") in w["person_verbs"])):
                continue
            kind = "person"
        out.append(_make(s0, e0, name, canon, kind, kind in ("media", "org")))
    return out


@functools.lru_cache(maxsize=16384)
def _run_actor(run: str) -> tuple[int, int, str, str, str] | None:
    """What a capitalised run names as far as its words tell (the same runs recur in every document):
    ``(start, end, name, canonical name, kind)`` relative to the run, kind "person?" when the words around
    it decide; None when it is no actor."""
    w = _words()
    stop, org_suffixes, org_heads = w["stop"], w["org_suffixes"], w["org_heads"]
    al = market_aliases()
    home_suffixes = tuple(organisations.words()["home_suffixes"])
    toks = [(t.start(), t.end(), t.group()) for t in _TOK_RE.finditer(run)]
    # split at possessives: "India's Ministry of ..." -> owner "India", name "Ministry of ..."
    owner = None
    for i in range(len(toks) - 1):
        if toks[i][2].endswith(_POSS_ENDS):
            owner = " ".join(x[2] for x in toks[: i + 1])[:-2]
            toks = toks[i + 1:]
            break
    i, j = 0, len(toks)
    while i < j and (toks[i][2] in stop or toks[i][2].lower() in _LEAD_CUT):
        i += 1
    while i < j and (toks[j - 1][2] in stop or toks[j - 1][2] in _TAIL_CUT):
        j -= 1
    words = [t for _, _, t in toks[i:j]]
    if len(words) > 2 and words[1] == "of" and words[0] in w["person_titles"]:
        i, words = i + 2, words[2:]                       # "the CEO of Acme Corp.": the company
    for k in range(len(words) - 1, -1, -1):
        if words[k].endswith(home_suffixes):              # "Tokyo-based Zorgo Corp.": the name after it
            i, words = i + k + 1, words[k + 1:]
            break
    if "of" in words:
        k = len(words) - 1 - words[::-1].index("of")
        if k >= 2 and " ".join(words[k + 1:]) in al:  # "Zorgo Holdings of Japan": the name, then its home
            words = words[:k - 2] if words[k - 1] in w["country_forms"] and words[k - 2] in ("of", "the") else words[:k]
    if not words:
        return None
    last = words[-1].rstrip(".,’'")
    kind = None
    if len(words) >= 2 and (last in org_suffixes or last.rstrip(".") in org_suffixes):
        kind = "media" if last in w["media_suffixes"] else "org"
    elif len(words) >= 3 and words[0] in org_heads and words[1] == "of":
        if words[0] in w["country_forms"] and " ".join(words[3 if words[2] == "the" else 2:]) in al:
            return None                                   # "the Republic of Turkey": the country's own name
        kind = "org"
    elif 2 <= len(words) <= 3 and all(x[:1].isupper() and x.isalpha() for x in words) \
            and not any(x in al for x in words) and not any(x in stop for x in words):
        kind = "person?"
    if kind is None or " ".join(words) in al:            # a place, not an actor
        return None
    s0, e0 = toks[i][0], toks[i + len(words) - 1][1]
    name = run[s0:e0]
    canon = normalise(name)
    if kind == "org" and owner and owner in al and words[0] in org_heads and canon == name:
        code = al[owner][0]
        if code not in ("-",):
            canon = f"{name} ({code})"
    return s0, e0, name, canon, kind


def find(text: str, spans: list[tuple[int, int]] | None = None) -> list[Actor]:
    """All actor mentions in ``text``, in order (curated aliases first, then the heuristic).

    ``spans`` (sorted, non-overlapping, e.g. the sentences that carry events) limits the heuristic to
    those parts of the text; curated aliases are always found everywhere (they mask places)."""
    index, variants, lower, _, lower_initial = _matchers()
    table = _table()
    orgs = organisations.table()
    cands = [(st, -e, alias) for st, e, alias in _indexed(text, *index)]
    for v in lower_initial:
        if v in text:
            cands.extend((i, -(i + len(v)), v) for i in _occurrences(text, v))
    cands = [c for c in cands if not c[0] or not (text[c[0] - 1].isalnum() or text[c[0] - 1] in "_&.")]
    cands.sort()
    found: list[Actor] = []
    taken: list[tuple[int, int]] = []
    last_end = -1
    defined = organisations.defined_acronyms(text)
    for s, neg_e, alias in cands:
        e = -neg_e
        if s < last_end:
            continue
        surface, alias = alias, variants[alias]
        org, (canon, kind, masks) = orgs.get(alias), table[alias]
        if (org is not None and org.ambiguous and not organisations.ambiguous_ok(text, s, e)) \
                or (surface in defined and not organisations.same_name(defined[surface], canon)):
            continue  # "Apple pie", "Shell companies", "Harrison Ford"; "Afghan National Army (ANA)": not All Nippon
        found.append(_make(s, e, surface, canon, kind, masks))
        taken.append((s, e))
        last_end = e
    found.extend(_heuristic(text, taken, spans))
    found.sort(key=lambda a: a.start)
    return _doc_names(text, found, spans)


_CUT_RE = re.compile(r"[^\w&]")


def _indexed(text: str, by_first: dict[str, dict], token_re: re.Pattern, heads: frozenset):
    """``(start, end, alias)`` of the aliases in ``text``: at each capitalised token (and after a hyphen or
    slash inside it: "Glaxo-Wellcome", "AU-UN"), the longest alias that starts with its first word
    ("Alibaba's" tries "Alibaba's", then "Alibaba") and ends at a word end."""
    last = -1
    for m in token_re.finditer(text):
        token, start = m.group(), m.start()
        if (m.group(1) or "") in heads and start >= last \
                and (hit := _alias_at(text, start, token[:120], by_first)) is not None:
            yield start, hit[0], hit[1]
            last = hit[0]
        if "-" in token or "/" in token:
            for k, ch in enumerate(token[:-1]):
                if ch in "-/" and (s0 := start + k + 1) >= last \
                        and (hit := _alias_at(text, s0, token[k + 1:k + 121], by_first)) is not None:  # linear
                    yield s0, hit[0], hit[1]
                    last = hit[0]


def _alias_at(text: str, start: int, word: str, by_first: dict[str, dict]) -> tuple[int, str] | None:
    key = word
    cands = by_first.get(word)
    if cands is None:
        for cut in reversed([c.start() for c in _CUT_RE.finditer(word)]):
            if (cands := by_first.get(word[:cut])) is not None:
                key = word[:cut]
                break
        else:
            return None
    k = start + len(key)
    n = len(text)
    for alias in cands.get(text[k:k + 2], cands[None]):
        if text.startswith(alias, start):
            end = start + len(alias)
            if not (end < n and (text[end].isalnum() or text[end] in "_&"
                                 or (text[end] == "." and end + 1 < n and text[end + 1].isalnum()))):
                return end, alias
    return None


def _make(start: int, end: int, text: str, name: str, kind: str, masks: bool) -> Actor:
    org = organisations.lookup(name) if kind != "person" else None
    if org is None:
        return Actor(start, end, text, name, kind, masks)
    return Actor(start, end, text, name, kind, masks, org.home, org.kind in organisations.INSTITUTION_KINDS)


def _doc_names(text: str, found: list[Actor], spans=None) -> list[Actor]:
    """Later mentions of names the document introduced: the short name of an organisation ("Unisys Corp."
    ... "Unisys"), a person's surname after a title ("Mr. Spoon"); and single capitalised names acting as
    companies: "Compaq's stock", "Compaq reported", "Compaq said it"."""
    w, al = _words(), market_aliases()
    short: dict[str, tuple[str, str]] = {}
    for a in found:
        if a.kind == "person":
            last = a.name.split()[-1]
            if last != a.name:
                short.setdefault(last, (a.name, "person"))
        elif a.kind == "org":
            for nm in {organisations.short_name(a.text), a.name}:
                if nm != a.text and nm[:1].isupper() and nm not in al and nm not in w["stop"]:
                    short.setdefault(nm, (a.name, "org"))
    taken = SpanSet((a.start, a.end) for a in found)
    extra: list[Actor] = []
    for nm, (canon, kind) in short.items():               # a handful of names: plain substring search
        for s0 in _occurrences(text, nm):
            if not taken.overlaps(s0, s0 + len(nm)):
                extra.append(_make(s0, s0 + len(nm), nm, canon, kind, kind == "org"))
    for title, s0, word in _acting_names(text, spans):
        e0 = s0 + len(word)
        if taken.overlaps(s0, e0) or word in al or word in w["stop"] or word in short:
            continue
        if title:                                         # "Mr. Spoon"
            extra.append(Actor(s0, e0, word, word, "person", False))
        elif not _SENT_START_RE.search(text, max(0, s0 - 3), s0) or _mid_sentence(text, word):
            extra.append(_make(s0, e0, word, normalise(word), "org", True))   # not merely a sentence's first word
    if not extra:
        return found
    return sorted(found + extra, key=lambda a: a.start)


_SENT_START_RE = re.compile(r"(?:^|[.!?\n\"“])\s*$")


def _occurrences(text: str, name: str):
    return occurrences(text, name, left="_&.-")


def _mid_sentence(text: str, word: str) -> bool:
    """Whether ``word`` also occurs capitalised inside a sentence (after a lower-case word or a comma)."""
    return any(i >= 2 and (text[i - 2].islower() or text[i - 2] == ",") and text[i - 1] in " \t"
               for i in _occurrences(text, word))


# a single capitalised name after a title, or acting as a company: "Compaq's stock", "Compaq reported",
# "Compaq said it". The scans start at the literal words (fast); the name is read backwards from there.
_TITLE_RE = re.compile(r"(?:Mr|Ms|Mrs|Dr)\.[ \t]+([A-Z][a-z]+)\b")
# (the scan starts at the apostrophe or the blank before the verb: the regex engine skips everything else fast)
_ACTS_RE = re.compile(
    r"[ \t'’](?:(?<=['’])s[ \t]+(?:stock|shares|share|profit|earnings|net|revenue|sales|chairman|chief|board|bid|"
    r"offer|unit|plan|results|loss|quarterly|(?:first|second|third|fourth)-quarter)"
    r"|(?<=[ \t])(?:reported|posted|earned|announced|agreed|acquired|lost|said[ \t]+(?:that[ \t]+)?its?))\b")
_NAME_BEFORE_RE = re.compile(r"(?<![\w&.’'-])([A-Z][a-z]+(?:[A-Z][a-z]+)?)$")


def _acting_names(text: str, spans=None):
    """``(title, start, name)`` of single names after a title or acting as a company (within ``spans``)."""
    for s0, e0 in spans if spans is not None else ((0, len(text)),):
        yield from _acting_in(text, s0, e0)


def _acting_in(text: str, start: int, end: int):
    for m in _TITLE_RE.finditer(text, start, end):
        if not m.start() or not text[m.start() - 1].isalnum():
            yield m.group()[:3], m.start(1), m.group(1)
    for m in _ACTS_RE.finditer(text, start, end):
        s = m.start()
        if text[s] not in "'’":                         # the blanks before the verb
            while s and text[s - 1] in " \t":
                s -= 1
        b = _NAME_BEFORE_RE.search(text, max(start, s - 25), s)
        if b and not _longer_name(text, b.start(1)):
            yield None, b.start(1), b.group(1)


def _longer_name(text: str, start: int) -> bool:
    """Does a longer capitalised name end at ``start`` ("The United States announced")? Not a one-word actor then."""
    p = _PREV_RE.search(text, max(0, start - 30), start)
    return p is not None and p.group(1)[:1].isupper() and p.group(1) not in _words()["stop"]


def in_span(actors: list[Actor], start: int, end: int) -> list[str]:
    """Canonical names of the actors inside [start, end) of a list sorted by start (as ``find`` returns),
    deduplicated, in order of appearance."""
    out: list[str] = []
    i = bisect.bisect_left([a.start for a in actors], start) if len(actors) < 64 else \
        bisect.bisect_left(actors, start, key=lambda a: a.start)
    for j in range(i, len(actors)):  # not actors[i:]: copying the tail at every call is quadratic
        a = actors[j]
        if a.start >= end:
            break
        if a.end <= end and a.name not in out:
            out.append(a.name)
    return out


def place_masks(actors: list[Actor]) -> list[tuple[int, int]]:
    """Spans of actor names whose places are not market mentions (publications, "Business Russia")."""
    return [(a.start, a.end) for a in actors if a.masks_place]
