"""The report's two plotly charts: the timeline per market (markets as lanes, each event a bar over its
whole period, colour = event type) and events per market and month.

Plotly renders a subset of HTML inside hover labels, so every text from the warehouse is escaped before it
goes into a label (``markupsafe.escape``); plotly's JSON escapes ``<`` and ``/``, so no text can close a
script.
"""
from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter, defaultdict

from markupsafe import escape

MAX_LANES = 40          # markets shown as lanes in the timeline chart (most events first)
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
    return "" if value is None else str(escape(value))


def period(start, end) -> str:
    """'2020-11-01 – 2020-11-30', or one date."""
    if start is None:
        return ""
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} – {end.isoformat()}"


def type_colours(types) -> dict[str, str]:
    return {t: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, t in enumerate(sorted(set(types)))}


def _wrap(text: str, width: int = 90, lines: int = 6) -> str:
    """Escaped text wrapped with <br> for a plotly hover label."""
    parts = textwrap.wrap(text or "", width=width, max_lines=lines, placeholder=" …")
    return "<br>".join(esc(p) for p in parts)


def lane_order(data: dict) -> list[str]:
    """Markets with events, most events first (market_summary order), capped at MAX_LANES."""
    with_bars = {r["market"] for r in data["lanes"]}
    order = [r["market"] for r in data["summary"] if r["market"] in with_bars]
    order += sorted(with_bars - set(order))
    return order[:MAX_LANES]


def _sub_lanes(rows: list[dict]) -> dict[str, tuple[int, int]]:
    """event_id -> (slot, slots) inside one market's lane, so that overlapping periods sit side by side
    instead of hiding each other (greedy interval partitioning: the fewest slots that fit)."""
    ends: list[dt.date] = []          # last day taken in each slot
    slot_of: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: (r["date_start"], r["date_end"] or r["date_start"], r["event_id"])):
        end = r["date_end"] or r["date_start"]
        for i, last in enumerate(ends):
            if last < r["date_start"]:
                ends[i], slot_of[r["event_id"]] = end, i
                break
        else:
            slot_of[r["event_id"]] = len(ends)
            ends.append(end)
    return {eid: (slot, len(ends)) for eid, slot in slot_of.items()}


def timeline_figure(data: dict, colours: dict[str, str]):
    import plotly.graph_objects as go

    lanes = lane_order(data)
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
    fig = go.Figure()
    for etype in sorted(by_type):
        rows = by_type[etype]
        fig.add_trace(go.Bar(
            name=etype,
            orientation="h",
            y=[r["market"] for r in rows],
            base=[r["date_start"].isoformat() for r in rows],
            # the bar covers the whole period: date_end + 1 day (a day-precise date is one day wide)
            x=[((r["date_end"] or r["date_start"]) - r["date_start"]).days * DAY_MS + DAY_MS for r in rows],
            marker={"color": colours[etype], "line": {"color": colours[etype], "width": 1.5}},
            opacity=0.85,
            width=[lane_width / slots[r["market"], r["event_id"]][1] for r in rows],
            offset=[-lane_width / 2 + lane_width * slots[r["market"], r["event_id"]][0]
                    / slots[r["market"], r["event_id"]][1] for r in rows],
            customdata=[[esc(r["market_name"] or r["market"]), esc(r["date_text"]), esc(r["timex"]),
                         esc(r["precision"]), _wrap(r["sentence"]), esc(r["source"]),
                         esc(period(r["date_start"], r["date_end"]))] for r in rows],
            hovertemplate=("<b>%{y}</b> %{customdata[0]} · <b>%{fullData.name}</b><br>"
                           "“%{customdata[1]}” → %{customdata[2]} (%{customdata[3]}: %{customdata[6]})<br>"
                           "%{customdata[4]}<br><i>%{customdata[5]}</i><extra></extra>"),
        ))
    fig.update_layout(
        barmode="overlay",
        height=max(260, 34 * len(lanes) + 160),
        margin={"l": 70, "r": 20, "t": 30, "b": 40},
        legend={"title": {"text": "event type"}, "orientation": "h", "y": -0.06, "yanchor": "top", "x": 0},
        **LAYOUT,
    )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=lanes, autorange="reversed",
                     title=None, showgrid=True, gridcolor="#eceef3")
    fig.update_xaxes(type="date", title=None, showgrid=True, gridcolor="#eceef3")
    return fig


def monthly_figure(data: dict):
    import plotly.graph_objects as go

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
    fig = go.Figure()
    names = data["market_names"]
    for i, series in enumerate(top + ["other"]):
        keys = sorted(k for k in cells if k[0] == series)
        if not keys:
            continue
        name = names.get(series, series)
        label = series if name.upper() == series.upper() else f"{series} {name}"
        fig.add_trace(go.Bar(
            name=label,
            x=[(k[1] + dt.timedelta(days=14)).isoformat() for k in keys],   # centred on the month
            y=[cells[k]["events"] for k in keys],
            width=[26 * DAY_MS] * len(keys),
            marker={"color": MARKET_COLOURS[i % len(MARKET_COLOURS)]},
            customdata=[[esc(label), k[1].strftime("%B %Y"), cells[k]["precise"],
                         esc(", ".join(f"{t} {n}" for t, n in cells[k]["types"].most_common()))]
                        for k in keys],
            hovertemplate=("<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{y} events "
                           "(%{customdata[2]} dated to the month or finer)<br>%{customdata[3]}<extra></extra>"),
        ))
    fig.update_layout(
        barmode="stack",
        height=380,
        margin={"l": 50, "r": 20, "t": 30, "b": 40},
        legend={"title": {"text": "market"}, "orientation": "h", "y": -0.1, "yanchor": "top", "x": 0,
                "traceorder": "normal"},
        **LAYOUT,
    )
    months = [k[1] for k in cells]
    fig.update_xaxes(type="date", title=None, gridcolor="#eceef3",
                     range=[(min(months) - dt.timedelta(days=45)).isoformat(),
                            (max(months) + dt.timedelta(days=75)).isoformat()])
    peak = max((sum(c["events"] for k, c in cells.items() if k[1] == month) for month in {k[1] for k in cells}),
               default=0)
    fig.update_yaxes(title="events starting in the month", gridcolor="#eceef3", rangemode="tozero",
                     tickformat=",d", **({"dtick": 1} if peak <= 8 else {}))
    return fig


def figure_html(fig, div_id: str, include_js: bool) -> str:
    import plotly.io as pio

    return pio.to_html(fig, full_html=False, include_plotlyjs=True if include_js else False,
                       include_mathjax=False, config=PLOTLY_CONFIG, div_id=div_id,
                       default_width="100%", default_height=f"{fig.layout.height}px")
