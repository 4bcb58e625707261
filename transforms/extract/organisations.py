"""Organisations and where they are at home.

* The table ``knowledge/organisations.csv``: canonical name, home market (ISO-3166 alpha-2, ``EU``,
  ``GLOBAL``, or ``*`` = the document's own country for "the Treasury"), kind and aliases. Aliases marked
  ``~`` are also common words or names ("Apple", "Shell", "Ford"): they count only with business context
  in the sentence and not before a noun that makes them a word ("Apple pie", "Shell companies") or after /
  before another capitalised name ("Harrison Ford", "Ford Foundation").
* ``short_name``: a name without its legal form ("Unisys Corp." -> "Unisys", "Polly Peck International" ->
  "Polly Peck"): the WSJ/wire convention of a full name first and a short name after.
* ``evidence``: in-document evidence of an unknown company's home: "Tokyo-based X", "the British company X",
  "X of Japan", "Japan's X", a place inside the name ("Kenya Commercial Bank"), and the exchange its shares
  trade on ("in New York Stock Exchange composite trading").
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from transforms import knowledge

__all__ = ["Org", "table", "lookup", "words", "short_name", "ambiguous_ok", "evidence", "defined_acronyms",
           "same_name", "INSTITUTION_KINDS"]

INSTITUTION_KINDS = frozenset({"central_bank", "regulator", "government", "supranational"})


@dataclass(frozen=True, slots=True)
class Org:
    name: str
    home: str          # ISO code, EU, GLOBAL or "*" (the document's country)
    kind: str          # company | bank | exchange | index | central_bank | regulator | government | supranational | media
    ambiguous: bool    # this alias is also a common word or name


@functools.cache
def words() -> dict:
    cfg = knowledge.toml("organisations.toml")
    return {k: (frozenset(v) if isinstance(v, list) else v) for k, v in cfg.items()}


@functools.cache
def table() -> dict[str, Org]:
    """``{alias: Org}`` for every name and alias of the table (the first row naming an alias wins)."""
    out: dict[str, Org] = {}
    for row in knowledge.csv_rows("organisations.csv"):
        name, home, kind = row["name"], row["home"], row["kind"]
        aliases = [a for a in row.get("aliases", "").split("|") if a]
        ambiguous = {a[1:] for a in aliases if a.startswith("~")}
        for alias in [name] + [a.lstrip("~") for a in aliases]:
            out.setdefault(alias, Org(name, home, kind, alias in ambiguous))
    return out


@functools.cache
def _by_name() -> dict[str, Org]:
    out: dict[str, Org] = {}
    for org in table().values():
        out.setdefault(org.name, Org(org.name, org.home, org.kind, False))
    return out


def lookup(name: str) -> Org | None:
    """The table row of a canonical name or alias (None when unknown)."""
    return _by_name().get(name) or table().get(name)


@functools.cache
def _legal_re() -> re.Pattern:
    forms = sorted(words()["legal_forms"], key=len, reverse=True)
    return re.compile(r"(?:,?\s+(?:" + "|".join(map(re.escape, forms)) + r"))+$")


def short_name(name: str) -> str:
    """The name without trailing legal forms / generic tails; the name itself when nothing would remain."""
    base = _legal_re().sub("", name).strip(" ,")
    return base if base and base != name else name


_ACRONYM_RE = re.compile(r"\(([A-Z]{2,6})\)")
_LONG_RE = re.compile(r"[\w'’.&-]+")


def defined_acronyms(text: str) -> dict[str, str]:
    """The acronyms ``text`` defines itself, with their long forms: "the Afghan National Army (ANA)" ->
    {"ANA": "Afghan National Army"} (the initials of the last capitalised words before the brackets spell it)."""
    out: dict[str, str] = {}
    skip = words()["acronym_skip"]
    for m in _ACRONYM_RE.finditer(text):
        acr = m.group(1)
        toks = _LONG_RE.findall(text, max(0, m.start() - 12 * len(acr) - 20), m.start())
        caps = [i for i, t in enumerate(toks) if t not in skip and t[:1].isupper()]
        if len(caps) >= len(acr) and "".join(toks[i][0] for i in caps[-len(acr):]) == acr \
                and all(t in skip or t[:1].isupper() for t in toks[caps[-len(acr)]:]):
            out.setdefault(acr, " ".join(toks[caps[-len(acr)]:]))
    return out


@functools.cache
def _name_words() -> dict[str, frozenset[str]]:
    """The distinctive words of each organisation's names and aliases, by canonical name."""
    skip = words()["acronym_skip"] | words()["acronym_generic"]
    out: dict[str, set[str]] = {}
    for alias, org in table().items():
        out.setdefault(org.name, set()).update(w for w in re.findall(r"[a-z]+", alias.lower()) if w not in skip)
    return {k: frozenset(v) for k, v in out.items()}


def same_name(long_form: str, canonical: str) -> bool:
    """Is the long form a document gives an acronym a name of the table's organisation ``canonical``?"""
    found = set(re.findall(r"[a-z]+", long_form.lower().replace("'s", "")))
    return bool(found & _name_words().get(canonical, frozenset()))


_TOKEN_RE = re.compile(r"[\w$%&'’.-]+|[$%]")
_AFTER_RE = re.compile(r"(?:['’]s)?[ \t]+([\w&.-]+)")
_CAP_BEFORE_RE = re.compile(r"([A-Z][\w.'’-]*)[ \t]+$")
_WORD_BEFORE_RE = re.compile(r"(\w+)[ \t]+$")
_SENT_FIRST_RE = re.compile(r"(?:^|[.!?\n\"“(])\s*\S+[ \t]+$")
_OF_RE = re.compile(r",?\s+of\s+(?:the\s+)?")
_SENT_END_RE = re.compile(r"[.!?]\s")


def ambiguous_ok(text: str, start: int, end: int, sent: tuple[int, int] | None = None) -> bool:
    """Whether an ambiguous alias at [start, end) is the organisation: business context in its sentence
    (at most 150 characters either side), not before a noun that makes it a word, not after a possessive ("its"),
    not inside a longer name."""
    w = words()
    after = _AFTER_RE.match(text[end:end + 40])
    if after:
        nxt = after.group(1)
        if nxt.lower() in w["not_before"]:
            return False
        if nxt[:1].isupper() and not after.group(0).startswith(("'", "’")):
            return False                                  # "Ford Foundation", "Apple Records"
    prev = _WORD_BEFORE_RE.search(text[max(0, start - 12):start])
    if prev and prev.group(1).lower() in w["not_after"]:
        return False                                      # "its Midland nuclear plant"
    before = _CAP_BEFORE_RE.search(text[max(0, start - 30):start])
    if before and not _SENT_FIRST_RE.search(text[max(0, start - 60):start]):
        return False                                      # "Harrison Ford", "Royal Shell" (not sentence-initial)
    if sent:
        s, e = sent
    else:  # the sentence, up to 150 characters either side ("... anti-Orange protests. Riot police in armored cars")
        s, e = max(0, start - 150), min(len(text), end + 150)
        s = max((m.end() for m in _SENT_END_RE.finditer(text, s, start)), default=s)
        e = m.start() + 1 if (m := _SENT_END_RE.search(text, end, e)) else e
    ctx = w["business_context"]
    return any(t.lower().strip(".,'’") in ctx or "$" in t or "%" in t or "-" in t and not ctx.isdisjoint(t.lower().split("-"))
               for t in _TOKEN_RE.findall(text[s:e]))  # "fell 2.08%", "its fourth-quarter slump"


@functools.cache
def _evidence_res() -> tuple[re.Pattern, re.Pattern]:
    w = words()
    based = re.compile(r"(?:" + "|".join(map(re.escape, w["home_suffixes"])) + r")\s+(?:[a-z][\w-]*\s+){0,3}$")
    noun_alt = "|".join(map(re.escape, sorted(w["org_nouns"])))
    nouns = re.compile(r"['’]s\s+|\s+(?:[\w-]+\s+){0,2}(?:" + noun_alt + r"),?\s+")
    return based, nouns


def evidence(text: str, orgs, ments) -> dict[str, tuple[str, str]]:
    """``{canonical name: (code, evidence words)}``: in-document evidence of the homes of organisations
    without a known home. ``orgs``: the document's organisation actors (start, end, name; sorted);
    ``ments``: every market mention of the text (sorted), including those inside organisation names."""
    w = words()
    out: dict[str, tuple[str, str]] = {}
    if not orgs:
        return out
    by_end = {m.end: m for m in ments}
    by_start = {m.start: m for m in ments}
    starts = [m.start for m in ments]
    based_re, noun_re = _evidence_res()
    mi = 0
    for a in orgs:
        if a.name in out:
            continue
        # a place inside the name: "Kenya Commercial Bank", "Bangkok Bank"
        while mi < len(ments) and ments[mi].start < a.start:
            mi += 1
        inside = [m for m in ments[mi:mi + 4] if m.start >= a.start and m.end <= a.end and m.code != "GLOBAL"]
        if inside:
            out[a.name] = (inside[0].code, inside[0].text)
            continue
        head = text[max(0, a.start - 60):a.start]
        # "Tokyo-based X", "Tokyo-based electronics maker X"
        m = based_re.search(head)
        if m:
            p = by_end.get(a.start - len(head) + m.start())
            if p:
                out[a.name] = (p.code, p.text + m.group().strip())
                continue
        # "the British company X", "Japan's X", "Japanese automaker X": the last place before the name
        k = bisect.bisect_left(starts, a.start) - 1
        p = ments[k] if k >= 0 else None
        if p is not None and a.start - p.end < 50 and (m := noun_re.fullmatch(text, p.end, a.start)) \
                and (p.kind == "demonym" or m.group().startswith(("'", "’"))):
            out[a.name] = (p.code, text[p.start:a.start].strip())
            continue
        # "X of Japan"
        m = _OF_RE.match(text[a.end:a.end + 12])
        if m and (p := by_start.get(a.end + m.end())) is not None and p.kind in ("name", "city"):
            out[a.name] = (p.code, text[a.start:p.end])
    # where its shares trade: "X ... in New York Stock Exchange composite trading"
    exchanges = [a for a in orgs if (o := lookup(a.name)) is not None and o.kind == "exchange"]
    for a in orgs:
        if a.name in out or lookup(a.name) is not None:
            continue
        for x in exchanges:
            gap = text[a.end:x.start]
            if 0 < x.start - a.end < 200 and "\n\n" not in gap and not _SENT_END_RE.search(gap) \
                    and any(t in gap.lower() or t in x.text.lower() for t in w["trading_words"]):
                out[a.name] = (lookup(x.name).home, x.text)
                break
    return out
