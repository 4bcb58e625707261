"""Time per pipeline stage for one batch (`bench_pipeline.py --profile`).

Runs the pipeline's own functions in this process on one batch of a corpus — plan, one `process_batch`
in one process, `validate_and_commit` with an in-process Great Expectations validator, the warehouse
build — with a timer around each stage's function (patched for the run, restored after). Times are
inclusive: a stage called inside another (sentence splitting inside actor finding, say) counts in both;
"assembly" is what `events.extract` spends outside the stages listed under it. Timers cost ~1 µs per
call, far below the functions they time.
"""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

# (label, module, attribute): the functions timed; nested labels are indented in the report
STAGES = [
    ("read + decode (whole reader)", "transforms.orchestration.extract_batch", "read_source"),
    ("  decode", "transforms.ingest.sources", "decode"),
    ("  clean", "transforms.ingest.clean", "tidy"),
    ("  clean", "transforms.ingest.clean", "remove_boilerplate"),
    ("  clean", "transforms.ingest.clean", "strip_markup"),
    ("  clean", "transforms.ingest.clean", "split_header"),
    ("extract (events.extract)", "transforms.extract.events", "extract"),
    ("  tag (temporal)", "transforms.extract.events", "tag"),
    ("  sentences + clauses", "transforms.extract.sentences", "split"),
    ("  sentences + clauses", "transforms.extract.sentences", "paragraphs"),
    ("  sentences + clauses", "transforms.extract.sentences", "clauses"),
    ("  sentences + clauses", "transforms.extract.sentences", "date_clause"),
    ("  actors", "transforms.extract.actors", "find"),
    ("  markets", "transforms.extract.markets", "find"),
    ("  organisations' evidence", "transforms.extract.organisations", "evidence"),
    ("  attribution", "transforms.extract.attribution:Attribution", "markets"),
    ("  attribution", "transforms.extract.attribution", "happenings"),
    ("  event types", "transforms.extract.event_types", "classify"),
    ("row building", "transforms.orchestration.extract_batch", "_document_row"),
    ("row building", "transforms.orchestration.extract_batch", "_merge"),
    ("Parquet staging", "transforms.lake.store", "stage"),
    ("validation (Great Expectations)", "transforms.quality.validate:Validator", "validate_batch"),
    ("Data Docs", "transforms.quality.validate:Validator", "build_docs"),
    ("commit", "transforms.lake.store", "commit"),
    ("warehouse build", "transforms.warehouse.builder", "build"),
]
EXTRACT_PARTS = ["  tag (temporal)", "  sentences + clauses", "  actors", "  markets", "  organisations' evidence",
                 "  attribution", "  event types"]


def _owner(path: str):
    """The module (``package.module``) or class (``package.module:Class``) holding a timed function."""
    import importlib

    module, _, cls = path.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, cls) if cls else mod


@contextmanager
def timed(seconds: dict[str, float], calls: dict[str, int]):
    import inspect

    with ExitStack() as stack:
        for label, path, name in STAGES:
            owner = _owner(path)
            original = getattr(owner, name)

            def wrap(fn, label=label):
                if inspect.isgeneratorfunction(fn):
                    def gen(*a, **k):
                        it = fn(*a, **k)
                        while True:
                            t0 = time.perf_counter()
                            try:
                                item = next(it)
                            except StopIteration:
                                seconds[label] += time.perf_counter() - t0
                                return
                            seconds[label] += time.perf_counter() - t0
                            yield item
                    return gen

                def timed_call(*a, **k):
                    t0 = time.perf_counter()
                    try:
                        return fn(*a, **k)
                    finally:
                        seconds[label] += time.perf_counter() - t0
                        calls[label] += 1
                return timed_call

            setattr(owner, name, wrap(original))
            stack.callback(setattr, owner, name, original)
        yield


def profile(corpus: Path, work: Path, batch_size: int) -> None:
    """Run one batch of ``corpus`` (the first ``batch_size`` files) and print seconds per stage."""
    from transforms.orchestration.pipeline import new_run_id, plan, process_batch, validate_and_commit
    from transforms.quality.validate import Validator
    from transforms.settings import Settings
    from transforms.warehouse import builder

    settings = replace(Settings.from_env(), sources=(corpus,), lake=work / "profile-lake",
                       warehouse=work / "profile.duckdb", inbox=work / "profile-inbox", batch_size=batch_size)
    seconds, calls = defaultdict(float), defaultdict(int)
    t_import = time.perf_counter()
    validator = Validator(settings.expectations)  # Great Expectations import + context, timed apart
    t_import = time.perf_counter() - t_import
    run_id = new_run_id()
    with timed(seconds, calls):
        t0 = time.perf_counter()
        manifests = plan(settings, run_id)
        seconds["plan (walk + lake lookups)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        stats = process_batch(manifests[0], workers=1)
        seconds["process_batch (total)"] = time.perf_counter() - t0
        for m in manifests[1:]:  # only the first batch is profiled; the rest is left unstaged
            Path(m).unlink()
        t0 = time.perf_counter()
        validate_and_commit(settings, run_id, validator=validator)
        seconds["validate_and_commit (total)"] = time.perf_counter() - t0
        builder.build(settings.lake, settings.warehouse, force=True)  # through the module: the timed one
    mb = stats.get("chars", 0) / 1e6
    print(f"\n== profile of one batch: {stats.get('documents', 0)} documents, {mb:.2f} M chars, "
          f"{stats.get('events', 0)} events (one process; Great Expectations import + context {t_import:.2f} s)")
    extract_total = seconds.get("extract (events.extract)", 0.0)
    seconds["  assembly (rest of events.extract)"] = extract_total - sum(seconds.get(label, 0.0) for label in EXTRACT_PARTS)
    order = ["plan (walk + lake lookups)", "process_batch (total)"] + list(dict.fromkeys(
        label for label, *_ in STAGES if not label.startswith(("validation", "Data Docs", "commit", "warehouse"))))
    order.insert(order.index("row building"), "  assembly (rest of events.extract)")
    order += ["validate_and_commit (total)", "validation (Great Expectations)", "Data Docs", "commit", "warehouse build"]
    for label in order:
        secs = seconds.get(label, 0.0)
        rate = f"{mb / secs:7.2f} M chars/s" if secs and mb else ""
        print(f"  {label:<38} {secs:8.3f} s  {rate}")
