"""Regression guard for speed work: a fingerprint of everything the extractor and the reader produce.

Runs ``transforms.extract.events.extract`` over TimeBank, AQUAINT, all TE3-silver documents and the
seeds, and ``read_source`` over a generated plain-text corpus (the benchmark's), and prints one SHA-256 per
corpus of every row produced (run ids left out). ``--save F`` writes the rows as JSON lines, ``--check F``
compares against such a file and prints the first differing documents: a speed change that alters no row
leaves every score unchanged.

    .venv/bin/python benchmarks/extract_fingerprint.py --save /tmp/before.jsonl
    .venv/bin/python benchmarks/extract_fingerprint.py --check /tmp/before.jsonl
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from market_coverage import CORPORA, seed_documents, tml_documents
from transforms.extract.events import extract
from transforms.ingest.models import Document
from transforms.ingest.sources import discover, read_source


def _row(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def extracted(docs):
    for doc in docs:
        rows = extract(doc, "fp")
        out = {t: [{k: _row(v) for k, v in r.items() if k != "run_id"} for r in rs] for t, rs in rows.items()}
        yield doc.doc_id, {"published": _row(doc.published), "basis": doc.published_basis, **out}


def read_back(n: int):
    """Documents of the benchmark corpus as the reader makes them (text, title, date and its basis)."""
    from bench_pipeline import write_corpus

    with tempfile.TemporaryDirectory() as tmp:
        write_corpus(Path(tmp), n, start=2000)   # past the originals: varied copies, too
        for sf in discover([Path(tmp)]):
            for item in read_source(sf, 10**8):
                if isinstance(item, Document):
                    yield item.source, {"id": item.doc_id, "text": item.text, "title": item.title,
                                        "published": _row(item.published), "basis": item.published_basis}
                else:
                    yield item.source, {"rejected": item.reason}


def corpora(n_silver: int, n_read: int):
    def silver():
        for i, d in enumerate(tml_documents(CORPORA / "te3-silver")):
            if i >= n_silver:
                return
            yield d

    return {
        "timebank": lambda: extracted(tml_documents(CORPORA / "timebank")),
        "aquaint": lambda: extracted(tml_documents(CORPORA / "aquaint")),
        "te3-silver": lambda: extracted(silver()),
        "seeds": lambda: extracted(seed_documents()),
        "read": lambda: read_back(n_read),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--silver", type=int, default=2452, help="TE3-silver documents (default: all)")
    ap.add_argument("--read", type=int, default=2000, help="generated documents read back (default 2000)")
    ap.add_argument("--save", type=Path)
    ap.add_argument("--check", type=Path)
    a = ap.parse_args()
    before = {}
    if a.check:
        for line in a.check.open():
            rec = json.loads(line)
            before[(rec["corpus"], rec["id"])] = rec["rows"]
    out = a.save.open("w") if a.save else None
    differ = 0
    for name, make in corpora(a.silver, a.read).items():
        h = hashlib.sha256()
        n = 0
        for doc_id, rows in make():
            line = json.dumps(rows, sort_keys=True, ensure_ascii=False)
            h.update(doc_id.encode() + b"\0" + line.encode() + b"\n")
            n += 1
            if out:
                out.write(json.dumps({"corpus": name, "id": doc_id, "rows": rows}, ensure_ascii=False) + "\n")
            if a.check and before.get((name, doc_id)) != json.loads(line):
                differ += 1
                if differ <= 5:
                    print(f"DIFFERS: {name} {doc_id}", file=sys.stderr)
        print(f"{name:<11} {n:5d} documents  sha256 {h.hexdigest()[:16]}")
    if a.check:
        print(f"{differ} documents differ from {a.check}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
