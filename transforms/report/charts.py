"""The report's two plotly charts: the timeline per market (markets as lanes, each event a bar over its
whole period, colour = event type) and events per market and month.

Plotly renders a subset of HTML inside hover labels, so every text from the warehouse is escaped before it
goes into a label (``html.escape``); the figure's JSON escapes ``<``, ``>`` and ``/``, so no text can
close a script.

The report is rendered after every update, so the charts stay cheap on a big warehouse: a figure is a plain
dict (``{"data": [...], "layout": {...}}``, with plotly's default template) that plotly.py does not
validate -- thousands of bars --, and ``figure_html`` emits the JSON and the ``Plotly.newPlot`` call itself
with the standard ``json`` module. The tests validate the figures with ``plotly.graph_objects``.
"""
from __future__ import annotations

import datetime as dt
import functools
import heapq
import html
import json
import re
from collections import Counter, defaultdict

MAX_MONTHLY_MARKETS = 8  # markets with their own colour in the monthly chart; the rest are "other"
DAY_MS = 86_400_000

# Tableau 10: readable on white, distinguishable for most colour-blind readers.
TYPE_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
MARKET_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
                  "#e6ab02", "#a6761d", "#386cb0", "#999999"]
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}
LAYOUT = {"plot_bgcolor": "#fbfbfd", "paper_bgcolor": "white", "hoverlabel": {"align": "left"},
          "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}}


def esc(value) -> str:
    """Text for a plotly label (None -> empty string)."""
    return "" if value is None else html.escape(str(value))


def esc_all(values) -> list[str]:
    """``[esc(v) for v in values]`` in one pass over the joined texts (thousands of labels per chart)."""
    texts = ["" if v is None else str(v) for v in values]
    joined = "\0".join(texts)
    if not texts or joined.count("\0") != len(texts) - 1:   # a NUL in a text: one by one
        return [esc(t) for t in texts]
    return html.escape(joined).split("\0")


def period(start, end) -> str:
    """'2020-11-01 – 2020-11-30', or one date."""
    if start is None:
        return ""
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} – {end.isoformat()}"


def type_colours(types) -> dict[str, str]:
    return {t: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, t in enumerate(sorted(set(types)))}


_LINE = re.compile(r"\S.{0,89}(?=\s|$)|\S{90}", re.S)   # up to 90 characters, broken at a space if it can


def _lines(text: str | None, lines: int = 6) -> str:
    """Text wrapped at 90 characters with newlines, at most ``lines`` lines (then " …"). A regular
    expression, not textwrap: it runs on thousands of labels per page."""
    parts = _LINE.findall(" ".join((text or "").split()))
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] += " …"
    return "\n".join(parts)


def hover_texts(texts) -> list[str]:
    """Texts escaped and wrapped with <br> for plotly hover labels."""
    return [t.replace("\n", "<br>") for t in esc_all(_lines(t) for t in texts)]


def _sub_lanes(rows: list[dict]) -> dict[str, tuple[int, int]]:
    """event_id -> (slot, slots) inside one market's lane, so that overlapping periods sit side by side
    instead of hiding each other (greedy interval partitioning: the fewest slots that fit; each period,
    in time order, takes the lowest slot free since before its first day)."""
    busy: list[tuple[dt.date, int]] = []   # heap of (last day, slot) of the slots in use
    free: list[int] = []                   # heap of the slots free again
    slots = 0
    slot_of: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: (r["date_start"], r["date_end"] or r["date_start"], r["event_id"])):
        while busy and busy[0][0] < r["date_start"]:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            slot = heapq.heappop(free)
        else:
            slot, slots = slots, slots + 1
        slot_of[r["event_id"]] = slot
        heapq.heappush(busy, (r["date_end"] or r["date_start"], slot))
    return {eid: (slot, slots) for eid, slot in slot_of.items()}


@functools.cache
def _template() -> dict:
    """plotly's default template ("plotly"), as plotly.py embeds it in a figure (read from its package data:
    building it through plotly.graph_objects takes 60 ms per process)."""
    from importlib.resources import files

    return json.loads((files("plotly") / "package_data" / "templates" / "plotly.json").read_text(encoding="utf-8"))


def _layout(layout: dict, xaxis: dict, yaxis: dict) -> dict:
    return {**layout, **LAYOUT, "xaxis": xaxis, "yaxis": yaxis, "template": _template()}


def timeline_figure(data: dict, colours: dict[str, str]) -> dict:
    lanes = data["lane_markets"]
    keep = set(lanes)
    per_lane: dict[str, list[dict]] = defaultdict(list)
    for r in data["lanes"]:
        per_lane[r["market"]].append(r)
    slots = {(m, eid): v for m, rows in per_lane.items() for eid, v in _sub_lanes(rows).items()}
    lane_width = 0.7
    by_type: dict[str, list[dict]] = defaultdict(list)
    for r in data["lanes"]:
        if r["market"] in keep:
            by_type[r["event_type"]].append(r)
    traces = []
    for etype in sorted(by_type):
        rows = by_type[etype]
        place = [slots[r["market"], r["event_id"]] for r in rows]   # (slot, slots)
        traces.append({
            "type": "bar",
            "name": etype,
            "orientation": "h",
            "y": [r["market"] for r in rows],
            "base": [r["date_start"].isoformat() for r in rows],
            # the bar covers the whole period: date_end + 1 day (a day-precise date is one day wide)
            "x": [((r["date_end"] or r["date_start"]) - r["date_start"]).days * DAY_MS + DAY_MS for r in rows],
            "marker": {"color": colours[etype], "line": {"color": colours[etype], "width": 1.5}},
            "opacity": 0.85,
            "width": [round(lane_width / n, 4) for _, n in place],
            "offset": [round(-lane_width / 2 + lane_width * i / n, 4) for i, n in place],
            "customdata": [list(label) for label in zip(
                esc_all(r["market_name"] or r["market"] for r in rows), esc_all(r["date_text"] for r in rows),
                esc_all(r["timex"] for r in rows), esc_all(r["precision"] for r in rows),
                hover_texts(r["sentence"] for r in rows), esc_all(r["source"] for r in rows),
                [period(r["date_start"], r["date_end"]) for r in rows])],   # dates: nothing to escape
            "hovertemplate": ("<b>%{y}</b> %{customdata[0]} · <b>%{fullData.name}</b><br>"
                              "“%{customdata[1]}” → %{customdata[2]} (%{customdata[3]}: %{customdata[6]})<br>"
                              "%{customdata[4]}<br><i>%{customdata[5]}</i><extra></extra>"),
        })
    layout = _layout(
        {"barmode": "overlay", "height": max(260, 34 * len(lanes) + 160),
         "margin": {"l": 70, "r": 20, "t": 30, "b": 40},
         "legend": {"title": {"text": "event type"}, "orientation": "h", "y": -0.06, "yanchor": "top", "x": 0}},
        xaxis={"type": "date", "showgrid": True, "gridcolor": "#eceef3"},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": lanes, "autorange": "reversed",
               "showgrid": True, "gridcolor": "#eceef3"})
    return {"data": traces, "layout": layout}


def monthly_figure(data: dict) -> dict:
    totals: Counter = Counter()
    for r in data["monthly"]:
        totals[r["market"]] += r["events"]
    top = [m for m, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_MONTHLY_MARKETS]]
    # (series, month) -> events, precise events, events by type
    cells: dict[tuple[str, dt.date], dict] = {}
    for r in data["monthly"]:
        series = r["market"] if r["market"] in top else "other"
        cell = cells.setdefault((series, r["month"]), {"events": 0, "precise": 0, "types": Counter()})
        cell["events"] += r["events"]
        cell["precise"] += r["precise_events"]
        cell["types"][r["event_type"]] += r["events"]
    traces = []
    names = data["market_names"]
    for i, series in enumerate(top + ["other"]):
        keys = sorted(k for k in cells if k[0] == series)
        if not keys:
            continue
        name = names.get(series, series)
        label = series if name.upper() == series.upper() else f"{series} {name}"
        traces.append({
            "type": "bar",
            "name": label,
            "x": [(k[1] + dt.timedelta(days=14)).isoformat() for k in keys],   # centred on the month
            "y": [cells[k]["events"] for k in keys],
            "width": [26 * DAY_MS] * len(keys),
            "marker": {"color": MARKET_COLOURS[i % len(MARKET_COLOURS)]},
            "customdata": [[esc(label), k[1].strftime("%B %Y"), cells[k]["precise"],
                            esc(", ".join(f"{t} {n}" for t, n in cells[k]["types"].most_common()))]
                           for k in keys],
            "hovertemplate": ("<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{y} events "
                              "(%{customdata[2]} dated to the month or finer)<br>%{customdata[3]}<extra></extra>"),
        })
    months = [k[1] for k in cells]
    peak = Counter()
    for (_, month), c in cells.items():
        peak[month] += c["events"]
    layout = _layout(
        {"barmode": "stack", "height": 380, "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
         "legend": {"title": {"text": "market"}, "orientation": "h", "y": -0.1, "yanchor": "top", "x": 0,
                    "traceorder": "normal"}},
        xaxis={"type": "date", "gridcolor": "#eceef3",
               "range": [(min(months) - dt.timedelta(days=45)).isoformat(),
                         (max(months) + dt.timedelta(days=75)).isoformat()]},
        yaxis={"title": {"text": "events starting in the month"}, "gridcolor": "#eceef3", "rangemode": "tozero",
               "tickformat": ",d", **({"dtick": 1} if max(peak.values(), default=0) <= 8 else {})})
    return {"data": traces, "layout": layout}


@functools.cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _json(value) -> str:
    """JSON that is safe inside <script> (as plotly.io writes it: no '<', '>' or '/' as such)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for unsafe, safe in (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(unsafe, safe)
    return text


def figure_html(fig: dict, div_id: str, include_js: bool) -> str:
    """The figure as an HTML fragment, as ``plotly.io.to_html(full_html=False)`` writes it: a div and the
    script drawing into it, after plotly.js itself when ``include_js``."""
    js = (f'<script type="text/javascript">window.PlotlyConfig = {{MathJaxConfig: \'local\'}};</script>\n'
          f'<script charset="utf-8" type="text/javascript">{_plotly_js()}</script>\n') if include_js else ""
    return (f'<div>{js}<div id="{div_id}" class="plotly-graph-div" '
            f'style="height:{fig["layout"]["height"]}px; width:100%;"></div>\n'
            f'<script type="text/javascript">if (document.getElementById("{div_id}")) {{ Plotly.newPlot('
            f'"{div_id}", {_json(fig["data"])}, {_json(fig["layout"])}, {_json(PLOTLY_CONFIG)}); }}</script></div>')
