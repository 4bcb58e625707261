"""Python side of benchmarks/inbox_demo.sh: drop articles into the inbox one at a time and time each
from landing to its event in the published warehouse.

    inbox_drops.py INBOX WAREHOUSE [--drops 5] [--timeout 300] [--target 60]

Each drop writes a new article (its own company, city and date) under a dot-name, renames it into the
inbox (a complete file appears at once), then creates the READY marker that the ingest DAG's
AssetWatcher consumes. The warehouse is polled read-only (every 0.5 s; it is replaced atomically, so a
poll sees the old or the new file) until an event of that article is there. Prints one line per drop
and the median; exit 1 when a drop never arrives or the median is over --target seconds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

DROPS = [("Toyota", "Nagoya", "Japan", "4 March 2024"), ("Siemens", "Munich", "Germany", "12 April 2024"),
         ("Tata Motors", "Pune", "India", "3 May 2024"), ("Petrobras", "Santos", "Brazil", "21 June 2024"),
         ("Samsung", "Suwon", "South Korea", "9 July 2024"), ("Nestle", "Vevey", "Switzerland", "2 August 2024"),
         ("Shell", "Rotterdam", "Netherlands", "15 September 2024")]


def arrived(warehouse: Path, name: str) -> bool:
    import duckdb

    if not warehouse.exists():
        return False
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute("SELECT count(*) FROM timeline WHERE source LIKE ?", [f"%/{name}"]).fetchone()[0] > 0
    except duckdb.Error:  # the file was being replaced between open and read: look again
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inbox", type=Path)
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--drops", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--target", type=float, default=60)
    a = ap.parse_args()
    a.inbox.mkdir(parents=True, exist_ok=True)
    latencies = []
    for i in range(a.drops):
        company, city, country, date = DROPS[i % len(DROPS)]
        name = f"drop-{i:02d}-{company.lower().replace(' ', '-')}.txt"
        text = (f"{company} opens a plant\n\nOn {date}, {company} opened a new plant in {city}, {country}, "
                f"the company said in a statement (drop {i}, {time.time_ns()}).\n")
        tmp = a.inbox / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.rename(a.inbox / name)
        t0 = time.monotonic()
        (a.inbox / "READY").touch()
        while not arrived(a.warehouse, name):
            if time.monotonic() - t0 > a.timeout:
                print(f"drop {i}: {name} not in the warehouse after {a.timeout:.0f} s", flush=True)
                return 1
            time.sleep(0.5)
        latencies.append(time.monotonic() - t0)
        print(f"drop {i}: {name:<34} landing -> event in the published warehouse {latencies[-1]:6.1f} s", flush=True)
    median = statistics.median(latencies)
    print(f"median {median:.1f} s over {len(latencies)} drops (min {min(latencies):.1f}, max {max(latencies):.1f}); "
          f"target <= {a.target:.0f} s: {'OK' if median <= a.target else 'MISSED'}")
    return 0 if median <= a.target else 1


if __name__ == "__main__":
    sys.exit(main())
