"""Knowledge as data: every word list and table the extractors and the cleaner use, as CSV / TOML files in
this folder, and the one loader that reads them.

    from transforms import knowledge
    knowledge.csv_rows("actors.csv")      # [{"alias": ..., "canonical": ...}, ...]
    knowledge.toml("markets.toml")        # {...}

CSV tables may carry ``#`` comment lines and blank lines; every value is stripped of surrounding spaces.
Callers cache what they build from these rows (tables are read once per process).
"""
from __future__ import annotations

import csv
import tomllib
from importlib import resources


def _file(name: str, package: str):
    return resources.files(package).joinpath(name)


def csv_rows(name: str, package: str = __name__) -> list[dict[str, str]]:
    """The rows of a CSV table as dicts (header = first non-comment line), values stripped. A row with more
    fields than the header (an unquoted comma inside a value) is an error, not silently cut."""
    with _file(name, package).open(encoding="utf-8") as fh:
        lines = (line for line in fh if line.strip() and not line.lstrip().startswith("#"))
        rows = []
        for row in csv.DictReader(lines):
            if None in row:
                raise ValueError(f"knowledge/{name}: a row has more fields than the header (quote a value that "
                                 f"holds a comma): {list(row.values())[:3]}")
            rows.append({k.strip(): (v or "").strip() for k, v in row.items()})
        return rows


def toml(name: str, package: str = __name__) -> dict:
    """A TOML table."""
    with _file(name, package).open("rb") as fh:
        return tomllib.load(fh)
