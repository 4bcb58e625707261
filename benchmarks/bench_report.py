"""How long the HTML report takes on a warehouse (it is rendered after every update, so it must stay cheap).

Renders the report of WAREHOUSE (opened read-only, as the report always does) --repeat times into a
temporary folder and prints the fastest render in seconds, the first one (imports and plotly's template
included), the time data.read takes alone, and the page's size. Not part of the test suite (speed is
measured here, never asserted in tests).

    .venv/bin/python benchmarks/bench_report.py WAREHOUSE [--repeat 3]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from transforms.report.data import read
    from transforms.report.render import render

    seconds = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            out = render(args.warehouse, Path(tmp) / "out")
            seconds.append(time.perf_counter() - start)
        size = out.stat().st_size
    start = time.perf_counter()
    data = read(args.warehouse)
    reading = time.perf_counter() - start
    print(f"render {min(seconds):.3f} s (min of {len(seconds)}; first {seconds[0]:.3f} s); "
          f"data.read {reading:.3f} s; page {size / 1e6:.2f} MB "
          f"({len(data['lanes']):,} bars in the timeline, {len(data['timeline']):,} table rows)")


if __name__ == "__main__":
    main()
