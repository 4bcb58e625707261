"""The HTML report: one self-contained page read from the published DuckDB warehouse.

    render(warehouse, out_dir, data_docs=None) -> out_dir/timeline-report.html

The page opens from disk with no server and no network: plotly.js, the CSS and the little filter script
are inlined. It shows

1. a timeline per market: markets are lanes, every event is a bar from ``date_start`` to ``date_end`` + 1
   day, so the precision of its date is visible as the width of the bar (a day is thin, a month wider, a
   year wide); the colour is the event type, hovering shows the date as written, the TIMEX3 value, the
   sentence and the source;
2. events per market and month (the ``market_monthly`` view);
3. the table of events (``timeline`` view) with a market filter (every row carries ``data-markets``; the
   filter can be preset from the address, ``timeline-report.html#market=IN``);
4. the data-quality summary: counts, quarantine reasons grouped by stage and reason, the last runs and a
   relative link to the Great Expectations Data Docs.

Every text from the warehouse is HTML-escaped; texts handed to plotly are escaped too (plotly renders a
subset of HTML in hover labels) and plotly's JSON escapes ``<`` and ``/``, so no text can close a script.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import textwrap
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

REPORT_NAME = "timeline-report.html"
MAX_LANES = 40          # markets shown as lanes in the timeline chart (most events first)
MAX_TABLE_EVENTS = 2000  # latest events listed in the table (the page stays small at any corpus size)
MAX_LANE_EVENTS = 300    # latest events drawn per lane
MAX_REASONS = 50         # quarantine reasons listed (most frequent first)
MAX_MONTHLY_MARKETS = 8  # markets with their own colour in the monthly chart; the rest are "other"
DAY_MS = 86_400_000

# Tableau 10: readable on white, distinguishable for most colour-blind readers.
TYPE_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
MARKET_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
                  "#e6ab02", "#a6761d", "#386cb0", "#999999"]

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}


def esc(value) -> str:
    """HTML-escape anything (None -> empty string)."""
    return "" if value is None else html.escape(str(value), quote=True)


# --------------------------------------------------------------------------------------------------------
# Reading the warehouse


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _one(con, sql: str):
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def _read(warehouse: Path) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = {
            "documents": _one(con, "SELECT count(*) FROM documents"),
            "events": _one(con, "SELECT count(*) FROM events"),
            "quarantined": _one(con, "SELECT count(*) FROM quarantine"),
            "sources": _rows(con, "SELECT status, count(*) AS n FROM sources GROUP BY status ORDER BY n DESC"),
            "built_at": _one(con, "SELECT max(built_at) FROM _build"),
            "timeline_total": _one(con, "SELECT count(*) FROM timeline"),
            "timeline": _rows(con, """
                SELECT * FROM (
                    SELECT event_id, date_start, date_end, timex, precision, date_text, event_type, markets,
                           origin_markets, actors, sentence, source, published, title, confidence
                    FROM timeline ORDER BY date_start DESC NULLS LAST, event_id LIMIT ?)
                ORDER BY date_start NULLS LAST, date_end, event_id""", [MAX_TABLE_EVENTS]),
            "lanes": _rows(con, """
                WITH bars AS (
                    SELECT DISTINCT ON (market, event_id)      -- one bar per (market, event) whatever its roles
                           market, market_name, date_start, date_end, timex, precision, date_text, event_type,
                           sentence, source, event_id
                    FROM market_timeline
                    WHERE role <> 'origin' AND date_start IS NOT NULL
                    ORDER BY market, event_id)
                SELECT * EXCLUDE (latest) FROM (
                    SELECT *, row_number() OVER (PARTITION BY market ORDER BY date_start DESC, event_id) AS latest
                    FROM bars)
                WHERE latest <= ?
                ORDER BY market, date_start, date_end, event_id""", [MAX_LANE_EVENTS]),
            "summary": _rows(con, "SELECT market, market_name, events FROM market_summary"),
            "monthly": _rows(con, """
                SELECT market, market_name, month, event_type, events, precise_events
                FROM market_monthly WHERE month IS NOT NULL ORDER BY month, market, event_type"""),
            "reasons": _rows(con, """
                SELECT stage, reason, count(*) AS n, count(DISTINCT source) AS sources,
                       min(source) AS example
                FROM quarantine GROUP BY stage, reason ORDER BY n DESC, stage, reason LIMIT ?""", [MAX_REASONS]),
            "runs": _rows(con, """
                SELECT run_id, committed_at, documents, events, quarantine, duplicates, rows_quarantined
                FROM runs ORDER BY committed_at DESC NULLS LAST, run_id DESC LIMIT 10"""),
            "market_names": dict(con.execute("SELECT code, name FROM markets").fetchall()),
        }
    return data


# --------------------------------------------------------------------------------------------------------
# Small formatting helpers


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _period(start, end) -> str:
    if start is None:
        return ""
    if end is None or end == start:
        return _iso(start)
    return f"{_iso(start)} – {_iso(end)}"


def _wrap(text: str, width: int = 90, lines: int = 6) -> str:
    """Escaped text wrapped with <br> for a plotly hover label."""
    parts = textwrap.wrap(text or "", width=width, max_lines=lines, placeholder=" …")
    return "<br>".join(esc(p) for p in parts)


def _type_colours(types) -> dict[str, str]:
    return {t: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, t in enumerate(sorted(set(types)))}


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


def _fmt_int(n) -> str:
    return "–" if n is None else f"{int(n):,}"


# --------------------------------------------------------------------------------------------------------
# Charts


def _lane_order(data: dict) -> list[str]:
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


def _timeline_figure(data: dict, colours: dict[str, str]):
    import plotly.graph_objects as go

    lanes = _lane_order(data)
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
                         esc(_period(r["date_start"], r["date_end"]))] for r in rows],
            hovertemplate=("<b>%{y}</b> %{customdata[0]} · <b>%{fullData.name}</b><br>"
                           "“%{customdata[1]}” → %{customdata[2]} (%{customdata[3]}: %{customdata[6]})<br>"
                           "%{customdata[4]}<br><i>%{customdata[5]}</i><extra></extra>"),
        ))
    fig.update_layout(
        barmode="overlay",
        height=max(260, 34 * len(lanes) + 160),
        margin={"l": 70, "r": 20, "t": 30, "b": 40},
        legend={"title": {"text": "event type"}, "orientation": "h", "y": -0.06, "yanchor": "top", "x": 0},
        plot_bgcolor="#fbfbfd",
        paper_bgcolor="white",
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        hoverlabel={"align": "left"},
    )
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=lanes, autorange="reversed",
                     title=None, showgrid=True, gridcolor="#eceef3")
    fig.update_xaxes(type="date", title=None, showgrid=True, gridcolor="#eceef3")
    return fig


def _monthly_figure(data: dict):
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
        plot_bgcolor="#fbfbfd",
        paper_bgcolor="white",
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        hoverlabel={"align": "left"},
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


def _figure_html(fig, div_id: str, include_js: bool) -> str:
    import plotly.io as pio

    return pio.to_html(fig, full_html=False, include_plotlyjs=True if include_js else False,
                       include_mathjax=False, config=PLOTLY_CONFIG, div_id=div_id,
                       default_width="100%", default_height=f"{fig.layout.height}px")


# --------------------------------------------------------------------------------------------------------
# HTML pieces


def _highlight(sentence: str, date_text: str) -> str:
    """The escaped sentence with its date expression marked."""
    sentence = sentence or ""
    i = sentence.find(date_text) if date_text else -1
    if i < 0:
        return esc(sentence)
    j = i + len(date_text)
    return f"{esc(sentence[:i])}<mark>{esc(sentence[i:j])}</mark>{esc(sentence[j:])}"


def _table_cap(data: dict) -> str:
    shown, total = len(data["timeline"]), data["timeline_total"]
    if shown >= total:
        return ""
    return (f'\n  <p class="hint">The latest {shown:,} of {total:,} events; the warehouse\'s <code>timeline</code>'
            f' view has them all. Lanes in the chart show each market\'s latest {MAX_LANE_EVENTS} events.</p>')


def _events_table(data: dict, colours: dict[str, str]) -> str:
    counts: Counter = Counter()
    for r in data["timeline"]:
        counts.update(set(r["markets"] or []))
    names = data["market_names"]
    options = "".join(
        f'<option value="{esc(m)}">{esc(m)} — {esc(names.get(m, m))} ({n})</option>'
        for m, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    rows = []
    for r in data["timeline"]:
        markets = r["markets"] or []
        origins = r["origin_markets"] or []
        chips = "".join(f'<span class="chip" title="{esc(names.get(m, m))}">{esc(m)}</span>' for m in markets)
        chips += "".join(f'<span class="chip origin" title="origin: {esc(names.get(m, m))}">{esc(m)}</span>'
                         for m in origins if m not in markets)
        colour = colours.get(r["event_type"], "#888")
        source = esc(r["source"])
        if r["published"]:
            source += f'<br><span class="muted nowrap">published {esc(_iso(r["published"]))}</span>'
        rows.append(
            f'<tr data-markets="{esc(" ".join(markets))}">'
            f'<td class="nowrap">{esc(_period(r["date_start"], r["date_end"]))}</td>'
            f'<td><code>{esc(r["timex"])}</code><br><span class="muted">{esc(r["precision"])}</span></td>'
            f"<td>{chips}</td>"
            f'<td><span class="badge" style="background:{colour}">{esc(r["event_type"])}</span></td>'
            f'<td>{esc(", ".join(r["actors"] or []))}</td>'
            f'<td class="sentence">{_highlight(r["sentence"], r["date_text"])}</td>'
            f'<td class="source">{source}</td>'
            "</tr>")
    return f"""
<div class="filters">
  <label>Market <select id="market-filter"><option value="">All markets</option>{options}</select></label>
  <label>Search <input id="text-filter" type="search" placeholder="words in any column"></label>
  <span class="muted"><span id="shown">{len(rows)}</span> of {len(rows)} events shown</span>
</div>
<div class="table-wrap">
<table id="events">
  <thead><tr><th>Date</th><th>TIMEX3</th><th>Markets</th><th>Type</th><th>Actors</th><th>Sentence</th>
  <th>Source</th></tr></thead>
  <tbody>
{chr(10).join(rows)}
  </tbody>
</table>
</div>"""


def _data_docs_link(data_docs: Path | None, out_dir: Path) -> str:
    if data_docs is None:
        return ""
    data_docs = Path(data_docs)
    try:
        rel = os.path.relpath(data_docs.resolve(), out_dir.resolve())
        href = urllib.parse.quote(Path(rel).as_posix())
    except ValueError:  # another drive (Windows): fall back to an absolute file URL
        href = data_docs.resolve().as_uri()
    note = "" if data_docs.exists() else ' <span class="muted">(not built yet)</span>'
    return (f'<p>Validation results: <a href="{esc(href)}">Great Expectations Data Docs</a>{note}</p>')


def _quality(data: dict, out_dir: Path, data_docs: Path | None) -> str:
    seen = sum(r["n"] for r in data["sources"])
    sources = (f"{_fmt_int(seen)} (" + ", ".join(f"{esc(r['status'])} {_fmt_int(r['n'])}" for r in data["sources"])
               + ")") if seen else "none"
    if data["reasons"]:
        reason_rows = "".join(
            f"<tr><td>{esc(r['stage'])}</td><td>{esc(r['reason'])}</td><td class='num'>{_fmt_int(r['n'])}</td>"
            f"<td class='num'>{_fmt_int(r['sources'])}</td><td class='source'>{esc(r['example'])}</td></tr>"
            for r in data["reasons"])
        reasons = ("<table class='compact'><thead><tr><th>Stage</th><th>Reason</th><th>Rows</th>"
                   f"<th>Sources</th><th>Example</th></tr></thead><tbody>{reason_rows}</tbody></table>")
    else:
        reasons = "<p class='muted'>Nothing was quarantined.</p>"
    if data["runs"]:
        run_rows = "".join(
            f"<tr><td><code>{esc(r['run_id'])}</code></td><td class='nowrap'>{esc(_when(r['committed_at']))}</td>"
            + "".join(f"<td class='num'>{_fmt_int(r[k])}</td>"
                      for k in ("documents", "events", "quarantine", "duplicates", "rows_quarantined"))
            + "</tr>" for r in data["runs"])
        runs = ("<table class='compact'><thead><tr><th>Run</th><th>Committed</th><th>Documents</th>"
                "<th>Events</th><th>Inputs quarantined</th><th>Duplicates</th><th>Rows quarantined</th>"
                f"</tr></thead><tbody>{run_rows}</tbody></table>")
    else:
        runs = "<p class='muted'>No committed runs.</p>"
    return f"""
<div class="cards">
  <div class="card"><b>{_fmt_int(data['documents'])}</b><span>documents</span></div>
  <div class="card"><b>{_fmt_int(data['events'])}</b><span>events</span></div>
  <div class="card{' warn' if data['quarantined'] else ''}"><b>{_fmt_int(data['quarantined'])}</b>
    <span>quarantined</span></div>
</div>
<p>Input files seen: {sources}.</p>
{_data_docs_link(data_docs, out_dir)}
<h3>Quarantine reasons</h3>
{reasons}
<h3>Last runs</h3>
{runs}"""


CSS = """
:root { --fg:#1f2430; --muted:#6b7280; --line:#e5e7eb; --bg:#f6f7fb; --accent:#4e79a7; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg);
       background:var(--bg); }
header { background:#1f2a44; color:#fff; padding:22px 32px 18px; }
header h1 { margin:0 0 4px; font-size:24px; font-weight:650; }
header p { margin:0; color:#c9d1e3; }
header nav { margin-top:10px; }
header code { background:rgba(255,255,255,.14); color:#fff; }
header nav a { color:#fff; margin-right:18px; text-decoration:none; border-bottom:1px solid #7d8bb0; }
main { max-width:1500px; margin:0 auto; padding:8px 24px 40px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:16px 20px 18px;
          margin:18px 0; box-shadow:0 1px 2px rgba(0,0,0,.04); }
h2 { margin:0 0 6px; font-size:18px; }
h3 { margin:18px 0 6px; font-size:15px; }
.hint, .muted { color:var(--muted); }
.hint { margin:0 0 8px; }
.cards { display:flex; gap:12px; flex-wrap:wrap; margin:6px 0 10px; }
.card { border:1px solid var(--line); border-radius:8px; padding:8px 16px; min-width:130px; background:#fafbff; }
.card b { display:block; font-size:22px; }
.card span { color:var(--muted); }
.card.warn b { color:#c2410c; }
.filters { display:flex; gap:18px; align-items:center; flex-wrap:wrap; margin:6px 0 10px; }
select, input { font:inherit; padding:4px 6px; border:1px solid #cbd0da; border-radius:6px; }
.table-wrap { max-height:900px; overflow:auto; border:1px solid var(--line); border-radius:8px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; vertical-align:top; padding:6px 10px; border-bottom:1px solid var(--line); }
thead th { background:#f1f3f8; font-weight:600; }
.table-wrap thead th { position:sticky; top:0; z-index:1; box-shadow:0 1px 0 var(--line); }
tbody tr:nth-child(even) { background:#fafbfd; }
tbody tr:hover { background:#eef4ff; }
table.compact { width:auto; min-width:50%; border:1px solid var(--line); }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.nowrap, td.nowrap, td code { white-space:nowrap; }
td.sentence { min-width:340px; }
td.source { font-size:12px; color:#4b5563; overflow-wrap:anywhere; max-width:260px; }
code { font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; background:#f1f3f8; padding:1px 4px;
       border-radius:4px; }
mark { background:#fff3b0; padding:0 2px; border-radius:3px; }
.chip { display:inline-block; font-size:12px; padding:0 6px; margin:1px 3px 1px 0; border-radius:10px;
        background:#e8eefb; color:#23427a; border:1px solid #c9d6f2; }
.chip.origin { background:#f3f4f6; color:#6b7280; border-style:dashed; }
.badge { display:inline-block; color:#fff; font-size:12px; padding:1px 8px; border-radius:10px;
         white-space:nowrap; }
.empty { padding:18px; background:#fffbea; border:1px solid #f5e3a3; border-radius:8px; }
footer { text-align:center; color:var(--muted); font-size:12px; padding:10px 0 24px; }
"""

FILTER_JS = """
(function () {
  var sel = document.getElementById('market-filter');
  var q = document.getElementById('text-filter');
  var shown = document.getElementById('shown');
  if (!sel) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));
  function apply() {
    var m = sel.value, t = q.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var ok = (!m || r.getAttribute('data-markets').split(' ').indexOf(m) >= 0) &&
               (!t || r.textContent.toLowerCase().indexOf(t) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n;
  }
  sel.addEventListener('change', function () {
    // remember the market in the address (#market=IN), so a filtered view can be bookmarked or shared
    history.replaceState(null, '', sel.value ? '#market=' + encodeURIComponent(sel.value) : location.pathname);
    apply();
  });
  q.addEventListener('input', apply);
  var m = /(?:^#|&)market=([^&]+)/.exec(location.hash);
  if (m) {
    var want = decodeURIComponent(m[1]).toUpperCase();
    for (var i = 0; i < sel.options.length; i++) if (sel.options[i].value === want) sel.value = want;
    apply();
  }
})();
"""


def _page(data: dict, warehouse: Path, out_dir: Path, data_docs: Path | None) -> str:
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    dated = [r for r in data["timeline"] if r["date_start"] is not None]
    span = (f"{_iso(dated[0]['date_start'])} to {_iso(max(r['date_end'] or r['date_start'] for r in dated))}"
            if dated else "no dated events")
    subtitle = (f"{_fmt_int(data['events'])} events in {_fmt_int(len(data['summary']))} markets from "
                f"{_fmt_int(data['documents'])} documents · {span}")
    if data["events"]:
        colours = _type_colours(r["event_type"] for r in data["timeline"] + data["lanes"] + data["monthly"])
        lanes = _lane_order(data)
        more = len(data["summary"]) - len(lanes)
        capped = f" Showing the {len(lanes)} markets with most events ({more} more in the table)." if more > 0 else ""
        timeline_html = (_figure_html(_timeline_figure(data, colours), "timeline-chart", include_js=True)
                         if data["lanes"] else "<p class='empty'>No dated events with a market.</p>")
        monthly_html = (_figure_html(_monthly_figure(data), "monthly-chart", include_js=not data["lanes"])
                        if data["monthly"] else "<p class='empty'>No dated events with a market.</p>")
        body = f"""
<section id="timeline">
  <h2>Timeline by market</h2>
  <p class="hint">Each bar is one event, from the first to the last day its date denotes: a day is a thin
  line, a month wider, a year wide. Colour is the event type; hover for the date as written, its TIMEX3
  value, the sentence and the source. Drag to zoom, double-click to reset.{esc(capped)}</p>
  {timeline_html}
</section>
<section id="monthly">
  <h2>Events per market and month</h2>
  <p class="hint">Events counted in the month their period starts (events naming only an origin market are
  not counted).</p>
  {monthly_html}
</section>
<section id="table">
  <h2>Events</h2>{_table_cap(data)}
  {_events_table(data, colours)}
</section>"""
    else:
        body = """
<section id="timeline">
  <h2>Events</h2>
  <p class="empty">No events in the warehouse yet. Run <code>timeline run</code> to ingest the sources,
  then <code>timeline report</code> again.</p>
</section>"""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Event timeline report</title>
<style>{CSS}</style>
</head>
<body>
<header>
  <h1>Event timeline</h1>
  <p>{esc(subtitle)}</p>
  <p>Warehouse <code>{esc(warehouse.name)}</code> built {esc(_when(data['built_at']) or 'unknown')} ·
  report generated {esc(generated)}</p>
  <nav><a href="#timeline">Timeline</a><a href="#monthly">Per month</a><a href="#table">Events</a>
  <a href="#quality">Data quality</a></nav>
</header>
<main>
{body}
<section id="quality">
  <h2>Data quality</h2>
  {_quality(data, out_dir, data_docs)}
</section>
</main>
<footer>Generated by <code>timeline report</code> from the DuckDB warehouse; self-contained, works offline.</footer>
<script>{FILTER_JS}</script>
</body>
</html>
"""


def render(warehouse: Path, out_dir: Path, data_docs: Path | None = None) -> Path:
    """Write ``out_dir/timeline-report.html`` from the warehouse (atomically) and return its path."""
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `timeline run` first")
    data = _read(warehouse)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = _page(data, warehouse, out_dir, Path(data_docs) if data_docs else None)
    target = out_dir / REPORT_NAME
    tmp = out_dir / f".{REPORT_NAME}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(page)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
