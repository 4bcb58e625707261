"""python -m transforms.temporal --jsonl  (stdin -> stdout), or  python -m transforms.temporal [--dct YYYY-MM-DD] FILE..."""
from __future__ import annotations

import argparse
import datetime as _dt
import sys

from . import run_jsonl, tag


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m transforms.temporal", description=__doc__)
    ap.add_argument("--jsonl", action="store_true", help="batch mode: JSONL records on stdin, JSONL results on stdout")
    ap.add_argument("--dct", help="document creation time YYYY-MM-DD for FILE mode")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args(argv)
    if a.jsonl:
        return run_jsonl(sys.stdin, sys.stdout)
    dct = _dt.date.fromisoformat(a.dct) if a.dct else None
    texts = [open(f, encoding="utf-8").read() for f in a.files] if a.files else [sys.stdin.read()]
    for t in texts:
        for x in tag(t, dct):
            print(f"{x.start}\t{x.end}\t{x.type}\t{x.value}\t{x.precision}\t{x.date_start}\t{x.date_end}\t{x.anchor}\t{x.mod or ''}\t{x.text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
