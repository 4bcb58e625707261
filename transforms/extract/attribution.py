"""Where an event happens: the one function that decides an event's markets, with evidence, role and basis,
and the one definition of "the same happening".

``Attribution(...).markets(sent, clause, para, acting)`` tries the levels of evidence in this order; the first
level that names a market decides (origin-only mentions, "42 other Chinese apps", are kept at every level with
role ``origin``: they never count as the place):

1. ``sentence`` / ``clause``: a place or market word in the event's sentence (restricted to the date's clause
   when the sentence's clauses name different markets). A sentence whose only evidence is a demonym ("our old
   Chinese friends") also gets the document's markets (basis ``document``).
2. ``actor_home``: the home of the acting organisation(s) (in the date's clause, else the sentence; for "the
   company" alone, the one named last before): the organisation table (IBM -> US, the Bundesbank -> DE, the IMF
   -> GLOBAL, "the Treasury" -> the document's country) or the document's own evidence ("Tokyo-based X", "X of
   Japan", "Kenya Commercial Bank"). Media are never a market claim; people have no home.
3. ``dateline``: a city dateline opening the paragraph ("JAKARTA --", "LONDON (AP) --", "NEW DELHI:").
4. ``paragraph``: the paragraph's dominant market.
5. ``document``: the document's dominant markets (title and opening dateline count double), else the home of
   its most-mentioned organisation, else the market of the currency its money is in (markets.toml [currencies]).

``happening_key`` / ``happenings``: the one definition of the same happening (same date interval, type and
named lead actor; across documents also the same market).

Roles: ``place`` (acted on / where), ``institution`` (a national or EU institution acts), ``global``, ``origin``
(of an actor; does not count). Confidence follows the basis (``BASIS_WEIGHT``).
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from transforms.extract import markets, organisations
from transforms.lake import schema

__all__ = ["Attribution", "Market", "BASIS_WEIGHT", "ROLE_RANK", "BASIS_RANK", "dominant", "dateline", "in_dateline",
           "happening_key", "happenings", "confidence", "acted_on", "best_acted_on"]

BASIS_WEIGHT = {"sentence": 1.0, "clause": 0.9, "actor_home": 0.85, "dateline": 0.8, "paragraph": 0.75,
                "document": 0.6, None: 0.4}
ROLE_RANK = {"place": 0, "institution": 1, "global": 2, "origin": 3}
BASIS_RANK = {b: i for i, b in enumerate(schema.MARKET_BASES)}


@dataclass
class Market:
    code: str
    role: str
    basis: str
    evidence: list[str] = field(default_factory=list)


def add(out: dict[str, Market], code: str, role: str, basis: str, evidence: str) -> None:
    """Add (or strengthen) a market: the better role and basis win, evidence accumulates."""
    cur = out.get(code)
    if cur is None:
        out[code] = Market(code, role, basis, [evidence])
        return
    if ROLE_RANK[role] < ROLE_RANK[cur.role]:
        cur.role = role
    if BASIS_RANK[basis] < BASIS_RANK[cur.basis]:
        cur.basis = basis
    if evidence not in cur.evidence:
        cur.evidence.append(evidence)


def acted_on(mkts: dict[str, Market]) -> list[Market]:
    """The markets an event concerns (origin does not count), best evidence first."""
    return sorted((m for m in mkts.values() if m.role != "origin"),
                  key=lambda m: (BASIS_RANK[m.basis], ROLE_RANK[m.role], m.code))


def best_acted_on(mkts: dict[str, Market]) -> Market | None:
    """``acted_on(mkts)[0]`` without sorting them all (None when there is none)."""
    return min((m for m in mkts.values() if m.role != "origin"),
               key=lambda m: (BASIS_RANK[m.basis], ROLE_RANK[m.role], m.code), default=None)


def confidence(anchor_weight: float, mkts: dict[str, Market]) -> float:
    # the best market's basis is the best basis of any market acted on: no need to rank the markets
    ranks = [BASIS_RANK[m.basis] for m in mkts.values() if m.role != "origin"]
    return round(anchor_weight * BASIS_WEIGHT[_BASIS_OF_RANK[min(ranks)] if ranks else None], 3)


_BASIS_OF_RANK = {i: b for b, i in BASIS_RANK.items()}


def happening_key(date_start, date_end, event_type: str, actor: str | None, market: str | None = "") -> str | None:
    """The same happening: same date interval, type (not ``other``) and named (lead) actor, and for stories
    across documents the same market. ``None`` (a happening of its own) without a named actor or type."""
    if not actor or event_type == "other" or market is None:
        return None
    raw = "|".join(str(x) for x in (date_start, date_end, event_type, actor.casefold(), market))
    return "s" + hashlib.md5(raw.encode("utf-8")).hexdigest()[:15]


def happenings(mentions: list, text: str | None = None) -> list[list]:
    """The mentions of one document grouped into happenings (the first of a group is its head), in text order.
    Mentions (objects with ``timex``, ``event_type``, ``lead``, ``markets``, ``sent``) with the same
    ``happening_key`` are one happening. A mention without a lead actor joins the document's only happening of
    its date and type when their markets agree ("a sale is due to start on June 1" ... "on June 1st the sale
    also starts"); otherwise it is a happening of its own, as is every ``other`` mention. A sentence the
    document repeats word for word (a wire story re-sent with a paragraph twice) repeats its mentions: each
    joins the happening of its first occurrence."""
    first: dict[tuple[str, int], object] = {}
    repeats: list[tuple[object, object]] = []
    if text is not None:
        unique = []
        for m in mentions:
            k = (text[m.sent[0]:m.sent[1]], m.timex.start - m.sent[0])
            if k in first:
                repeats.append((m, first[k]))
            else:
                first[k] = m
                unique.append(m)
        mentions = unique
    groups = _grouped(mentions)
    if repeats:
        group_of = {id(m): g for g in groups for m in g}
        for m, original in repeats:
            group_of[id(original)].append(m)
    return groups


def _grouped(mentions: list) -> list[list]:
    by_key: dict[str, list] = {}
    keys = [happening_key(m.timex.date_start, m.timex.date_end, m.event_type, m.lead) for m in mentions]
    for m, key in zip(mentions, keys):
        if key is not None:
            by_key.setdefault(key, []).append(m)
    by_slot: dict[tuple, list[list]] = {}
    for g in by_key.values():
        by_slot.setdefault((g[0].timex.date_start, g[0].timex.date_end, g[0].event_type), []).append(g)
    groups: list[list] = []
    for m, key in zip(mentions, keys):
        if key is not None:
            if by_key[key][0] is m:
                groups.append(by_key[key])
            continue
        slot = by_slot.get((m.timex.date_start, m.timex.date_end, m.event_type), [])
        if m.event_type != "other" and len(slot) == 1 and _agree(slot[0][0].markets, m.markets):
            slot[0].append(m)
        else:
            groups.append([m])
    groups.sort(key=lambda g: (g[0].timex.start, g[0].timex.end))
    return groups


def _agree(a: dict[str, Market], b: dict[str, Market]) -> bool:
    ma = {m.code for m in a.values() if m.role != "origin"}
    mb = {m.code for m in b.values() if m.role != "origin"}
    return not ma or not mb or bool(ma & mb)


def dominant(mentions, units=None, min_share: float = 0.5, limit: int = 3) -> list[str]:
    """The most-mentioned markets (non-origin, non-global), counted once per unit (e.g. sentence): the codes
    whose count is at least ``min_share`` of the top count, most frequent first."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    unit_starts = [s for s, _ in units] if units else []
    seen: set[tuple[str, int]] = set()
    for m in mentions:
        if m.role in ("origin", "global"):
            continue
        unit = m.start
        if units:
            i = bisect.bisect_right(unit_starts, m.start) - 1
            unit = i if i >= 0 and m.start < units[i][1] else m.start
        if (m.code, unit) in seen:
            continue
        seen.add((m.code, unit))
        counts[m.code] += 1
        first.setdefault(m.code, m.start)
    if not counts:
        return []
    top = max(counts.values())
    ranked = sorted(counts, key=lambda c: (-counts[c], first[c]))
    return [c for c in ranked if counts[c] >= top * min_share][:limit]


_DATELINE_RE = re.compile(r"[ \t]*([A-Z][A-Z.'’-]*[A-Z.'’](?:[ \t][A-Z][A-Z.'’-]*[A-Z.'’]){0,3})(?:/[A-Z][A-Z.'’ -]{1,30})?"
                          r"(?:,[^\n]{0,40}?)?[ \t]*(?:\([^)\n]{1,30}\)[ \t]*)?(?:--|—|–|-|_|:)(?:[ \t]|(?=\n)|\Z|(?=\())")


def dateline(text: str, start: int) -> tuple[str, str] | None:
    """``(code, words)`` of a city or country dateline opening the paragraph at ``start``."""
    m = _DATELINE_RE.match(text, start)
    if not m:
        return None
    name = " ".join(w.capitalize() for w in m.group(1).split())
    hit = markets.aliases().get(name) or markets.aliases().get(m.group(1))
    if hit is None or hit[1] not in ("city", "name", "region") or hit[0] == "-":
        return None
    return hit[0], m.group(0).strip()


_NAME = r"[A-Z][\w.'’-]*(?:[ \t]+[A-Z][\w.'’-]*){0,3}"
# "PARIS, ", "LONDON/NEW YORK, ", "Paris, France, ", "SAN FRANCISCO--(BUSINESS WIRE)--"
_DATELINE_BEFORE_DATE = re.compile(rf"[ \t]*{_NAME}(?:/{_NAME})*(?:,[ \t]*{_NAME})?"
                                   r"(?:,[ \t]*|[ \t]*--[ \t]*\([A-Z][A-Za-z ]{1,30}\)[ \t]*--[ \t]*)")
_DATELINE_AFTER_DATE = re.compile(r"(?:,?[ \t]*\d{4})?[ \t]*(?:\([^)\n]{1,30}\)|/[^/\n]{1,30}/)?[ \t]*(?:--|—|–|-|:)")


@functools.cache
def _referring_re() -> re.Pattern:
    w = organisations.words()
    nouns, skip = ("|".join(sorted(map(re.escape, w[k]))) for k in ("referring_nouns", "referring_not_between"))
    return re.compile(rf"\b[Tt]he[ \t]+(?:(?!(?:{skip})\b)[A-Za-z][\w-]*[ \t]+){{0,3}}?(?:{nouns})\b(?![ \t]+[A-Z])")


def in_dateline(text: str, para_start: int, start: int, end: int) -> str | None:
    """Is the date at ``text[start:end]`` the one of a dateline opening its paragraph ("PARIS, March 3
    (Reuters) -", "Paris, March 3, 2022 --", "LONDON, June 7, 2022 /PRNewswire/ --")? It is the day of the
    report, not of a happening: "alone" when nothing follows the dateline on its line, else "opening"."""
    if _DATELINE_BEFORE_DATE.fullmatch(text, para_start, start) is None:
        return None
    m = _DATELINE_AFTER_DATE.match(text, end)
    if m is None:
        return None
    line_end = text.find("\n", m.end(), m.end() + 400)
    return "opening" if text[m.end():line_end if line_end >= 0 else m.end() + 400].strip() else "alone"


_LIST_GLUE = re.compile(r"(?:[\s,]|\bthe\b|\band\b)*", re.I)


@functools.cache
def _currencies() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p, re.I), code) for p, code in markets.config()["currencies"]["patterns"]]


def currency(text: str) -> tuple[str, str] | None:
    """``(market, evidence)`` of the currency ``text`` mentions most often ("$35.2 million" -> US), or None."""
    counts: Counter = Counter()
    first: dict[str, str] = {}
    for rx, code in _currencies():
        for m in rx.finditer(text):
            counts[code] += 1
            first.setdefault(code, m.group(0).strip())
    if not counts:
        return None
    code = counts.most_common(1)[0][0]
    return code, first[code]


class Attribution:
    """Market evidence of one document, built once; ``markets`` decides each event's markets."""

    def __init__(self, text: str, sents, paras, ments, title_ments, homes: dict[str, tuple[str, str]],
                 actors) -> None:
        self.text, self.ments, self.homes = text, ments, homes
        self.starts = [m.start for m in ments]
        self.orgs = [a for a in actors if a.kind == "org"]
        self.org_starts = [a.start for a in self.orgs]
        self._para_cache: dict[tuple[int, int], list[tuple[str, str]]] = {}
        self.datelines = {p[0]: d for p in paras if (d := dateline(text, p[0])) is not None}
        opening = self.datelines.get(paras[0][0]) if paras else None
        self.doc_dom = self._doc_dominant(sents, title_ments, opening)
        self.evidence: dict[str, list[str]] = {}
        for m in list(title_ments) + list(ments):
            lst = self.evidence.setdefault(m.code, [])
            if m.text not in lst and len(lst) < 3:
                lst.append(m.text)
        if opening:
            self.evidence.setdefault(opening[0], []).append(opening[1])
        if not self.doc_dom:                     # no place at all: the home of the most-mentioned organisation
            counts = Counter(a.name for a in actors if a.kind == "org" and self.home(a)[0] not in (None, "GLOBAL"))
            if counts:
                lead = next(a for a in actors if a.name == counts.most_common(1)[0][0])
                code, ev = self.home(lead)
                self.doc_dom = [code]
                self.evidence.setdefault(code, []).append(ev)
        if not self.doc_dom and (money := currency(text)) is not None:  # no organisation's home either
            self.doc_dom = [money[0]]
            self.evidence.setdefault(money[0], []).append(money[1])

    def _between(self, s: int, e: int):
        return self.ments[bisect.bisect_left(self.starts, s):bisect.bisect_left(self.starts, e)]

    def _doc_dominant(self, sents, title_ments, opening, min_share: float = 0.6, limit: int = 2) -> list[str]:
        """Per sentence 1 for a place/institution mention, 0.5 for an origin-only one; title and opening
        dateline count twice."""
        starts = [s for s, _ in sents]
        per_sent: dict[tuple[int, str], float] = {}
        first: dict[str, int] = {}
        for m in self.ments:
            if m.code == "GLOBAL" or m.kind == "area":  # a world region names a sentence's markets only
                continue
            i = bisect.bisect_right(starts, m.start) - 1
            per_sent[(i, m.code)] = max(per_sent.get((i, m.code), 0.0), 0.5 if m.role == "origin" else 1.0)
            first.setdefault(m.code, m.start)
        score: dict[str, float] = {}
        for (_, code), w in per_sent.items():
            score[code] = score.get(code, 0.0) + w
        extra = [m.code for m in title_ments if m.code != "GLOBAL"] + ([opening[0]] if opening else [])
        for code in dict.fromkeys(extra):
            score[code] = score.get(code, 0.0) + 2.0
            first.setdefault(code, -1)
        if not score:
            return []
        top = max(score.values())
        return [c for c in sorted(score, key=lambda c: (-score[c], first[c])) if score[c] >= top * min_share][:limit]

    def home(self, actor) -> tuple[str | None, str]:
        """``(code, evidence)`` of an organisation's home ("*" resolved to the document's country)."""
        if actor.kind != "org":
            return None, ""
        code = actor.home
        if code == "*":
            code = next((c for c in self.doc_dom if c not in ("EU", "GLOBAL")), None)
        if code:
            return code, actor.text
        return self.homes.get(actor.name, (None, ""))

    def markets(self, sent, clause, para, acting) -> dict[str, Market]:
        """The markets of an event in ``sent`` (its date in ``clause``, paragraph ``para`` or None) whose
        acting organisations are ``acting`` (Actor objects, the date's clause first)."""
        out: dict[str, Market] = {}
        in_sent = self._between(*sent)
        places = [m for m in in_sent if m.role != "origin"]
        if any(m.kind == "area" for m in places) and any(m.kind != "area" for m in places):
            places = [m for m in places if m.kind != "area"]          # a named country beats a world region
        for m in in_sent:
            if m.role == "origin":
                add(out, m.code, "origin", "sentence", m.text)
        if places:                                                    # 1. sentence / clause
            in_clause = [m for m in places if clause[0] <= m.start < clause[1]]
            if in_clause:  # "Poland, Hungary and the Czech Republic joined NATO": a list of places opens the clause
                opens = _LIST_GLUE.fullmatch(self.text, clause[0], in_clause[0].start) is not None
                in_clause = self._list_head(sent[0], clause[0], places, opens) + in_clause
            if in_clause and {m.code for m in in_clause} != {m.code for m in places}:
                chosen, basis = in_clause, "clause"
            else:
                chosen, basis = places, "sentence"
            for m in chosen:
                add(out, m.code, m.role, basis, m.text)
            if all(m.kind == "demonym" and m.role == "place" for m in chosen):
                self._document(out)
            return out
        found = False
        for a in acting or self._referred(sent):                      # 2. the acting organisation's home
            code, ev = self.home(a)
            if code:
                role = "global" if code == "GLOBAL" else "institution" if a.institution else "place"
                add(out, code, role, "actor_home", ev)
                found = True
        if found:
            return out
        if para is not None:
            d = self.datelines.get(para[0])
            if d is not None:                                         # 3. the paragraph's dateline
                add(out, d[0], "place", "dateline", d[1])
                return out
            in_para = self._paragraph(para)
            for code, ev in in_para:                                  # 4. the paragraph
                add(out, code, "global" if code == "GLOBAL" else "place", "paragraph", ev)
            if in_para:  # (``out`` may hold the sentence's origin-only mentions: they decide nothing)
                return out
        self._document(out)                                           # 5. the document
        return out

    def _referred(self, sent) -> list:
        """The organisation named last before a sentence that names it only as "the company"."""
        if not _referring_re().search(self.text, sent[0], sent[1]):
            return []
        i = bisect.bisect_left(self.org_starts, sent[0]) - 1
        return [self.orgs[i]] if i >= 0 else []

    def _list_head(self, start: int, end: int, places, continued: bool) -> list:
        """The places (joined by commas and "and") ending ``text[start:end]``, the head of a list the date's clause
        goes on with ("travel to Germany, Romania, Ukraine and Belgium from Dec. 5-9") when ``continued``, else only
        when they are all of that text ("Italy, which stayed out of Iraq in 2003")."""
        run, pos = [], end
        for m in reversed([m for m in places if start <= m.start < end]):
            if _LIST_GLUE.fullmatch(self.text, m.end, pos) is None:
                break
            run.append(m)
            pos = m.start
        return run[::-1] if continued or _LIST_GLUE.fullmatch(self.text, start, pos) else []

    def _paragraph(self, para: tuple[int, int]) -> list[tuple[str, str]]:
        """``(code, evidence)`` of a paragraph's dominant markets, computed once per paragraph (not once per
        date in it: that made extraction quadratic on a long text without blank lines)."""
        hit = self._para_cache.get(para)
        if hit is None:
            para_ments = [m for m in self._between(*para) if m.role != "origin" and m.kind != "area"]
            dom = dominant(para_ments, min_share=0.6, limit=2)
            dom = [c for c in dom if c != "GLOBAL"] or dom
            hit = [(code, "; ".join(list(dict.fromkeys(m.text for m in para_ments if m.code == code))[:3]))
                   for code in dom]
            self._para_cache[para] = hit
        return hit

    def _document(self, out: dict[str, Market]) -> None:
        for code in self.doc_dom:
            add(out, code, "place", "document", "; ".join(self.evidence.get(code, [])[:3]))
