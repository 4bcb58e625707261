"""How much of the tagger's distance to a gold TimeML corpus is the corpus's own convention against the TimeML
guidelines the tagger follows (issue 13). Runs `timeline extract --jsonl` through the TempEval-3 scorer of
``../shared/tools/timex_eval.py`` (its reader, matcher and tagger runner), then re-counts the relaxed matches:

* extents: the system's span is the gold span plus a determiner or modifier the guidelines put inside the
  TIMEX3 ("about five hours", "the past 20 years"), or a weekday with its part of day as one TIME;
* types: a part of day or a clock time the gold types DATE (the guidelines: TIME);
* values: the part of day kept on a TIME, two-digit ISO weeks (`2000-W06`, not `2000-W6`), a decade as `199`
  (not `199X`), and a gold value left underspecified (`1989-WXX`) where the text names the period.

    .venv/bin/python benchmarks/timex_conventions.py ../shared/corpora/aquaint
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODIFIERS = re.compile(r"(?:the|a|an|about|around|nearly|almost|approximately|roughly|some|more than|less than|"
                       r"at least|over|just over|just|only|early|late|mid)\s+", re.I)
PART_OF_DAY = re.compile(r"night|morning|afternoon|evening|tonight|a\.m|p\.m", re.I)


def value_kind(gold: str, got: str) -> str | None:
    """Why two values differ by convention only, or None."""
    if got.startswith(gold) and re.fullmatch(r"T(?:NI|MO|AF|EV|DT)", got[len(gold):]):
        return "part of day kept"
    if re.fullmatch(r"\d{4}-W0\d", got) and got.replace("-W0", "-W") == gold:
        return "two-digit ISO week"
    if gold.endswith("X") and gold[:-1] == got:
        return "decade as 199"
    if "X" in gold and len(gold) == len(got) and all(a == b or a == "X" for a, b in zip(gold, got)):
        return "gold underspecified"
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--scorer", type=Path, default=ROOT.parent / "shared" / "tools" / "timex_eval.py")
    args = ap.parse_args()
    sys.path.insert(0, str(args.scorer.parent))
    import timex_eval as te  # noqa: PLC0415 - the scorer lives beside the corpora, not in the project

    files = sorted(glob.glob(f"{args.corpus}/**/*.tml", recursive=True))
    docs = {os.path.relpath(f): te.read_tml(f) for f in files}
    predicted, _ = te.run_tagger(f"{ROOT / '.venv' / 'bin' / 'timeline'} extract --jsonl", docs)
    n, why = Counter(), Counter()
    for doc, (text, _, gold) in docs.items():
        n["gold"] += len(gold)
        n["sys"] += len(predicted[doc])
        for i, j, exact in te.match(gold, predicted[doc], text):
            g, s = gold[i], predicted[doc][j]
            gt, st = text[g.start:g.end], text[s.start:s.end]
            n["strict"] += exact
            n["type"] += g.type == s.type
            n["value"] += g.value == s.value
            if not exact and st.endswith(gt) and MODIFIERS.fullmatch(st[:len(st) - len(gt)]) \
                    or not exact and st.startswith(gt) and PART_OF_DAY.fullmatch(st[len(gt):].strip()):
                why["extent"] += 1
            if g.type == "DATE" and s.type == "TIME" and PART_OF_DAY.search(st):
                why["type"] += 1
            if g.value != s.value and (kind := value_kind(g.value, s.value)):
                why["value"] += 1
                why[f"value: {kind}"] += 1
    f1 = lambda tp: 200 * tp / (n["gold"] + n["sys"])  # noqa: E731
    print(f"{args.corpus}: {n['gold']} gold, {n['sys']} system timexes")
    for name, key in (("strict", "extent"), ("type", "type"), ("value", "value")):
        print(f"  {name:6} F1 {f1(n[name]):6.2f}   counted the guidelines' way {f1(n[name] + why[key]):6.2f}"
              f"   ({why[key]} matches)")
    print("  values:", {k.split(': ')[1]: v for k, v in why.items() if k.startswith("value: ")})


if __name__ == "__main__":
    main()
