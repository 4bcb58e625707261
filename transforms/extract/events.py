"""Assembly of the "who, where, what" of every dated statement: Document -> rows of the lake tables
``events``, ``event_mentions`` and ``event_markets`` (columns exactly as in transforms.lake.schema).

* **When.** Every DATE or TIME timex of ``transforms.temporal.tag(doc.text, doc.published)`` with a
  resolved interval (date_start and date_end set) is a mention of an event; DURATION, SET and the *_REF
  expressions ("now", "recently") are not.
* **Where.** Markets named in the event's sentence (restricted to the date's clause when the sentence's
  clauses name different markets: basis ``clause``); origin-only mentions ("42 other Chinese apps") are
  kept with role ``origin`` but do not count as the place.  A sentence without a place falls back to the
  paragraph's dominant market, then the document's (title included), with basis ``paragraph`` /
  ``document`` and lower confidence.  A sentence whose only evidence is a demonym ("our old Chinese
  friends") also gets the document's dominant markets.
* **What.** The event type from the trigger nearest the date (transforms.event_types).
* **Who.** The actors named in the sentence (transforms.extract.actors), canonical names.
* **One event per happening.** Mentions with the same interval and type (not ``other``) and compatible
  markets are one event: the first mention's offsets, ``mentions`` = how many, one event_mentions row each.
"""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field

from transforms.extract import actors as actors_mod
from transforms.extract import event_types, markets, sentences
from transforms.ingest.models import Document
from transforms.lake import schema

__all__ = ["extract", "event_id_for", "ANCHOR_WEIGHT", "BASIS_WEIGHT"]

ANCHOR_WEIGHT = {"absolute": 1.0, "dct": 0.9, "previous": 0.75, "inferred": 0.6}
BASIS_WEIGHT = {"sentence": 1.0, "clause": 0.9, "paragraph": 0.75, "document": 0.6, None: 0.4}
_ROLE_RANK = {"place": 0, "institution": 1, "global": 2, "origin": 3}
_BASIS_RANK = {b: i for i, b in enumerate(schema.MARKET_BASES)}
_MERGEABLE_EXCLUDED = {"other"}


def tag(text: str, dct=None) -> list:
    """``transforms.temporal.tag``, imported on first use (tests monkeypatch this name)."""
    from transforms.temporal import tag as _tag

    return _tag(text, dct)


def event_id_for(doc_id: str, start: int, end: int) -> str:
    """Stable id of an event: sha1 of the document id and the first mention's offsets, 16 hex chars."""
    return hashlib.sha1(f"{doc_id}:{start}:{end}".encode("utf-8")).hexdigest()[:16]


@dataclass
class _Market:
    code: str
    role: str
    basis: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class _Mention:
    timex: object
    sent: tuple[int, int]
    clause: tuple[int, int]
    event_type: str
    trigger: str | None
    actors: list[str]
    markets: dict[str, _Market]
    confidence: float

    def place_codes(self) -> set[str]:
        return {c for c, m in self.markets.items() if m.role != "origin"}


def _precision(tx) -> str:
    if tx.precision in schema.PRECISIONS:
        return tx.precision
    v = tx.value or ""
    if "T" in v:
        return "time"
    if "W" in v:
        return "week"
    if "Q" in v:
        return "quarter"
    if "H" in v[4:]:
        return "half"
    return {4: "year", 7: "month", 10: "day"}.get(len(v), "day")


def _in(spans_starts: list[int], spans: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    i = bisect.bisect_right(spans_starts, pos) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return None


def _between(ments: list[markets.Mention], starts: list[int], s: int, e: int) -> list[markets.Mention]:
    return ments[bisect.bisect_left(starts, s):bisect.bisect_left(starts, e)]


def _add(out: dict[str, _Market], code: str, role: str, basis: str, evidence: str) -> None:
    cur = out.get(code)
    if cur is None:
        out[code] = _Market(code, role, basis, [evidence])
        return
    if _ROLE_RANK[role] < _ROLE_RANK[cur.role]:
        cur.role = role
    if _BASIS_RANK[basis] < _BASIS_RANK[cur.basis]:
        cur.basis = basis
    if evidence not in cur.evidence:
        cur.evidence.append(evidence)


def _fallback_evidence(ments: list[markets.Mention], code: str) -> list[str]:
    out: list[str] = []
    for m in ments:
        if m.code == code and m.text not in out:
            out.append(m.text)
    return out[:3]


def _doc_dominant(ments: list[markets.Mention], sents: list[tuple[int, int]],
                  title_ments: list[markets.Mention], min_share: float = 0.6, limit: int = 2) -> list[str]:
    """Markets the document is about: per sentence 1 for a place/institution mention, 0.5 for an
    origin-only mention; the title counts twice."""
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    starts = [s for s, _ in sents]
    per_sent: dict[tuple[int, str], float] = {}
    for m in ments:
        if m.code == "GLOBAL":
            continue
        i = bisect.bisect_right(starts, m.start) - 1
        w = 0.5 if m.role == "origin" else 1.0
        per_sent[(i, m.code)] = max(per_sent.get((i, m.code), 0.0), w)
        first.setdefault(m.code, m.start)
    for (_, code), w in per_sent.items():
        score[code] = score.get(code, 0.0) + w
    for code in dict.fromkeys(m.code for m in title_ments if m.code != "GLOBAL"):
        score[code] = score.get(code, 0.0) + 2.0
        first.setdefault(code, -1)
    if not score:
        return []
    top = max(score.values())
    ranked = sorted(score, key=lambda c: (-score[c], first[c]))
    return [c for c in ranked if score[c] >= top * min_share][:limit]


def _markets_for(sent, clause, para, ments, starts, doc_dom, doc_ments_by_code, para_cache=None) -> dict[str, _Market]:
    out: dict[str, _Market] = {}
    in_sent = _between(ments, starts, *sent)
    places = [m for m in in_sent if m.role != "origin"]
    for m in in_sent:
        if m.role == "origin":
            _add(out, m.code, "origin", "sentence", m.text)
    if places:
        in_clause = [m for m in places if clause[0] <= m.start < clause[1]]
        if in_clause and {m.code for m in in_clause} != {m.code for m in places}:
            chosen, basis = in_clause, "clause"
        else:
            chosen, basis = places, "sentence"
        for m in chosen:
            _add(out, m.code, m.role, basis, m.text)
        if all(m.kind == "demonym" and m.role == "place" for m in chosen):
            for code in doc_dom:       # weak evidence ("Chinese friends"): the article's markets too
                _add(out, code, "place", "document", "; ".join(doc_ments_by_code.get(code, [])))
        return out
    if para is not None:
        para_dom = (para_cache or {}).get(para)  # once per paragraph, not per date in it (linear time)
        if para_dom is None:
            para_ments = [m for m in _between(ments, starts, *para) if m.role != "origin"]
            dom = markets.dominant(para_ments, min_share=0.6, limit=2)
            dom = [c for c in dom if c != "GLOBAL"] or dom
            para_dom = [(code, "; ".join(_fallback_evidence(para_ments, code))) for code in dom]
            if para_cache is not None:
                para_cache[para] = para_dom
        if para_dom:
            for code, evidence in para_dom:
                _add(out, code, "global" if code == "GLOBAL" else "place", "paragraph", evidence)
            return out
    for code in doc_dom:
        _add(out, code, "place", "document", "; ".join(doc_ments_by_code.get(code, [])))
    return out


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _confidence(anchor: str, mkts: dict[str, _Market]) -> float:
    bases = [m.basis for m in mkts.values() if m.role != "origin"]
    best = min(bases, key=lambda b: _BASIS_RANK[b]) if bases else None
    return round(ANCHOR_WEIGHT.get(anchor, 0.5) * BASIS_WEIGHT[best], 3)


def _compatible(a: _Mention, b: _Mention) -> bool:
    pa_, pb = a.place_codes(), b.place_codes()
    if not pa_ or not pb or pa_ & pb:
        return True
    strong = lambda m: {c for c, x in m.markets.items() if x.role != "origin" and x.basis in ("sentence", "clause")}
    sa, sb = strong(a), strong(b)
    return not sa or not sb or bool(sa & sb)


def extract(doc: Document, run_id: str) -> dict[str, list[dict]]:
    """Rows for the lake tables ``events``, ``event_mentions`` and ``event_markets`` of one document."""
    text = doc.text
    result: dict[str, list[dict]] = {"events": [], "event_mentions": [], "event_markets": []}
    timexes = [t for t in tag(text, doc.published)
               if t.resolved is not None and t.date_start is not None and t.date_end is not None
               and not t.resolved.endswith("_REF")]
    if not timexes:
        return result

    sents = sentences.split(text)
    sent_starts = [s for s, _ in sents]
    paras = sentences.paragraphs(text)
    para_starts = [s for s, _ in paras]
    event_sents = sorted({_in(sent_starts, sents, t.start) or (t.start, t.end) for t in timexes})
    acts = actors_mod.find(text, spans=_disjoint(event_sents))
    act_spans = sentences.SpanSet((a.start, a.end) for a in acts)
    ments = markets.find(text, exclude=actors_mod.place_masks(acts))
    m_starts = [m.start for m in ments]
    title_ments: list[markets.Mention] = []
    if doc.title:
        title_ments = markets.find(doc.title, exclude=actors_mod.place_masks(actors_mod.find(doc.title)))
    doc_dom = _doc_dominant(ments, sents, title_ments)
    by_code: dict[str, list[str]] = {}
    for m in list(title_ments) + ments:
        lst = by_code.setdefault(m.code, [])
        if m.text not in lst and len(lst) < 3:
            lst.append(m.text)

    mentions: list[_Mention] = []
    para_cache: dict = {}
    for tx in sorted(timexes, key=lambda t: (t.start, t.end)):
        sent = _in(sent_starts, sents, tx.start) or (tx.start, tx.end)
        if tx.end > sent[1]:                       # a date split by the segmenter: widen to its end
            sent = (sent[0], max(sent[1], next((e for s, e in sents if s <= tx.end <= e), tx.end)))
        para = _in(para_starts, paras, tx.start)
        cl = sentences.clauses(text, sent[0], sent[1], protect=((tx.start, tx.end),))
        clause = sentences.date_clause(text, cl, tx.start, tx.end)
        etype, trigger = event_types.classify(text, tx.start, tx.end, clause, sent[0], sent[1], act_spans)
        mk = _markets_for(sent, clause, para, ments, m_starts, doc_dom, by_code, para_cache)
        mentions.append(_Mention(tx, sent, clause, etype, trigger, actors_mod.in_span(acts, *sent), mk,
                                 _confidence(tx.anchor, mk)))

    groups: list[list[_Mention]] = []
    by_key: dict[tuple, list[list[_Mention]]] = {}
    for mn in mentions:
        key = (mn.timex.date_start, mn.timex.date_end, mn.event_type)
        cands = by_key.setdefault(key, []) if mn.event_type not in _MERGEABLE_EXCLUDED else []
        for g in cands:
            if _compatible(g[0], mn) and _compatible(g[-1], mn):
                g.append(mn)
                break
        else:
            groups.append([mn])
            if mn.event_type not in _MERGEABLE_EXCLUDED:
                cands.append(groups[-1])

    for g in groups:
        head = g[0]
        tx = head.timex
        eid = event_id_for(doc.doc_id, tx.start, tx.end)
        mk: dict[str, _Market] = {}
        actors: list[str] = []
        for mn in g:
            for m in mn.markets.values():
                for ev in m.evidence:
                    _add(mk, m.code, m.role, m.basis, ev)
            for a in mn.actors:
                if a not in actors:
                    actors.append(a)
        trigger = next((mn.trigger for mn in g if mn.trigger), None)
        result["events"].append({
            "event_id": eid,
            "doc_id": doc.doc_id,
            "date_text": tx.text,
            "timex": tx.resolved,
            "timex_type": tx.resolved_type,
            "date_start": tx.date_start,
            "date_end": tx.date_end,
            "precision": _precision(tx),
            "anchor": tx.anchor if tx.anchor in schema.ANCHORS else "inferred",
            "event_type": head.event_type,
            "trigger": trigger,
            "actors": actors,
            "sentence": text[head.sent[0]:head.sent[1]],
            "sentence_start": head.sent[0],
            "sentence_end": head.sent[1],
            "char_start": tx.start,
            "char_end": tx.end,
            "mentions": len(g),
            "confidence": max(mn.confidence for mn in g),
            "run_id": run_id,
        })
        for mn in g:
            result["event_mentions"].append({
                "event_id": eid,
                "doc_id": doc.doc_id,
                "date_text": mn.timex.text,
                "sentence": text[mn.sent[0]:mn.sent[1]],
                "char_start": mn.timex.start,
                "char_end": mn.timex.end,
                "run_id": run_id,
            })
        order = sorted(mk.values(), key=lambda m: (_BASIS_RANK[m.basis], _ROLE_RANK[m.role]))
        for m in order:
            result["event_markets"].append({
                "event_id": eid,
                "market": m.code,
                "role": m.role,
                "basis": m.basis,
                "evidence": "; ".join(m.evidence)[:200] or None,
                "run_id": run_id,
            })
    return result
