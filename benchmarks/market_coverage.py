"""How events get their markets: from the sentence, from a fallback (paragraph/document), or none.

Runs the extractor (transforms.extract.events.extract, the pipeline's code) over the seeds and over the
TimeBank/AQUAINT texts in ../shared/corpora (TimeML tags stripped, the DCT as publication date), counts
events by the best basis of their markets, and prints a reproducible random sample of events for checking
by hand.

    .venv/bin/python benchmarks/market_coverage.py [--sample 20] [--seed 7]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from collections import Counter
from pathlib import Path

from transforms.extract.events import extract
from transforms.ingest.sources import discover, read_source
from transforms.ingest.models import Document

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
ORDER = ("sentence", "clause", "paragraph", "document")


def tml_documents(folder: Path):
    import xml.etree.ElementTree as ET

    for path in sorted(folder.glob("*.tml")):
        root = ET.parse(path).getroot()
        text = "".join(root.find("TEXT").itertext())
        dct_el = root.find("DCT/TIMEX3")
        dct = dt.date.fromisoformat(dct_el.get("value")[:10]) if dct_el is not None else None
        yield Document(doc_id=path.stem, source=path.name, source_root=str(folder), format="tml",
                       text=re.sub(r"\n{3,}", "\n\n", text).strip(), published=dct,
                       published_basis="metadata" if dct else "unknown")


def seed_documents():
    for sf in discover([ROOT / "seeds"]):
        yield from (d for d in read_source(sf, 10**8) if isinstance(d, Document))


def coverage(docs) -> tuple[Counter, list[tuple[Document, dict, list[dict]]]]:
    counts: Counter = Counter()
    events = []
    for doc in docs:
        rows = extract(doc, "coverage")
        by_event: dict[str, list[dict]] = {}
        for m in rows["event_markets"]:
            by_event.setdefault(m["event_id"], []).append(m)
        for ev in rows["events"]:
            bases = {m["basis"] for m in by_event.get(ev["event_id"], [])}
            best = next((b for b in ORDER if b in bases), "none")
            counts[best] += 1
            events.append((doc, ev, by_event.get(ev["event_id"], [])))
    return counts, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    sets = {"seeds": seed_documents()}
    for name in ("timebank", "aquaint"):
        if (CORPORA / name).is_dir():
            sets[name] = tml_documents(CORPORA / name)
    pool = []
    for name, docs in sets.items():
        counts, events = coverage(docs)
        total = sum(counts.values())
        parts = ", ".join(f"{k} {counts[k]} ({counts[k] / total:.0%})" for k in (*ORDER, "none") if counts[k])
        print(f"{name:<9} {total:>5} events: {parts}")
        if name != "seeds":
            pool.extend(events)
    rng = random.Random(args.seed)
    print(f"\nrandom sample of {args.sample} corpus events (seed {args.seed}) to check by hand:")
    for i, (doc, ev, mkts) in enumerate(rng.sample(pool, min(args.sample, len(pool))), 1):
        where = ", ".join(f"{m['market']}/{m['role']}/{m['basis']}" for m in mkts) or "-"
        sentence = " ".join(ev["sentence"].split())
        print(f"{i:>2}. {doc.source} {ev['timex']} [{where}] {ev['event_type']}: {sentence[:260]}")


if __name__ == "__main__":
    main()
