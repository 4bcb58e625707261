"""The events-dev check in one command: materialise the dev documents, run the pipeline, score it with
../shared/tools/score_events.py, and print two honesty figures of the ``timeline``: rows listing 2+
documents whose lead actors differ or are missing, and the share of events typed ``other``.

    .venv/bin/python benchmarks/dev_check.py [--show] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLD = SHARED / "corpora" / "events-dev" / "gold.jsonl"


def story_figures(warehouse: Path) -> tuple[int, int, float]:
    """(multi-document timeline rows, of which with differing or missing lead actors, share of `other`)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("""
        SELECT t.story_id, list(e.actors ORDER BY e.event_id) AS actor_lists
        FROM timeline t JOIN story_events s USING (story_id) JOIN events e ON e.event_id = s.event_id
        WHERE t.documents > 1 GROUP BY t.story_id""").fetchall()
    bad = 0
    for _, lists in rows:
        leads = [a[0] if a else None for a in lists]
        bad += any(x is None for x in leads) or len(set(leads)) > 1
    other = con.execute("SELECT avg((event_type = 'other')::INT) FROM events").fetchone()[0] or 0.0
    return len(rows), bad, other


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--keep")
    a = ap.parse_args()
    work = Path(a.keep or tempfile.mkdtemp(prefix="devcheck-"))
    docs = [json.loads(line)["doc"] for line in GOLD.open() if line.strip()]
    only = work / "only.txt"
    work.mkdir(parents=True, exist_ok=True)
    only.write_text("\n".join(dict.fromkeys(docs)) + "\n")
    src = work / "src"
    if not src.exists():
        subprocess.run([sys.executable, str(SHARED / "tools" / "materialize_tml.py"), str(src),
                        str(SHARED / "corpora" / "timebank"), str(SHARED / "corpora" / "te3-silver"),
                        "--only", str(only)], check=True, stdout=subprocess.DEVNULL)
    wh = work / "wh.duckdb"
    wh.unlink(missing_ok=True)
    shutil.rmtree(work / "lake", ignore_errors=True)       # a fresh run: the lake is incremental
    subprocess.run([str(ROOT / ".venv" / "bin" / "timeline"), "run", "--source", str(src), "--lake",
                    str(work / "lake"), "--warehouse", str(wh), "--reports", str(work / "reports")],
                   check=True, stdout=subprocess.DEVNULL)
    cmd = [sys.executable, str(SHARED / "tools" / "score_events.py"), str(wh), str(GOLD)] + (["--show"] if a.show else [])
    rc = subprocess.run(cmd).returncode
    multi, bad, other = story_figures(wh)
    print(f"timeline rows with 2+ documents: {multi}, with differing/missing lead actors: {bad}; "
          f"events typed other: {other:.1%}  ({work})")
    return rc


if __name__ == "__main__":
    sys.exit(main())
