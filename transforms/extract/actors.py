"""Actors: the organisations and people that act in a sentence, normalised to one canonical name.

Two sources, merged (curated matches win where they overlap):

* the alias table ``knowledge/actors.csv`` (alias -> canonical name, kind, whether a place inside the name is
  not a market: "Kyiv Post"); aliases of 5+ characters match case-insensitively ("Aliexpress");
* a capitalised-name heuristic (word lists in ``knowledge/actor_words.toml``): multi-word proper names ending in
  an organisation suffix ("... Ministry", "... Group", "... Post") or starting with a head + "of"
  ("Ministry of Defense", "Office of the United States Trade Representative"), and two/three-word person
  names after a title ("expert Semyon Novoprudsky") or before a speech verb ("Artem Bobtsov told").
  Runs that are places, months or weekdays are not actors; sentence-initial function words are dropped.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from transforms import knowledge
from transforms.extract.sentences import SpanSet
from transforms.extract.textmatch import trie_regex

__all__ = ["Actor", "find", "normalise", "in_span", "place_masks"]


@dataclass(frozen=True, slots=True)
class Actor:
    start: int
    end: int
    text: str
    name: str          # canonical name
    kind: str          # org | media | person
    masks_place: bool  # a place inside the name is not a market mention


@functools.cache
def _words() -> dict:
    cfg = knowledge.toml("actor_words.toml")
    return {k: (frozenset(v) if isinstance(v, list) else v) for k, v in cfg.items()}


@functools.cache
def _table() -> dict[str, tuple[str, str, bool]]:
    out: dict[str, tuple[str, str, bool]] = {}
    for row in knowledge.csv_rows("actors.csv"):
        out[row["alias"]] = (row["canonical"], row["kind"], row["masks_place"] == "1")
    return out


@functools.cache
def _matchers():
    table = _table()
    sens = [a for a in table if len(a) < 5]
    insens = {a.lower() for a in table if len(a) >= 5}
    b = r"(%s)(?![\w&]|\.\w)"              # left boundary checked in ``find`` (keeps the fast scan)
    sens_re = re.compile(b % trie_regex(sens))
    insens_re = re.compile(b % trie_regex(insens))       # run on text.lower() (falls back to re.I)
    lower = {}
    for a, v in table.items():
        lower.setdefault(a.lower(), v)
    cap = r"(?:[A-Z][\w&'’.-]*[\w&]|[A-Z])"
    run_re = re.compile(cap + r"(?:(?:[ \t]+(?:of|and|for|the|de|du|&))*[ \t]+" + cap + r")+")
    return sens_re, insens_re, lower, run_re


_POSS = re.compile(r"['’]s$")


def normalise(name: str) -> str:
    """Canonical form of an actor name: alias table (case-insensitive), else legal suffixes stripped."""
    table = _table()
    _, _, lower, _ = _matchers()
    name = _POSS.sub("", name.strip())
    if name in table:
        return table[name][0]
    if name.lower() in lower and len(name) >= 5:
        return lower[name.lower()][0]
    base = re.sub(r"(?:[\s,]+(?:Inc\.?|Ltd\.?|Limited|LLC|PLC|Corp\.?|Co\.|GmbH|AG|Holdings?))+$", "", name)
    if base != name:
        return normalise(base) if base else name
    if name.startswith("The ") or name.startswith("the "):
        return normalise(name[4:])
    return name


def _is_place(words: list[str]) -> bool:
    from transforms.extract import markets
    al = markets.aliases()
    return " ".join(words) in al


def _heuristic(text: str, taken, spans=None) -> list[Actor]:
    w = _words()
    from transforms.extract import markets
    al = markets.aliases()
    _, _, _, run_re = _matchers()
    out = []
    taken = SpanSet(taken)
    if spans is None:
        matches = run_re.finditer(text)
    else:
        matches = (m for s, e in spans for m in run_re.finditer(text, s, e))
    for m in matches:
        start, end = m.start(), m.end()
        if taken.overlaps(start, end):
            continue
        toks = [(t.start(), t.end(), t.group()) for t in re.finditer(r"\S+", m.group())]
        toks = [(s + start, e + start, t) for s, e, t in toks]
        # split at possessives: "India's Ministry of ..." -> owner "India", name "Ministry of ..."
        owner = None
        for i, (s, e, t) in enumerate(toks):
            if _POSS.search(t) and i < len(toks) - 1:
                owner = _POSS.sub("", " ".join(x[2] for x in toks[: i + 1]))
                toks = toks[i + 1:]
                break
        while toks and (toks[0][2] in w["stop"] or toks[0][2].lower() in ("of", "and", "for", "the", "&")):
            toks = toks[1:]
        while toks and (toks[-1][2] in w["stop"] or toks[-1][2] in ("of", "and", "for", "the", "&", "de", "du")):
            toks = toks[:-1]
        if not toks:
            continue
        words = [t for _, _, t in toks]
        last = words[-1].rstrip(".,’'")
        s0, e0 = toks[0][0], toks[-1][1]
        name = text[s0:e0]
        kind = None
        if len(words) >= 2 and (last in w["org_suffixes"] or last.rstrip(".") in w["org_suffixes"]):
            kind = "media" if last in w["media_suffixes"] else "org"
        elif len(words) >= 3 and words[0] in w["org_heads"] and words[1] == "of":
            kind = "org"
        elif 2 <= len(words) <= 3 and all(x[:1].isupper() and x.isalpha() for x in words) \
                and not any(x in al for x in words) and not any(x in w["stop"] for x in words):
            prev = re.search(r"(\S+)\s+$", text[max(0, s0 - 30):s0])
            nxt = re.match(r"\s+(\S+)", text[e0:e0 + 30])
            if (prev and prev.group(1).strip(",") in w["person_titles"]) or \
                    (nxt and nxt.group(1).strip(",.") in w["person_verbs"]):
                kind = "person"
        if kind is None or _is_place(words):
            continue
        canon = normalise(name)
        if kind == "org" and owner and owner in al and words[0] in w["org_heads"] and canon == name:
            code = al[owner][0]
            if code not in ("-",):
                canon = f"{name} ({code})"
        out.append(Actor(s0, e0, name, canon, kind, kind == "media"))
    return out


def find(text: str, spans: list[tuple[int, int]] | None = None) -> list[Actor]:
    """All actor mentions in ``text``, in order (curated aliases first, then the heuristic).

    ``spans`` (sorted, non-overlapping, e.g. the sentences that carry events) limits the heuristic to
    those parts of the text; curated aliases are always found everywhere (they mask places)."""
    sens_re, insens_re, lower, _ = _matchers()
    table = _table()
    cands = []
    low = text.lower()
    if len(low) == len(text):                            # same offsets: match the lower-cased text
        for m in insens_re.finditer(low):
            s, e = m.span(1)
            cands.append((s, -e, text[s:e]))
    else:                                                # "İ" and friends change lengths when lowered
        for m in re.compile(insens_re.pattern, re.I).finditer(text):
            cands.append((m.start(1), -m.end(1), m.group(1)))
    for m in sens_re.finditer(text):
        cands.append((m.start(1), -m.end(1), m.group(1)))
    cands = [c for c in cands if not c[0] or not (text[c[0] - 1].isalnum() or text[c[0] - 1] in "_&.")]
    cands.sort()
    found: list[Actor] = []
    taken: list[tuple[int, int]] = []
    last_end = -1
    for s, neg_e, alias in cands:
        e = -neg_e
        if s < last_end:
            continue
        canon, kind, masks = table.get(alias) or lower[alias.lower()]
        found.append(Actor(s, e, alias, canon, kind, masks))
        taken.append((s, e))
        last_end = e
    found.extend(_heuristic(text, taken, spans))
    found.sort(key=lambda a: a.start)
    return found


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
