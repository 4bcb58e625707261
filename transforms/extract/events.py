"""Assembly of the "who, where, what" of every dated statement: Document -> rows of the lake tables
``events``, ``event_mentions`` and ``event_markets`` (columns exactly as in transforms.lake.schema).

* **When.** Every DATE or TIME timex of ``transforms.temporal.tag(doc.text, doc.published)`` with a
  resolved interval (date_start and date_end set) is a mention of an event; DURATION, SET and the *_REF
  expressions ("now", "recently") are not. A dateline opening the text with another day than the publication
  date (at most a year before it) is the day its relative dates count from.
* **Where.** ``transforms.extract.attribution`` decides every event's markets, with evidence, role and basis
  (sentence/clause -> acting organisation's home -> paragraph dateline -> paragraph -> document).
* **What.** The event type from the trigger nearest the date (transforms.extract.event_types).
* **Who.** The actors named in the sentence (transforms.extract.actors), canonical names, the lead actor
  (the first organisation or person acting in the date's clause, else the sentence; never media) first.
* **One event per happening.** Mentions with the same ``attribution.happening_key`` (same interval, type
  and lead actor) are one event: the first mention's offsets, ``mentions`` = how many, one event_mentions row
  each. ``story_key`` (the same key plus the event's best market) links the event to other documents.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import hashlib
from dataclasses import dataclass, replace

from transforms.extract import actors as actors_mod
from transforms.extract import attribution, event_types, markets, organisations, sentences
from transforms.ingest.models import Document
from transforms.lake import schema

__all__ = ["extract", "event_id_for", "infer_publication_date", "ANCHOR_WEIGHT"]

ANCHOR_WEIGHT = {"absolute": 1.0, "dct": 0.9, "previous": 0.75, "inferred": 0.6}
# a dateline's day counts as the text's own day when it lies at most this long before the publication date (or a
# day after it: time zones); a later one is a misreading ("Feb. 29" read in the next leap year)
DATELINE_BEFORE = _dt.timedelta(366)
# A sentence naming more dates than this is a list or a dump ("'90s '90s ...", a column of ISO dates): its first
# MAX_DATES_PER_SENTENCE dates become events, the rest are counted in a note on the document. News sentences name
# at most 7 timexes (all 2,708 TimeBank, AQUAINT and TE3-silver documents); without the bound such a text cost
# 0.8 GB and 20 s per MB of text (now 0.2 GB and 4.5 s).
MAX_DATES_PER_SENTENCE = 12


def tag(text: str, dct=None) -> list:
    """``transforms.temporal.tag``, imported on first use (tests monkeypatch this name)."""
    from transforms.temporal import tag as _tag

    return _tag(text, dct)


def infer_publication_date(doc: Document, timexes: list) -> None:
    """No date in metadata, sidecar or header: the publication date is the text's reference date
    (``transforms.temporal.reference_date``, the rule the tagger anchors relative dates on) when it is a
    day; ``published_basis = 'inferred'``."""
    from transforms.temporal import reference_date

    ref = reference_date(timexes)
    if ref is not None and ref.prec == "day":
        doc.published, doc.published_basis = ref.date, "inferred"


def _dateline_day(text: str, tagged: list):
    """The day of a dateline opening the text ("PARIS, March 3 (Reuters) -"), the day its relative dates are
    counted from when the publication date differs (a feed's later date, a release dated in its dateline)."""
    first = next((t for t in tagged if t.type == "DATE"), None)
    if first is None or first.precision != "day" or first.start > 120:
        return None
    start = len(text) - len(text.lstrip())
    return first.date_start if attribution.in_dateline(text, start, first.start, first.end) else None


def event_id_for(doc_id: str, start: int, end: int) -> str:
    """Stable id of an event: sha1 of the document id and the first mention's offsets, 16 hex chars."""
    return hashlib.sha1(f"{doc_id}:{start}:{end}".encode("utf-8")).hexdigest()[:16]


@dataclass
class _Mention:
    timex: object
    sent: tuple[int, int]
    clause: tuple[int, int]
    event_type: str
    trigger: str | None
    actors: list[str]
    lead: str | None       # the acting organisation or person (never media)
    markets: dict[str, attribution.Market]
    confidence: float


def _precision(tx) -> str:
    """The timex's precision; for the rare timex without one, the precision of its resolved value (the
    tagger's own reading of values, ``temporal.dates.interval``), else a day."""
    if tx.precision in schema.PRECISIONS:
        return tx.precision
    from transforms.temporal.dates import interval

    return interval(tx.resolved or tx.value or "")[0] or "day"


def _in(spans_starts: list[int], spans: list[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    i = bisect.bisect_right(spans_starts, pos) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return None


def _bounded(timexes: list, sent_starts: list[int], sents, doc: Document) -> list:
    """At most MAX_DATES_PER_SENTENCE dates of each sentence (the first ones); a note says how many were left."""
    kept, per_sentence = [], {}
    for t in timexes:
        key = _in(sent_starts, sents, t.start) or (t.start, t.end)
        n = per_sentence[key] = per_sentence.get(key, 0) + 1
        if n <= MAX_DATES_PER_SENTENCE:
            kept.append(t)
    if len(kept) < len(timexes):
        doc.notes.append(f"{len(timexes) - len(kept)} dates in sentences naming more than {MAX_DATES_PER_SENTENCE} "
                         "dates were not made events (a list or a dump, not prose)")
    return kept


def _in_range(timexes: list, doc: Document) -> list:
    """The dates the lake holds (schema.MIN_DATE..MAX_DATE, the tagger's own bound); a note names the others
    ("until the year 325"), which are no events: recorded once per document, and no staged part is rewritten
    later to take out the rows validation would have refused."""
    kept, out = [], []
    for t in timexes:
        if schema.MIN_DATE <= t.date_start <= schema.MAX_DATE and schema.MIN_DATE <= t.date_end <= schema.MAX_DATE:
            kept.append(t)
        else:
            out.append(t.text)
    if out:
        doc.notes.append(("1 date" if len(out) == 1 else f"{len(out)} dates") + " outside the timeline's range "
                         f"({schema.MIN_DATE.year}-{schema.MAX_DATE.year}) " + ("is no event: " if len(out) == 1 else
                         "are no events: ") + ", ".join(map(repr, out[:3])) + (" ..." if len(out) > 3 else ""))
    return kept


def _event_dates(text: str, timexes: list) -> list:
    """A range is one event ("December 1-15", "between 1975 and 1980"): its start's timex, value and precision,
    ``date_end`` and the offsets reaching to the range's end (``temporal.range_end`` says what a range is). A
    day a duration is counted from is no event of its own ("two days before Christmas": Dec 23 only), nor is a
    moment restated right after ("at 10:00 am (0700 GMT) on Monday": one event, on Monday), nor a holiday naming
    a kind of thing ("Christmas commodities")."""
    from transforms.temporal import anchored_on, names_a_thing, range_end

    out: list = []
    for t in timexes:
        if out and anchored_on(text, out[-1], t) or names_a_thing(text, t):
            continue
        if out and range_end(text, out[-1], t) and t.date_start != out[-1].date_start:
            a = out[-1]
            out[-1] = replace(a, end=t.end, text=text[a.start:t.end], date_end=t.date_end)
        elif out and _same_moment(text, out[-1], t):
            if out[-1].precision == "time" and t.precision == "day":
                out[-1] = t                       # the day names the happening; its clock time stays in the text
        else:
            out.append(t)
    return out


def _same_moment(text: str, a, b) -> bool:
    """``b`` restates ``a``'s moment right after it: "at 10:00 am (0700 GMT) on Monday", "on Christmas Eve,
    December 24": one happening."""
    from transforms.temporal import near_in_sentence

    return a.precision in ("time", "day") and b.precision in ("time", "day") and a.date_start == b.date_start \
        and (a.precision == "time" or b.precision == "day") and near_in_sentence(text, a.end, b.start)


def _heuristic_spans(event_sents, sents) -> list[tuple[int, int]]:
    """Where the name heuristic runs: the event sentences and the document's first three sentences (where
    news introduces its companies by full name: "Unisys Corp.")."""
    spans = sorted(set(event_sents) | set(sents[:3]))
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _story_key(head, mk) -> str | None:
    best = attribution.best_acted_on(mk)
    return attribution.happening_key(head.timex.date_start, head.timex.date_end, head.event_type, head.lead,
                                     best.code if best else None)


def _acting(acts: list, sent: tuple[int, int], clause: tuple[int, int]) -> tuple[list, str | None]:
    """The actors of a sentence (never media) in order of how likely they act on the date: those in the date's
    clause, then those before it (nearest first), then those after it ("..., Unisys said"); and the lead
    actor: the first in the clause, else the nearest before it (a speaker quoted after the clause is not)."""
    i = bisect.bisect_left(acts, sent[0], key=lambda a: a.start)
    inside, before, after = [], [], []
    for j in range(i, len(acts)):                  # not acts[i:]: copying the tail per date is quadratic
        a = acts[j]
        if a.start >= sent[1]:
            break
        if a.end > sent[1] or a.kind == "media":
            continue
        (inside if clause[0] <= a.start < clause[1] else before if a.start < clause[0] else after).append(a)
    before.reverse()
    lead = (inside or before or [None])[0]
    return inside + before + after, lead.name if lead is not None else None


def extract(doc: Document, run_id: str) -> dict[str, list[dict]]:
    """Rows for the lake tables ``events``, ``event_mentions`` and ``event_markets`` of one document."""
    text = doc.text
    result: dict[str, list[dict]] = {"events": [], "event_mentions": [], "event_markets": []}
    tagged = tag(text, doc.published)
    if doc.published is None:
        infer_publication_date(doc, tagged)
    elif (day := _dateline_day(text, tagged)) is not None and day != doc.published \
            and doc.published - DATELINE_BEFORE <= day <= doc.published + _dt.timedelta(1):
        tagged = tag(text, day)  # "SAN FRANCISCO--(BUSINESS WIRE)--March 3, 2022-- ... today": the text's own day
    timexes = _event_dates(text, [t for t in tagged
                                  if t.resolved is not None and t.date_start is not None and t.date_end is not None
                                  and not t.resolved.endswith("_REF")])
    timexes = _in_range(timexes, doc)
    if not timexes:
        return result

    sents = sentences.split(text)
    sent_starts = [s for s, _ in sents]
    timexes = _bounded(timexes, sent_starts, sents, doc)
    paras = sentences.paragraphs(text)
    para_starts = [s for s, _ in paras]
    event_sents = sorted({_in(sent_starts, sents, t.start) or (t.start, t.end) for t in timexes})
    acts = actors_mod.find(text, spans=_heuristic_spans(event_sents, sents))
    act_spans = sentences.SpanSet((a.start, a.end) for a in acts)
    masks = sentences.SpanSet(actors_mod.place_masks(acts))
    all_ments = markets.find(text)
    ments = [m for m in all_ments if not masks.overlaps(m.start, m.end)]
    title_ments: list[markets.Mention] = []
    if doc.title:
        title_ments = markets.find(doc.title, exclude=actors_mod.place_masks(actors_mod.find(doc.title)))
    orgs = [a for a in acts if a.kind == "org"]
    where = attribution.Attribution(text, sents, paras, ments, title_ments,
                                    organisations.evidence(text, orgs, all_ments), acts)

    mentions: list[_Mention] = []
    ordered = sorted(timexes, key=lambda t: (t.start, t.end))
    for n, tx in enumerate(ordered):
        sent = _in(sent_starts, sents, tx.start) or (tx.start, tx.end)
        if tx.end > sent[1]:                       # a date split by the segmenter: widen to its end
            sent = (sent[0], max(sent[1], next((e for s, e in sents if s <= tx.end <= e), tx.end)))
        para = _in(para_starts, paras, tx.start)
        dateline = para is not None and attribution.in_dateline(text, para[0], tx.start, tx.end)
        if dateline == "alone" or dateline and n + 1 < len(ordered) and ordered[n + 1].start < sent[1]:
            continue                               # "PARIS, March 3 (Reuters) - ... fined Google on Wednesday"
        cl = sentences.clauses(text, sent[0], sent[1], protect=((tx.start, tx.end),))
        clause = sentences.date_clause(text, cl, tx.start, tx.end)
        etype, trigger = ("report", None) if dateline else \
            event_types.classify(text, tx.start, tx.end, clause, sent[0], sent[1], act_spans)
        acting, lead = _acting(acts, sent, clause)
        mk = where.markets(sent, clause, para, acting)
        names = list(dict.fromkeys(([lead] if lead else []) + actors_mod.in_span(acts, *sent)))
        mentions.append(_Mention(tx, sent, clause, etype, trigger, names, lead, mk,
                                 attribution.confidence(ANCHOR_WEIGHT.get(tx.anchor, 0.5), mk)))

    groups = attribution.happenings(mentions, text)

    for g in groups:
        head = g[0]
        tx = head.timex
        eid = event_id_for(doc.doc_id, tx.start, tx.end)
        mk: dict[str, attribution.Market] = {}
        actors: list[str] = []
        for mn in g:
            for m in mn.markets.values():
                for ev in m.evidence:
                    attribution.add(mk, m.code, m.role, m.basis, ev)
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
            "story_key": _story_key(head, mk),
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
        order = sorted(mk.values(), key=lambda m: (attribution.BASIS_RANK[m.basis], attribution.ROLE_RANK[m.role]))
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
