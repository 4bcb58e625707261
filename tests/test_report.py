"""The HTML report: rendered from a small hand-made warehouse, then looked at in headless Chromium."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import pytest

from transforms.lake import store as lake
from transforms.warehouse import builder as warehouse
from transforms.report.render import REPORT_NAME, render

UTC = dt.timezone.utc
NOW = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
RUN = "20250102T030405-test"


def _doc(doc_id: str, source: str, published: dt.date | None, text: str) -> dict:
    return {"doc_id": doc_id, "source": source, "source_root": "seeds", "format": "txt", "title": None,
            "url": None, "published": published, "published_basis": "metadata" if published else "unknown",
            "encoding": "utf-8", "chars": len(text), "text": text, "metadata": None, "ingested_at": NOW,
            "run_id": RUN}


def _event(event_id: str, doc: dict, date_text: str, timex: str, start: dt.date, end: dt.date,
           precision: str, event_type: str, actors: list[str], sentence: str) -> dict:
    s = doc["text"].find(sentence)
    c = s + sentence.find(date_text)
    return {"event_id": event_id, "doc_id": doc["doc_id"], "date_text": date_text, "timex": timex,
            "timex_type": "DATE", "date_start": start, "date_end": end, "precision": precision,
            "anchor": "absolute", "event_type": event_type, "trigger": None, "actors": actors,
            "sentence": sentence, "sentence_start": s, "sentence_end": s + len(sentence), "char_start": c,
            "char_end": c + len(date_text), "mentions": 1, "confidence": 0.9, "run_id": RUN}


def _mention(ev: dict) -> dict:
    return {k: ev[k] for k in ("event_id", "doc_id", "date_text", "sentence", "char_start", "char_end",
                               "run_id")}


def _market(event_id: str, market: str, role: str = "place") -> dict:
    return {"event_id": event_id, "market": market, "role": role, "basis": "sentence", "evidence": market,
            "run_id": RUN}


def _quarantine(source: str, stage: str, reason: str) -> dict:
    return {"source": source, "source_root": "seeds", "stage": stage, "reason": reason, "table_name": None,
            "record_id": None, "expectation": None, "run_id": RUN, "quarantined_at": NOW}


def _build(tmp: Path, with_events: bool, extra_markets: tuple[dict, ...] = ()) -> Path:
    s_in = "In November 2020, India banned 43 Chinese apps including AliExpress."
    s_kr = "Coupang will host a seller forum in Seoul on September 25, 2024."
    s_eu = "The European Commission opened an investigation into AliExpress in November 2023."
    s_ps = "On 27 December 2021, the ministry published a report on <script>alert(1)</script> imports."
    docs = [_doc("d1", "000_india.txt", dt.date(2020, 11, 25), s_in),
            _doc("d2", "001_korea.txt", dt.date(2024, 9, 1), s_kr),
            _doc("d3", "002_eu.txt", None, s_eu),
            _doc("d4", "003_ps.txt", dt.date(2022, 1, 3), s_ps)]
    events = [
        _event("e1", docs[0], "November 2020", "2020-11", dt.date(2020, 11, 1), dt.date(2020, 11, 30),
               "month", "ban", ["AliExpress"], s_in),
        _event("e2", docs[1], "September 25, 2024", "2024-09-25", dt.date(2024, 9, 25), dt.date(2024, 9, 25),
               "day", "launch or expansion", ["Coupang"], s_kr),
        _event("e3", docs[2], "November 2023", "2023-11", dt.date(2023, 11, 1), dt.date(2023, 11, 30),
               "month", "investigation", ["European Commission", "AliExpress"], s_eu),
        _event("e4", docs[3], "27 December 2021", "2021-12-27", dt.date(2021, 12, 27), dt.date(2021, 12, 27),
               "day", "report", [], s_ps),
    ] if with_events else []
    markets = [_market("e1", "IN"), _market("e1", "CN", "origin"), _market("e2", "KR"), _market("e3", "EU"),
               _market("e4", "PS"), *extra_markets] if with_events else []
    quarantine = [_quarantine("bad/empty.txt", "ingest", "empty text"),
                  _quarantine("bad/binary.bin", "ingest", "not text (binary content)"),
                  _quarantine("bad/other.txt", "ingest", "empty text")]
    lake_dir = tmp / "lake"
    kept = docs if with_events else []
    lake.stage(lake_dir, RUN, "00000", {
        "documents": kept,
        "events": events,
        "event_mentions": [_mention(e) for e in events],
        "event_markets": markets,
        "quarantine": quarantine,
        "sources": [{"source": d["source"], "source_root": "seeds", "size": d["chars"], "mtime_ns": 1,
                     "status": "document", "doc_id": d["doc_id"], "run_id": RUN} for d in kept],
    })
    lake.commit(lake_dir, RUN, {"run_id": RUN, "committed_at": NOW.isoformat(), "documents": len(kept),
                                "events": len(events), "quarantine": len(quarantine), "duplicates": 0,
                                "rows_quarantined": 0})
    path = tmp / "tl.duckdb"
    warehouse.build(lake_dir, path)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    docs = tmp / "gx" / "data_docs" / "index.html"
    docs.parent.mkdir(parents=True)
    docs.write_text("<html></html>")
    return render(_build(tmp, with_events=True), tmp / "out", data_docs=docs)


def test_render_writes_a_self_contained_page(report: Path):
    assert report.name == REPORT_NAME and report.is_file()
    assert not list(report.parent.glob(".*tmp*"))
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I), "scripts must be inlined"
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", page, re.I)
    assert page.count("Plotly.newPlot") == 2                 # timeline + monthly
    assert 'href="../gx/data_docs/index.html"' in page      # relative link to the Data Docs


def test_table_filter_and_quality(report: Path):
    page = report.read_text(encoding="utf-8")
    table = page[page.index('<table id="events">'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr data-markets="([^"]*)">(.*?)</tr>', table, re.S)
    assert [m for m, _ in rows] == ["IN", "PS", "EU", "KR"]           # time order
    assert "2020-11-01 – 2020-11-30" in rows[0][1] and "<code>2020-11</code>" in rows[0][1]
    assert "2024-09-25" in rows[3][1] and "launch or expansion" in rows[3][1]
    assert 'class="chip origin"' in rows[0][1] and ">CN<" in rows[0][1]   # origin market shown, not filtered
    # every text is escaped, nothing from the data can open a tag
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rows[1][1]
    select = page[page.index('<select id="market-filter">'):]
    select = select[:select.index("</select>")]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "EU", "IN", "KR", "PS"]
    quality = page[page.index('<section id="quality">'):]
    assert "empty text" in quality and "not text (binary content)" in quality
    assert re.search(r'<td>ingest</td><td>empty text</td><td class="num">2</td>', quality)
    assert RUN in quality


def test_empty_warehouse_renders(tmp_path: Path):
    out = render(_build(tmp_path, with_events=False), tmp_path / "out")
    page = out.read_text(encoding="utf-8")
    assert "No events in the warehouse yet" in page
    assert "Plotly.newPlot" not in page and page.rstrip().endswith("</html>")
    assert "empty text" in page                              # the quality summary is still there


def test_a_large_warehouse_is_capped(tmp_path: Path, monkeypatch):
    """Big corpora: the table lists the latest events only, and every event type still gets a colour."""
    import transforms.report.data as report_data

    monkeypatch.setattr(report_data, "MAX_TABLE_EVENTS", 1)
    page = render(_build(tmp_path, with_events=True), tmp_path / "out").read_text(encoding="utf-8")
    table = page[page.index('<table id="events">'):]
    assert len(re.findall(r'<tr data-markets=', table[:table.index("</table>")])) == 1
    assert "The latest 1 of 4 events" in page


def _figure(page: str, div_id: str) -> list[dict]:
    """The traces of a chart as the page draws them (the JSON passed to Plotly.newPlot)."""
    import json

    call = page[page.index(f'Plotly.newPlot("{div_id}", '):]
    return json.JSONDecoder().raw_decode(call[len(f'Plotly.newPlot("{div_id}", '):])[0]


def test_lanes_draw_the_latest_events_of_the_markets_with_most_events(tmp_path: Path, monkeypatch):
    """Lanes are read for the drawn markets only, each event once whatever its roles, the latest
    MAX_LANE_EVENTS per lane; the page says how many events the capped lanes leave out."""
    import transforms.report.data as report_data

    monkeypatch.setattr(report_data, "MAX_LANE_EVENTS", 1)
    monkeypatch.setattr(report_data, "MAX_LANES", 2)
    # India: e1 (November 2020, in two roles) and e3 (November 2023): 2 events, the most of any market
    path = _build(tmp_path, with_events=True,
                  extra_markets=(_market("e1", "IN", "actor"), _market("e3", "IN")))
    data = report_data.read(path)
    assert [(r["market"], r["events"]) for r in data["summary"]][:1] == [("IN", 2)]
    assert data["lane_markets"] == ["IN", "EU"]                      # most events first, then by code
    assert [(r["market"], r["event_id"]) for r in data["lanes"]] == [("EU", "e3"), ("IN", "e3")]
    page = render(path, tmp_path / "out").read_text(encoding="utf-8")
    bars = [(m, base) for t in _figure(page, "timeline-chart") for m, base in zip(t["y"], t["base"])]
    assert sorted(bars) == [("EU", "2023-11-01"), ("IN", "2023-11-01")]
    text = " ".join(page.split())
    assert "Showing the 2 markets with most events (2 more in the table)" in text
    assert "latest 1 events; 1 lanes have more: 2 of the 3 dated events in the lanes are drawn" in text


def test_events_per_market_are_market_summary_events(tmp_path: Path):
    """The report sums market_monthly instead of reading the (costlier) market_summary view: same counts."""
    import duckdb

    import transforms.report.data as report_data

    path = _build(tmp_path, with_events=True, extra_markets=(_market("e1", "IN", "actor"), _market("e3", "IN"),
                                                             _market("e2", "EU", "place")))
    with duckdb.connect(str(path), read_only=True) as con:
        expected = con.execute("SELECT market, market_name, events FROM market_summary").fetchall()
    assert [tuple(r.values()) for r in report_data.read(path)["summary"]] == expected
    assert ("IN", "India", 2) in expected


def test_the_figures_are_valid_plotly(report: Path):
    """The charts are written as plain dicts, unvalidated: plotly.py must accept every property of them,
    and they must carry its default template (the page looks as plotly.py would draw it)."""
    import plotly.graph_objects as go

    import transforms.report.data as report_data
    from transforms.report import charts

    data = report_data.read(Path(report.parent.parent / "tl.duckdb"))
    colours = charts.type_colours(r["event_type"] for r in data["timeline"] + data["lanes"] + data["monthly"])
    for fig in (charts.timeline_figure(data, colours), charts.monthly_figure(data)):
        checked = go.Figure(fig).to_plotly_json()                     # raises on an invalid property
        assert checked["layout"]["template"] == go.Figure().to_plotly_json()["layout"]["template"]
        assert [t["type"] for t in checked["data"]] == ["bar"] * len(fig["data"]) and fig["data"]
    timeline = charts.timeline_figure(data, colours)
    assert sorted(y for t in timeline["data"] for y in t["y"]) == ["EU", "IN", "KR", "PS"]


def test_hover_text_is_wrapped_escaped_and_capped():
    from transforms.report.charts import esc_all, hover_texts

    long = " ".join(["word"] * 200)
    short, capped, cut, empty = hover_texts(["a <b> &\nc", long, "x" * 200, None])
    assert short == "a &lt;b&gt; &amp; c" and empty == ""
    lines = capped.split("<br>")
    assert len(lines) == 6 and lines[-1].endswith(" …") and all(len(x) <= 92 for x in lines)
    assert cut.split("<br>") == ["x" * 90, "x" * 90, "x" * 20]      # no space to break at: cut
    assert esc_all(["<i>", None, "a\0b", "'"]) == ["&lt;i&gt;", "", "a\0b", "&#x27;"]


def test_missing_warehouse_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="timeline run"):
        render(tmp_path / "nope.duckdb", tmp_path / "out")


# ---------------------------------------------------------------------------------------------------------
# As a person would see it: headless Chromium renders the page (JS on), we read the DOM and the screenshot.


def _chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def _headless(browser: str, tmp: Path, jobs: dict[str, list[str]]) -> dict[str, subprocess.CompletedProcess]:
    """Run several headless Chromium jobs side by side (each with its own profile); 60 s at most."""
    procs = {}
    for name, args in jobs.items():
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={tmp / ('profile-' + name)}",
               "--virtual-time-budget=5000", *args]
        procs[name] = (cmd, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             stdin=subprocess.DEVNULL, text=True))
    done, deadline = {}, time.monotonic() + 60
    try:
        for name, (cmd, proc) in procs.items():
            try:
                out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pytest.fail(f"chromium did not finish in 60 s: {' '.join(cmd)}")
            done[name] = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    finally:
        for _, proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return done


def _png_pixels(data: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct pixel values of an 8-bit RGB/RGBA PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    prev, seen = bytearray(stride), set()
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 4 == 0:  # a sample of the rows is plenty to tell a page from a blank
            seen.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 2))
        prev = line
    return width, height, seen


def test_report_in_headless_chromium(report: Path, tmp_path: Path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium not found: install it with `apt-get install chromium chromium-driver` "
                    "(or set CHROMIUM=/path/to/chrome)")
    url = report.resolve().as_uri()
    png = tmp_path / "report.png"
    runs = _headless(browser, tmp_path, {
        "dom": ["--dump-dom", url],
        "filter": ["--dump-dom", url + "#market=IN"],
        "png": ["--window-size=1400,1800", f"--screenshot={png}", url],
    })
    proc = runs["dom"]
    dom = proc.stdout
    assert proc.returncode == 0 and "</html>" in dom, proc.stderr[-2000:]
    assert dom.count('class="main-svg"') == 6, "plotly did not draw the charts"  # 3 SVG layers per chart
    timeline = dom[dom.index('id="timeline-chart"'):dom.index('id="monthly-chart"')]
    lanes = set(re.findall(r'class="ytick"[^>]*>.*?<text[^>]*>([^<]*)</text>', timeline, re.S))
    assert {"IN", "KR", "EU", "PS"} <= lanes, lanes
    assert len(re.findall(r'class="point"', timeline)) == 4          # one bar per (market, event), not CN
    assert "ban" in timeline and "investigation" in timeline        # legend: event types
    rows = re.findall(r'<tr data-markets="[^"]*">(.*?)</tr>', dom, re.S)
    assert any("2020-11" in r for r in rows) and any("2024-09-25" in r for r in rows)

    # the market filter, preset from the address: only India's row stays visible
    proc = runs["filter"]
    rows = re.findall(r'<tr data-markets="([^"]*)"( hidden="")?>', proc.stdout)
    assert [m for m, hidden in rows if not hidden] == ["IN"], rows
    assert '<span id="shown">1</span>' in proc.stdout

    assert png.is_file(), runs["png"].stderr[-2000:]
    data = png.read_bytes()
    assert len(data) > 20_000, f"screenshot is suspiciously small ({len(data)} bytes)"
    width, height, colours = _png_pixels(data)
    assert (width, height) == (1400, 1800)
    assert len(colours) > 50, f"screenshot looks blank ({len(colours)} distinct colours)"


def test_a_file_that_is_not_a_warehouse_is_one_clear_line(tmp_path: Path, capsys):
    from transforms.orchestration.cli import main

    fake = tmp_path / "fake.duckdb"
    fake.write_text("hi")
    assert main(["report", "--warehouse", str(fake), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"timeline: {fake} is not a warehouse this version can read") and err.count("\n") == 1
