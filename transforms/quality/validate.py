"""Great Expectations validation of staged lake batches.

The suites are JSON files in ``expectations/gx/expectations/`` (one per table). Each expectation's
``meta.severity`` says what a failure means:

* ``row``   - the failing rows are quarantined (with the expectation's name and ``meta.why``) and the
              rest of the batch goes on; but if one expectation fails in more than ``MAX_BAD_FRACTION``
              of the documents of a batch of at least ``MIN_DOCS_FOR_FRACTION`` documents, the failure is
              systematic (a broken extractor, not one odd article) and counts as a batch failure. One
              document, however many of its rows fail, never blocks the others.
* ``batch`` - the whole run fails and nothing is committed or published.

Value sets and date bounds are suite parameters filled from transforms.lake.schema (one source of truth).
Great Expectations is imported here only, lazily (it takes seconds to import).
"""
from __future__ import annotations

import glob
import logging
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from transforms.lake import schema
from transforms.lake.schema import MAX_DATE, MIN_DATE

log = logging.getLogger("timeline.validate")

KEEP_RUNS = 20  # runs whose validation results stay in the Data Docs
MAX_BAD_FRACTION = 0.5
MIN_DOCS_FOR_FRACTION = 20
SUITES = ("documents", "events", "event_markets")
# Columns not sent to Great Expectations (large or nested; checked by the schema instead).
SKIP_COLUMNS = {"documents": ["text", "metadata"], "events": ["actors", "sentence"], "event_markets": []}


def validated_columns(table: str) -> list[str]:
    """The columns of ``table`` the suites look at (a caller reads only these: never the texts)."""
    return [c for c in schema.TABLES[table].names if c not in SKIP_COLUMNS[table]]


@dataclass(frozen=True)
class RowFailure:
    table: str
    record_id: str
    doc_id: str | None
    expectation: str
    reason: str


@dataclass
class Outcome:
    batch_failures: list[str] = field(default_factory=list)
    row_failures: list[RowFailure] = field(default_factory=list)
    bad_doc_ids: set[str] = field(default_factory=set)
    bad_event_ids: set[str] = field(default_factory=set)


def suite_parameters() -> dict:
    from transforms.extract.event_types import type_names
    from transforms.extract.markets import market_table

    params = {
        "min_date": MIN_DATE.isoformat(), "max_date": MAX_DATE.isoformat(),
        "published_bases": list(schema.PUBLISHED_BASES), "precisions": list(schema.PRECISIONS),
        "anchors": list(schema.ANCHORS), "market_roles": list(schema.MARKET_ROLES),
        "market_bases": list(schema.MARKET_BASES), "event_types": list(type_names()),
        "market_codes": [code for code, _, _ in market_table()],
    }
    for table in SUITES:
        params[f"{table}_columns"] = validated_columns(table)
    params["events_columns"].append("doc_chars")
    params["event_markets_columns"].append("event_found")
    return params


def read_checked(files: dict[str, list[Path]], drop_docs: set[str] = frozenset()) -> dict[str, pa.Table]:
    """The validated columns of staged part files (``table -> files``, the parts in the same order for every
    table), without the documents ``drop_docs`` and their rows."""
    import pyarrow.parquet as pq

    from transforms.lake.store import without

    tables = {t: pa.concat_tables([pq.read_table(f, columns=validated_columns(t)) for f in paths])
              for t, paths in files.items()}
    return without(tables, set(drop_docs), set())


def validation_frames(tables: dict[str, pa.Table]):
    """The pandas frames the suites run on: each table's validated columns (the tables may hold only
    these) plus the join columns the cross-table checks need."""
    docs = tables["documents"].select(validated_columns("documents"))
    events = tables["events"]
    chars = pc.index_in(events["doc_id"], docs["doc_id"])
    doc_chars = pc.take(docs["chars"], chars)
    ev = events.select(validated_columns("events")).append_column("doc_chars", doc_chars)
    markets = tables["event_markets"]
    found = pc.if_else(pc.is_in(markets["event_id"], events["event_id"]), pa.scalar(True), pa.scalar(None, pa.bool_()))
    em = markets.append_column("event_found", found)
    return {"documents": _frame(docs), "events": _frame(ev), "event_markets": _frame(em)}


def _frame(table: pa.Table):
    """A pandas frame whose text columns stay Arrow strings: Great Expectations copies the frame for every
    row check, and Python string objects made that copy and the null checks a quarter of the validation time."""
    import pandas as pd

    text = pd.StringDtype("pyarrow")
    return table.to_pandas(types_mapper={pa.string(): text, pa.large_string(): text}.get)


def ensure_project(expectations_dir: Path) -> Path:
    """The Great Expectations project folder; created from the suites shipped in the package
    (``transforms.quality.gx_project``, the checkout's ``expectations/gx``) when it does not exist yet,
    so an installed package validates from any folder. Returns the ``gx`` folder."""
    from importlib import resources

    gx_dir = Path(expectations_dir) / "gx"
    if not (gx_dir / "great_expectations.yml").exists():
        def copy(src, dest: Path) -> None:
            for item in src.iterdir():
                if item.is_dir():
                    if item.name not in ("__pycache__", "uncommitted"):  # never a run's results
                        copy(item, dest / item.name)
                elif not item.name.endswith((".py", ".pyc")):
                    dest.mkdir(parents=True, exist_ok=True)
                    (dest / item.name).write_bytes(item.read_bytes())

        try:
            shipped = resources.files("transforms.quality.gx_project")
        except ModuleNotFoundError:  # an editable install maps only the top package: read the checkout's
            from transforms.settings import CHECKOUT

            shipped = CHECKOUT / "expectations" / "gx"
        copy(shipped, gx_dir)
        log.info("created the Great Expectations project %s from the packaged suites", gx_dir)
    return gx_dir


class Validator:
    """Runs the suites of ``expectations_dir`` on one batch of tables at a time."""

    def __init__(self, expectations_dir: Path):
        from transforms.settings import quiet_gx

        quiet_gx()
        ensure_project(expectations_dir)
        import great_expectations as gx

        self._gx = gx
        self.context = gx.get_context(mode="file", project_root_dir=str(expectations_dir))
        store = self.context.validation_results_store
        store.store_validation_results = self._locked(store.store_validation_results)  # validation itself runs free
        self.params = suite_parameters()
        self.definitions = {name: self._definition(name) for name in SUITES}

    def _definition(self, name: str):
        gx, ctx = self._gx, self.context
        try:
            source = ctx.data_sources.get("lake")
        except (KeyError, ValueError, LookupError):
            source = ctx.data_sources.add_pandas("lake")
        try:
            asset = source.get_asset(name)
        except LookupError:
            asset = source.add_dataframe_asset(name)
        try:
            batch = asset.get_batch_definition("staged_batch")
        except (KeyError, ValueError, LookupError):
            batch = asset.add_batch_definition_whole_dataframe("staged_batch")
        try:
            return ctx.validation_definitions.get(name)
        except Exception:  # GX raises DataContextError for a missing definition
            suite = ctx.suites.get(name)
            return ctx.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))

    def validate_parts(self, files: dict[str, list[Path]], drop_docs: set[str] = frozenset(),
                       run_name: str | None = None) -> Outcome:
        """Validate staged part files (read here: ``read_checked``) as one batch."""
        return self.validate_batch(read_checked(files, drop_docs), run_name=run_name)

    def validate_batch(self, tables: dict[str, pa.Table], run_name: str | None = None) -> Outcome:
        from great_expectations.core.run_identifier import RunIdentifier

        outcome = Outcome()
        frames = validation_frames(tables)
        docs = tables["documents"]
        doc_of_event = dict(zip(tables["events"]["event_id"].to_pylist(), tables["events"]["doc_id"].to_pylist()))
        market_events = tables["event_markets"]["event_id"].to_pylist()
        ids = {
            "documents": (docs["doc_id"].to_pylist(), docs["doc_id"].to_pylist()),
            "events": (tables["events"]["event_id"].to_pylist(), tables["events"]["doc_id"].to_pylist()),
            "event_markets": (market_events, [doc_of_event.get(e) for e in market_events]),
        }
        source_of = dict(zip(docs["doc_id"].to_pylist(), docs["source"].to_pylist()))
        run_id = RunIdentifier(run_name=run_name)  # one validation run: the three suites' results share it
        for name in SUITES:
            frame = frames[name]
            result = self.definitions[name].run(
                batch_parameters={"dataframe": frame}, expectation_parameters=self.params,
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": []}, run_id=run_id,
            )
            for r in result.results:
                if r.success:
                    continue
                cfg = r.expectation_config
                meta = cfg.meta or {}
                label = f"{cfg.type}({_columns(cfg.kwargs)})"
                if r.exception_info and r.exception_info.get("raised_exception"):
                    outcome.batch_failures.append(f"{name}: {label} raised {r.exception_info.get('exception_message')}")
                    continue
                bad = r.result.get("unexpected_index_list") or []
                record_ids, doc_ids = ids[name]
                bad_docs = sorted({doc_ids[i] for i in bad} - {None}, key=str)
                if meta.get("severity") != "row" or (
                        len(source_of) >= MIN_DOCS_FOR_FRACTION and len(bad_docs) > MAX_BAD_FRACTION * len(source_of)):
                    files = ", ".join(str(source_of.get(d, d)) for d in bad_docs[:3])
                    outcome.batch_failures.append(
                        f"{name}: {label} failed on {len(bad)} of {len(frame)} rows, in {len(bad_docs)} of "
                        f"{len(source_of)} documents" + (f" (e.g. {files})" if files else ""))
                    continue
                for i in bad:
                    rid, did = record_ids[i], doc_ids[i]
                    outcome.row_failures.append(RowFailure(name, rid, did, cfg.type,
                                                           f"{label}: {meta.get('why', 'failed')}"))
                    if name == "documents":
                        outcome.bad_doc_ids.add(rid)
                    else:
                        outcome.bad_event_ids.add(rid)
        return outcome

    def _locked(self, store_results):
        """``store_results`` taking the project lock: the result is stored in the shared project."""
        def locked(*args, **kwargs):
            with self._project_lock():
                return store_results(*args, **kwargs)
        return locked

    @contextmanager
    def _project_lock(self):
        """Processes sharing the project (concurrent runs on other lakes, parallel tests) take turns to
        store results and to prune and render the Data Docs: no one reads a result another removes."""
        import fcntl

        root = Path(self.context.root_directory) / "uncommitted"
        root.mkdir(parents=True, exist_ok=True)
        with open(root / ".results.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            yield root

    def build_docs(self, run_name: str | None = None, keep_runs: int = KEEP_RUNS) -> str | None:
        """Render the Data Docs pages of the stored results that have none yet (those of ``run_name``: this
        run's, whichever process validated them), and remove the results and pages of all but the newest
        ``keep_runs`` validation runs, so the site (and its build time) stays bounded however many runs there
        are. A validation run is a run name *and* time: runs that share a name (tests, re-runs) are told apart."""
        with self._project_lock() as root:
            return self._prune_and_render(root, run_name, keep_runs)

    def _prune_and_render(self, root: Path, run_name: str | None, keep_runs: int) -> str | None:
        store = self.context.validation_results_store
        keys = store.list_keys()
        runs = sorted({k.run_id.to_tuple() for k in keys}, key=lambda r: (r[1], r[0]))  # (name, time), by time
        stale = set(runs[:-keep_runs]) if keep_runs else set()
        for key in keys:
            if key.run_id.to_tuple() in stale:
                store.remove_key(key)
        pages = root / "data_docs" / "local_site" / "validations"
        for name, time in stale:
            for folder in pages.glob(f"*/{glob.escape(name)}/{glob.escape(time)}"):
                shutil.rmtree(folder, ignore_errors=True)
        for folder in (root / "validations", pages):
            _remove_empty_folders(folder)
        mine = [k for k in keys if k.run_id.to_tuple() not in stale and (run_name is None or k.run_id.run_name == run_name)
                and not (pages / k.expectation_suite_identifier.name / Path(*k.run_id.to_tuple())).exists()]
        if not mine:
            return None
        return self.context.build_data_docs(resource_identifiers=mine).get("local_site")


def _remove_empty_folders(top: Path) -> None:
    """The run folders left empty under ``top`` (suite/run name/run time): removing a result leaves its
    folders behind, which would pile up by the thousand and slow every listing of the results."""
    for depth in ("*/*/*", "*/*"):
        for folder in top.glob(depth):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def _columns(kwargs: dict) -> str:
    cols = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    cols += kwargs.get("column_list", [])
    return ", ".join(map(str, cols))


def data_docs_index(expectations_dir: Path) -> Path:
    return Path(expectations_dir) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
