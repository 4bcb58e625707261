"""The warehouse as a BI tool sees it: every public table and view reflected through duckdb-engine and
SQLAlchemy (the `dashboards` extra's pins), and the flat `dash_*` views of transforms/warehouse/sql/30_dashboard.sql.

The warehouse is built from the seeds by the real extraction (no Airflow: plan -> process_batch ->
validate_and_commit -> build).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import pytest
import sqlalchemy as sa

from transforms.orchestration.pipeline import plan, process_batch, validate_and_commit
from transforms.settings import Settings
from transforms.warehouse.builder import build

from conftest import ROOT

# reflection warns about what SQLAlchemy cannot type (LIST, MAP) and indexes; the tests assert on that instead
pytestmark = [pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning"),
              pytest.mark.filterwarnings("ignore:duckdb-engine doesn't yet support reflection on indices")]

DASH_VIEWS = {"dash_timeline", "dash_market_events", "dash_market_summary"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, validator) -> Path:
    import shutil

    work = tmp_path_factory.mktemp("dash")
    shutil.copytree(ROOT / "seeds", work / "sources")
    settings = replace(Settings.from_env(), sources=(work / "sources",), lake=work / "lake",
                       warehouse=work / "wh.duckdb", expectations=ROOT / "expectations", workers=1)
    for manifest in plan(settings, "r1"):
        process_batch(manifest, workers=1)
    validate_and_commit(settings, "r1", validator=validator)
    build(settings.lake, settings.warehouse)
    return settings.warehouse


def duck(engine, sql: str) -> list[tuple]:
    """Plain DuckDB SQL through the same engine (DuckDB allows one configuration per file per process)."""
    with engine.connect() as con:
        return [tuple(r) for r in con.exec_driver_sql(sql)]


@pytest.fixture(scope="module")
def engine(warehouse):
    eng = sa.create_engine(f"duckdb:///{warehouse}", connect_args={"read_only": True})
    yield eng
    eng.dispose()


def public_relations(engine) -> list[str]:
    return [r[0] for r in duck(engine, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                                          "AND table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY table_name")]


def test_installed_versions_are_the_pinned_ones():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    pins = dict(re.fullmatch(r"([\w-]+)==([\w.]+)", p).groups() for p in extras["dashboards"])
    assert pins == {"sqlalchemy": version("sqlalchemy"), "duckdb-engine": version("duckdb-engine")}
    assert "event-timeline[dashboards]" in extras["dev"]


def test_every_public_table_and_view_reflects_and_selects(engine):
    names = public_relations(engine)
    assert DASH_VIEWS <= set(names) and {"timeline", "market_timeline", "documents", "events"} <= set(names)
    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) | set(inspector.get_view_names()) >= set(names)
    for name in names:
        table = sa.Table(name, sa.MetaData(), autoload_with=engine)
        expected = duck(engine, f'SELECT count(*) FROM "{name}"')[0][0]
        with engine.connect() as con:
            rows = con.execute(sa.select(table)).fetchall()
        assert len(rows) == expected, name
        assert [c.name for c in table.columns] == [
            r[0] for r in duck(engine, f"SELECT column_name FROM information_schema.columns "
                                          f"WHERE table_name = '{name}' ORDER BY ordinal_position")], name


def test_dashboard_views_have_only_types_sqlalchemy_knows(engine):
    for name in sorted(DASH_VIEWS):
        table = sa.Table(name, sa.MetaData(), autoload_with=engine)
        unknown = [c.name for c in table.columns if isinstance(c.type, sa.types.NullType)]
        assert unknown == [], name
    # the list columns of the source tables are what BI tools cannot type (the reason for the views)
    timeline = sa.Table("timeline", sa.MetaData(), autoload_with=engine)
    assert sorted(c.name for c in timeline.columns if isinstance(c.type, sa.types.NullType)) == [
        "actors", "markets", "origin_markets", "sources"]


def test_dash_timeline_is_timeline_with_lists_as_text(engine):
    table = sa.Table("dash_timeline", sa.MetaData(), autoload_with=engine)
    with engine.connect() as con:
        got = {r.event_id: (r.markets, r.origin_markets, r.actors, r.sources, r.date_start)
               for r in con.execute(sa.select(table))}
    want = {eid: (", ".join(sorted(m)), ", ".join(sorted(o)), ", ".join(sorted(a)), ", ".join(sorted(s)), d)
            for eid, m, o, a, s, d in duck(engine, "SELECT event_id, markets, origin_markets, actors, sources, "
                                                      "date_start FROM timeline")}
    assert got == want
    assert len(got) == 19  # the seeds' 19 events


def test_dash_market_events_is_one_row_per_market_event(engine):
    table = sa.Table("dash_market_events", sa.MetaData(), autoload_with=engine)
    with engine.connect() as con:
        got = sorted((r.market, r.event_id, r.role, r.actors) for r in con.execute(sa.select(table)))
    want = sorted((m, e, r, ", ".join(sorted(a))) for m, e, r, a in
                  duck(engine, "SELECT market, event_id, role, actors FROM market_timeline"))
    assert got == want and any(a for *_, a in got)  # some rows have actors


def test_dash_market_summary_writes_counts_by_type_as_text(engine):
    table = sa.Table("dash_market_summary", sa.MetaData(), autoload_with=engine)
    with engine.connect() as con:
        got = {r.market: r.events_by_type for r in con.execute(sa.select(table))}
    want = {m: ", ".join(f"{k}: {v}" for k, v in sorted(h.items()))
            for m, h in duck(engine, "SELECT market, events_by_type FROM market_summary")}
    assert got == want and "RU" in got


def test_dashboard_views_are_documented_in_the_warehouse(engine):
    comments = duck(engine, "SELECT view_name, comment FROM duckdb_views() WHERE view_name LIKE 'dash\\_%' ESCAPE '\\' "
                               "ORDER BY view_name")
    assert [v for v, c in comments if c] == sorted(DASH_VIEWS)
    cols = duck(engine, "SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NOT NULL "
                           "AND table_name = 'dash_timeline' ORDER BY column_name")
    assert cols == [("dash_timeline", c) for c in ("actors", "markets", "origin_markets", "sources")]
