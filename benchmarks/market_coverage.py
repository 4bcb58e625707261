"""How events get their markets: by the best basis of their market rows (transforms.extract.attribution:
sentence, clause, actor_home, dateline, paragraph, document) or none.

Runs the extractor (transforms.extract.events.extract, the pipeline's code) over the seeds, the events-dev
documents (../shared/corpora/events-dev/gold.jsonl) and the TimeBank/AQUAINT texts in ../shared/corpora
(TimeML tags stripped, the DCT as publication date), counts events by the best basis of their markets, and
prints a reproducible random sample of events outside the dev set for checking by hand.

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
from transforms.lake import schema
from transforms.ingest.sources import discover, read_source
from transforms.ingest.models import Document

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
ORDER = tuple(schema.MARKET_BASES)


def dev_names() -> set[str]:
    import json

    gold = CORPORA / "events-dev" / "gold.jsonl"
    if not gold.exists():
        return set()
    return {json.loads(line)["doc"].removesuffix(".txt") for line in gold.open() if line.strip()}


def tml_documents(folder: Path, only: set[str] | None = None, skip: set[str] = frozenset()):
    import xml.etree.ElementTree as ET

    for path in sorted(folder.glob("*.tml")):
        if (only is not None and path.stem not in only) or path.stem in skip:
            continue
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
    dev = dev_names()
    sets = {"seeds": seed_documents(),
            "dev": (d for name in ("timebank", "te3-silver") if (CORPORA / name).is_dir()
                    for d in tml_documents(CORPORA / name, only=dev))}
    for name in ("timebank", "aquaint"):
        if (CORPORA / name).is_dir():
            sets[name] = tml_documents(CORPORA / name)      # all of it (TimeBank includes dev documents)
    outside = {"timebank": dev, "aquaint": dev}
    pool = []
    for name, docs in sets.items():
        counts, events = coverage(docs)
        total = sum(counts.values())
        parts = ", ".join(f"{k} {counts[k]} ({counts[k] / total:.0%})" for k in (*ORDER, "none") if counts[k])
        print(f"{name:<9} {total:>5} events: {parts}")
        if name in outside:
            pool.extend(e for e in events if e[0].doc_id not in outside[name])
    rng = random.Random(args.seed)
    print(f"\nrandom sample of {args.sample} TimeBank/AQUAINT events outside the dev set (seed {args.seed}) "
          "to check by hand:")
    for i, (doc, ev, mkts) in enumerate(rng.sample(pool, min(args.sample, len(pool))), 1):
        where = ", ".join(f"{m['market']}/{m['role']}/{m['basis']}" for m in mkts) or "-"
        sentence = " ".join(ev["sentence"].split())
        print(f"{i:>2}. {doc.source} {ev['timex']} [{where}] {ev['event_type']}: {sentence[:260]}")


if __name__ == "__main__":
    main()
