"""Event types for business, marketplace and trade news, defined in ``knowledge/event_types.csv``.

Each type has a short snake_case name, a definition, trigger lemmas/phrases and a priority.  A sentence's
words are reduced to a few candidate lemmas by simple suffix rules (banned -> ban, reported -> report,
starts -> start, said -> say) and matched against the triggers.  The event's type is decided by the
trigger nearest the date, preferring triggers in the date's clause and more specific types.
"""
from __future__ import annotations

import functools
import re
from itertools import compress
from operator import itemgetter
from dataclasses import dataclass, field

from transforms import knowledge
from transforms.extract.sentences import SpanSet

__all__ = ["EventType", "Trigger", "types", "type_names", "lemmas", "find_triggers", "classify"]


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    priority: int
    definition: str
    triggers: tuple[str, ...]
    context: frozenset[str] = frozenset()      # lemmas one of which a "~" trigger needs in its sentence
    needs_context: dict = field(default_factory=dict)  # "~" trigger -> the lemmas one of which it needs ("~crash")
    weak: frozenset[str] = frozenset()         # the triggers written with "?": only where no stronger trigger is


@dataclass(frozen=True, slots=True)
class Trigger:
    start: int
    end: int
    text: str
    type: str
    priority: int
    token: int         # index of the first token in the text's token list
    weak: bool = False  # a figure word ("billion"): the type only when the sentence has no stronger trigger


@functools.cache
def types() -> tuple[EventType, ...]:
    out = []
    for row in knowledge.csv_rows("event_types.csv"):
        written = [t.strip().lower() for t in row["triggers"].split("|") if t.strip()]
        trig = tuple(t.lstrip("~?").split("(")[0] for t in written)
        context = frozenset(t.strip().lower() for t in (row.get("context") or "").split("|") if t.strip())
        needs = {}  # "~close(plant/store)": a context of its own, else the type's
        for t in written:
            if t.startswith("~"):
                own = t[1:].partition("(")[2].rstrip(")")
                needs[t[1:].split("(")[0]] = frozenset(own.split("/")) if own else context
        if any(not c for c in needs.values()):
            raise ValueError(f"event_types.csv: {row['type']} has '~' triggers but no context lemmas")
        weak = frozenset(t[1:] for t in written if t.startswith("?"))
        out.append(EventType(row["type"], int(row["priority"]), row["definition"], trig, context, needs, weak))
    return tuple(out)


def type_names() -> list[str]:
    return [t.name for t in types()]


@functools.cache
def _irregular() -> dict[str, str]:
    """Irregular verb forms -> lemma (``knowledge/irregular_verbs.csv``)."""
    return {r["verb"]: r["lemma"] for r in knowledge.csv_rows("irregular_verbs.csv")}


_TOKEN_RE = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|\d+(?:[.,]\d+)*")
_CLAUSE_START_RE = re.compile(r"[,;:—(\"“]\s*$")   # a capitalised word after these may be a trigger
MAX_OUT_OF_CLAUSE = 20   # tokens: a trigger outside the date's clause must be this close


@functools.lru_cache(maxsize=65536)
def lemmas(word: str) -> tuple[str, ...]:
    """Candidate lemmas of a word (lower-cased) by suffix stripping; over-generation is harmless. In a fixed
    order, the word itself first (its own triggers win over a stripped form's: "ruling" before "rule"), then
    the irregular form, then the suffix rules in the order written; never in a set's hash order, which
    would change event types from one process to the next."""
    w = word.lower()
    if w.endswith(("'s", "’s")):                     # "court's": the noun's own lemmas
        return tuple(dict.fromkeys((w, *lemmas(w[:-2]))))
    out = [w]
    irregular = _irregular()
    if w in irregular:
        out.append(irregular[w])
    n = len(w)
    if n > 4 and w.endswith("ies"):
        out.append(w[:-3] + "y")
    if n > 4 and w.endswith("ied"):
        out.append(w[:-3] + "y")
    if n > 3 and w.endswith("es"):
        out.append(w[:-2])
    if n > 3 and w.endswith("s") and not w.endswith("ss"):
        out.append(w[:-1])
    if n > 3 and w.endswith("ed"):                    # "sued", "axed"
        out.extend((w[:-2], w[:-1]))
        if w[-3] == w[-4]:
            out.append(w[:-3])
    if n > 5 and w.endswith("ing"):
        out.extend((w[:-3], w[:-3] + "e"))
        if w[-4] == w[-5]:
            out.append(w[:-4])
    return tuple(dict.fromkeys(out))


@functools.cache
def _index() -> dict[str, list[tuple[tuple[str, ...], str, int, frozenset[str] | None, bool]]]:
    idx: dict[str, list[tuple[tuple[str, ...], str, int, frozenset[str] | None, bool]]] = {}
    for t in types():
        for trig in t.triggers:
            parts = tuple(trig.split())
            idx.setdefault(parts[0], []).append((parts, t.name, t.priority,
                                                 t.needs_context.get(trig), trig in t.weak))
    for v in idx.values():
        v.sort(key=_specific_first)
    return idx


def _specific_first(entry) -> tuple[int, bool]:
    """Longest phrase first; of the same length, a trigger whose context words must be in the sentence before one
    that needs none ("Stocks fell": a market move, not a figure)."""
    return -len(entry[0]), entry[3] is None


def find_triggers(text: str, start: int = 0, end: int | None = None,
                  exclude=()) -> list[Trigger]:
    """Trigger words in ``text[start:end]``.  Capitalised words inside the span count only at the
    start of the span or of a clause, or as part of a multi-word trigger ("Notorious Markets");
    tokens inside ``exclude`` spans (actor names) never count."""
    if end is None:
        end = len(text)
    key = (id(text), len(text), start, end, id(exclude))
    hit = _LAST.get(key)
    if hit is not None and hit[0] is text:
        return hit[1]
    out = _find_triggers(text, start, end, exclude)
    _LAST.clear()                                     # several dates in one sentence: tokenise once
    _LAST[key] = (text, out)
    return out


_LAST: dict = {}


def _find_triggers(text: str, start: int, end: int, exclude) -> list[Trigger]:
    ms = list(_TOKEN_RE.finditer(text, start, end))
    words = list(map(_GROUP, ms))
    exclude = SpanSet(exclude) if not isinstance(exclude, SpanSet) else exclude
    out: list[Trigger] = []
    n = len(ms)
    nxt = 0                                           # tokens before this belong to an earlier phrase
    sentence_lemmas = None                            # for the triggers that need context, once
    # only the tokens with candidate triggers are visited (the per-word lookup runs in C)
    for i in compress(range(n), map(_WORD_TRIGGERS.__getitem__, words)):
        if i < nxt:
            continue
        s, e = ms[i].span()
        if exclude and exclude.overlaps(s, e):
            continue
        w = words[i]
        for parts, name, prio, context, weak in _WORD_TRIGGERS[w]:
            k = len(parts)
            if k == 1 and w[:1].isupper() and not w.isupper() and i > 0 \
                    and not _CLAUSE_START_RE.search(text, max(start, s - 3), s):
                continue
            if k > 1:
                if i + k > n:
                    continue
                if not all(parts[j] in lemmas(words[i + j]) for j in range(1, k)):
                    continue
            if context is not None:
                if sentence_lemmas is None:
                    sentence_lemmas = _context_lemmas(words)
                if context.isdisjoint(sentence_lemmas):
                    continue                          # "the plane crashed": no market's crash
            last_end = ms[i + k - 1].end()
            out.append(Trigger(s, last_end, text[s:last_end], name, prio, i, weak))
            nxt = i + k
            break
    return out


def _context_lemmas(words: list[str]) -> set[str]:
    """The lemmas a trigger's context is looked for in: of a name inside the sentence, only the name itself
    ("United States" is no "unit", "Nasdaq" stays "nasdaq"); of the first word and lower-case words, all."""
    out = set(_WORD_LEMMAS[words[0]]) if words else set()
    for x in words[1:]:
        out.update((x.lower(),) if x[:1].isupper() else _WORD_LEMMAS[x])
    return out


class _LemmaCache(dict):
    """``word -> lemmas`` of the word and, for a compound ("third-quarter"), of its parts; filled on first use."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) > 200_000:
            self.clear()
        parts = [word, *word.split("-")] if "-" in word else [word]
        out = self[word] = tuple(dict.fromkeys(lem for p in parts for lem in lemmas(p)))
        return out


_WORD_LEMMAS = _LemmaCache()


_GROUP = re.Match.group
_FIRST = itemgetter(0)


def _word_triggers(word: str) -> tuple[tuple[tuple[str, ...], str, int, frozenset[str] | None, bool], ...]:
    """Trigger entries whose first word is a lemma of ``word``, longest phrases first."""
    idx = _index()
    found = [entry for lem in lemmas(word) for entry in idx.get(lem, ())]
    found.sort(key=lambda x: -len(x[0]))   # stable: the word's own triggers before a stripped form's ("ruling", "rule")
    return tuple(found)


class _TriggerCache(dict):
    """``word -> _word_triggers(word)``, filled on first use (a plain dict: lookups stay in C)."""

    def __missing__(self, word: str):
        if len(self) > 200_000:
            self.clear()
        out = self[word] = _word_triggers(word)
        return out


_WORD_TRIGGERS = _TriggerCache()


def classify(text: str, date_start: int, date_end: int, clause: tuple[int, int] | None = None,
             start: int = 0, end: int | None = None,
             exclude=()) -> tuple[str, str | None]:
    """``(event_type, trigger_text)`` for the date at ``[date_start, date_end)`` of the sentence
    ``text[start:end]``; ``clause`` is the date's clause.  ``("other", None)`` without a trigger."""
    trigs = [t for t in find_triggers(text, start, end, exclude)
             if not (t.start < date_end and date_start < t.end)]
    if not trigs:
        return "other", None
    if clause is not None:                  # a trigger in the date's clause beats any outside it
        trigs = [t for t in trigs if clause[0] <= t.start < clause[1]] or trigs
    if any(t.weak for t in trigs) and any(not t.weak and t.priority > 1 for t in trigs):
        trigs = [t for t in trigs if not t.weak]   # "fined Google 4.3 billion euros": a fine, not a figure

    def key(t: Trigger):
        in_clause = clause is not None and clause[0] <= t.start < clause[1]
        if t.end <= date_start:
            dist = len(_TOKEN_RE.findall(text, t.end, date_start))
        else:
            dist = len(_TOKEN_RE.findall(text, date_end, t.start))
        return (0 if in_clause else 1, dist - 2 * t.priority, t.start)

    (out_of_clause, score, _), best = min(((key(t), t) for t in trigs), key=_FIRST)
    if out_of_clause and score + 2 * best.priority > MAX_OUT_OF_CLAUSE:
        return "other", None
    return best.type, best.text
