"""Great Expectations loaded in a worker beside an in-process run: same results, and a dead worker only
makes validation slower (it falls back to this process)."""
from __future__ import annotations

import os
import signal
from dataclasses import replace

from transforms.lake import store as lake
from transforms.lake.schema import TABLES
from transforms.orchestration.pipeline import plan, process_batch, validate_and_commit
from transforms.quality import background
from transforms.quality.validate import Validator, data_docs_index
from transforms.settings import Settings

from conftest import ROOT


def staged_run(tmp_path, seeds_copy, run_id: str) -> Settings:
    (seeds_copy / "future.txt").write_text("The colony on Mars will open in 3024, officials said on Monday.\n")
    settings = replace(Settings.from_env(), sources=(seeds_copy,), lake=tmp_path / "lake",
                       inbox=tmp_path / "inbox", expectations=ROOT / "expectations")
    for m in plan(settings, run_id):
        process_batch(m)
    return settings


def test_the_worker_validates_like_this_process_and_builds_the_data_docs(tmp_path, seeds_copy):
    settings = staged_run(tmp_path / "a", seeds_copy, "r1")
    background.start(settings.expectations)
    try:
        assert not isinstance(background.validator_for(settings.expectations), Validator)
        assert isinstance(background.validator_for(tmp_path / "other"), Validator)  # another project: in-process
        in_worker = validate_and_commit(settings, "r1")
    finally:
        assert background.finish() == []
    assert isinstance(background.validator_for(settings.expectations), Validator)  # finished: in-process again
    other = staged_run(tmp_path / "b", seeds_copy, "r2")
    in_process = validate_and_commit(other, "r2")
    keys = ("documents", "events", "quarantine", "rows_quarantined", "duplicates")
    assert {k: in_worker[k] for k in keys} == {k: in_process[k] for k in keys}
    assert lake.committed_runs(settings.lake) == ["r1"]
    assert data_docs_index(settings.expectations).exists()


def test_a_dead_worker_means_validation_in_this_process(tmp_path, seeds_copy):
    settings = staged_run(tmp_path, seeds_copy, "r1")
    background.start(settings.expectations)
    try:
        for pid in background._pool._processes:  # noqa: SLF001 - the test kills the workers on purpose
            os.kill(pid, signal.SIGKILL)
        summary = validate_and_commit(settings, "r1")
    finally:
        background.finish()
    assert summary["documents"] == 5 and lake.committed_runs(settings.lake) == ["r1"]


def test_the_workers_validate_groups_side_by_side(tmp_path, seeds_copy):
    settings = replace(staged_run(tmp_path, seeds_copy, "r1"), expectations=tmp_path / "expectations")
    files = {t: lake.staged_parts(settings.lake, "r1", t) for t in ("documents", "events", "event_markets")}
    background.start(settings.expectations, workers=2)
    try:
        validator = background.validator_for(settings.expectations)
        assert validator.in_flight == len(background._pool._processes) == 2  # noqa: SLF001
        started = [validator.submit_parts(files, run_name="r1") for _ in range(4)]
        assert [len(f.result().row_failures) for f in started] == [0] * 4
    finally:
        assert background.finish() == []


def test_one_worker_when_the_run_has_one(tmp_path):
    background.start(tmp_path / "expectations", workers=1)
    try:
        assert background.validator_for(tmp_path / "expectations").in_flight == 1
        assert len(background._pool._processes) == 1  # noqa: SLF001
    finally:
        assert background.finish() == []


def test_the_data_docs_show_the_results_of_every_process(tmp_path):
    tables = {name: schema.empty_table() for name, schema in TABLES.items()}
    one, other = Validator(tmp_path / "expectations"), Validator(tmp_path / "expectations")  # two workers
    one.validate_batch(tables, run_name="r1")
    other.validate_batch(tables, run_name="r1")
    one.build_docs("r1")
    site = data_docs_index(tmp_path / "expectations").parent / "validations"
    assert len(list(site.glob("events/r1/*"))) == 2  # a page per validation, whichever process ran it


def test_data_docs_render_only_new_results_and_keep_the_newest_runs_even_with_one_name(tmp_path):
    validator = Validator(tmp_path / "expectations")
    tables = {name: schema.empty_table() for name, schema in TABLES.items()}
    site = data_docs_index(tmp_path / "expectations").parent / "validations"
    for _ in range(3):  # three validation runs that share a name (re-runs, tests)
        validator.validate_batch(tables, run_name="r1")
        assert validator.build_docs("r1", keep_runs=2)
        assert validator.build_docs("r1", keep_runs=2) is None  # what was rendered is not rendered again
    runs = {k.run_id.to_tuple() for k in validator.context.validation_results_store.list_keys()}
    assert len(runs) == 2 and {name for name, _ in runs} == {"r1"}
    assert {p.name for p in site.glob("documents/r1/*")} == {time for _, time in runs}
    results = tmp_path / "expectations" / "gx" / "uncommitted" / "validations"
    assert {p.name for p in results.glob("documents/r1/*")} == {time for _, time in runs}  # no empty folders left

