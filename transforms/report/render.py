"""The HTML report: one self-contained page read from the published DuckDB warehouse.

    render(warehouse, out_dir, data_docs=None) -> out_dir/timeline-report.html

The page opens from disk with no server and no network: plotly.js, the CSS and the little filter script
are inlined. It shows

1. a timeline per market (charts.py): markets are lanes, every event is a bar from ``date_start`` to
   ``date_end`` + 1 day, so the precision of its date is visible as the width of the bar; the colour is
   the event type, hovering shows the date as written, the TIMEX3 value, the sentence and the source;
2. events per market and month (the ``market_monthly`` view);
3. the table of events (``timeline`` view) with a market filter (every row carries ``data-markets``; the
   filter can be preset from the address, ``timeline-report.html#market=IN``);
4. the data-quality summary: counts, quarantine reasons grouped by stage and reason, the last runs and a
   relative link to the Great Expectations Data Docs.

The page is the Jinja2 template ``templates/report.html.j2`` (with ``report.css`` and ``filter.js``)
rendered with autoescape on: every text from the warehouse is HTML-escaped by Jinja2.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import urllib.parse
from collections import Counter
from pathlib import Path

from transforms.report import charts
from transforms.report.data import dated_events, read

REPORT_NAME = "timeline-report.html"


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _when(value) -> str:
    """A timestamp (ISO string or datetime) to 'YYYY-MM-DD HH:MM UTC'; other text unchanged."""
    if value is None:
        return ""
    try:
        when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M") + (" UTC" if when.tzinfo is not None else "")


def _num(n) -> str:
    return "–" if n is None else f"{int(n):,}"


def _split_at(sentence: str | None, part: str | None) -> tuple[str, str, str]:
    """(before, part, after) around the first occurrence of ``part`` (the date expression), for marking."""
    sentence = sentence or ""
    i = sentence.find(part) if part else -1
    if i < 0:
        return sentence, "", ""
    return sentence[:i], part, sentence[i + len(part):]


@functools.cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("transforms.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters.update(iso=_iso, when=_when, num=_num, period=charts.period, split_at=_split_at)
    return env


def _data_docs_href(data_docs: Path, out_dir: Path) -> str:
    try:
        return urllib.parse.quote(Path(os.path.relpath(data_docs.resolve(), out_dir.resolve())).as_posix())
    except ValueError:  # another drive (Windows): an absolute file URL
        return data_docs.resolve().as_uri()


def page(data: dict, warehouse: Path, out_dir: Path, data_docs: Path | None) -> str:
    """The report's HTML for data read by ``data.read``."""
    from markupsafe import Markup

    dated = [r for r in data["timeline"] if r["date_start"] is not None]
    span = (f"{_iso(dated[0]['date_start'])} to {_iso(max(r['date_end'] or r['date_start'] for r in dated))}"
            if dated else "no dated events")
    counts: Counter = Counter()
    for r in data["timeline"]:
        counts.update(set(r["markets"] or []))
    lanes = data["lane_markets"] if data["events"] else []
    dated = dated_events(data)
    lane_bars = Counter(r["market"] for r in data["lanes"])
    colours = charts.type_colours(r["event_type"] for r in data["timeline"] + data["lanes"] + data["monthly"])
    timeline_chart = monthly_chart = ""
    if data["events"] and data["lanes"]:
        timeline_chart = Markup(charts.figure_html(charts.timeline_figure(data, colours), "timeline-chart", True))
    if data["events"] and data["monthly"]:
        monthly_chart = Markup(charts.figure_html(charts.monthly_figure(data), "monthly-chart",
                                                  include_js=not data["lanes"]))
    return _environment().get_template("report.html.j2").render(
        d=data, span=span, warehouse_name=warehouse.name, names=data["market_names"], colours=colours,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), lanes=lanes,
        more_lanes=len(data["summary"]) - len(lanes), timeline_chart=timeline_chart, monthly_chart=monthly_chart,
        market_counts=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        max_lane_events=data["max_lane_events"], lane_bars=sum(lane_bars.values()),
        lane_events=sum(dated[m] for m in lanes),
        capped_lanes=sum(1 for m in lanes if dated[m] > lane_bars[m]),
        sources_seen=sum(r["n"] for r in data["sources"]),
        data_docs_href=_data_docs_href(Path(data_docs), out_dir) if data_docs else "",
        data_docs_built=bool(data_docs) and Path(data_docs).exists())


def render(warehouse: Path, out_dir: Path, data_docs: Path | None = None) -> Path:
    """Write ``out_dir/timeline-report.html`` from the warehouse (atomically) and return its path."""
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `timeline run` first")
    html = page(read(warehouse), warehouse, out_dir, Path(data_docs) if data_docs else None)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / REPORT_NAME
    tmp = out_dir / f".{REPORT_NAME}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(html)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
