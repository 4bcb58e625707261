"""Great Expectations made ready beside an in-process run, on the other core.

`timeline run` executes the DAGs in one process, whose first seconds go to Airflow's start-up (one core
busy). ``start(expectations_dir, workers)`` forks the workers (as many as the run's, at most WORKERS), which import
Great Expectations meanwhile and open the project, one after the other; ``validator_for(expectations_dir)`` then
returns a validator that runs in them (each reads the staged part files it is given; the run keeps
``in_flight`` groups validating at once) and builds the Data Docs there without making the run wait;
``finish()`` waits for the Data Docs and ends the workers. Where ``start`` was not called — a task under a
scheduler — ``validator_for`` returns the usual in-process ``Validator``. If a worker dies, validation falls
back to an in-process ``Validator``: the run is slower, never wrong.
"""
from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

log = logging.getLogger("timeline.validate")

WORKERS = 2  # 100k documents on two cores: validation 10.1 s with one worker; 7.1 s with two (same code otherwise)
_pool: ProcessPoolExecutor | None = None
_size = 1  # the workers started
_project: Path | None = None
_pending: list[Future] = []
_validator = None  # in the worker: the project's Validator; in the run: the fallback, once needed


def start(expectations_dir: Path, workers: int = 0) -> None:
    """Fork the workers (at most ``workers``, the run's worker setting; 0: one per core) and let them load
    Great Expectations now (call before the run's heavy start-up)."""
    global _pool, _project, _size
    import multiprocessing

    _project = Path(expectations_dir).resolve()
    _size = max(1, min(WORKERS, workers or os.cpu_count() or 1))
    ctx = multiprocessing.get_context("fork")
    _pool = ProcessPoolExecutor(_size, mp_context=ctx, initializer=_load,
                                initargs=(os.getpid(), str(_project), ctx.Lock()))
    _pool.submit(_loaded)  # the executor forks its workers on the first task


def validator_for(expectations_dir: Path):
    """The validator a run uses: the started worker's for its project, else an in-process one."""
    if _pool is not None and Path(expectations_dir).resolve() == _project:
        return _InWorker()
    from transforms.quality.validate import Validator

    return Validator(expectations_dir)


def finish() -> list[str]:
    """Wait for the Data Docs the worker is building and end it; returns the errors (empty: all built)."""
    global _pool, _project, _validator
    errors = []
    for future in _pending:
        try:
            future.result()
        except Exception as exc:  # noqa: BLE001 - reported by the caller, after the run's results
            errors.append(f"{type(exc).__name__}: {exc}")
    _pending.clear()
    if _pool is not None:
        _pool.shutdown()
    _pool, _project, _validator = None, None, None
    return errors


class _InWorker:
    @property
    def in_flight(self) -> int:
        """Groups of parts the run keeps validating at once: one per worker."""
        return _size

    def submit_parts(self, files, drop_docs=frozenset(), run_name: str | None = None) -> Future:
        """Validation of staged part files, started in the worker (which reads them itself: the run never
        holds the validated tables); if the worker has died, done here before returning."""
        try:
            return _pool.submit(_validate_parts, files, drop_docs, run_name)
        except BrokenProcessPool:
            future: Future = Future()
            future.set_result(self.validate_parts(files, drop_docs, run_name))
            return future

    def validate_parts(self, files, drop_docs=frozenset(), run_name: str | None = None):
        try:
            return _pool.submit(_validate_parts, files, drop_docs, run_name).result()
        except BrokenProcessPool:
            return _fallback().validate_parts(files, drop_docs, run_name=run_name)

    def validate_batch(self, tables, run_name: str | None = None):
        try:
            return _pool.submit(_validate, tables, run_name).result()
        except BrokenProcessPool:
            return _fallback().validate_batch(tables, run_name=run_name)

    def build_docs(self, run_name: str | None = None) -> None:
        """Started in the worker; ``finish()`` waits for it."""
        try:
            _pending.append(_pool.submit(_docs, run_name))
        except BrokenProcessPool:
            _fallback().build_docs(run_name)


def _fallback():
    global _validator
    if _validator is None:
        from transforms.quality.validate import Validator

        log.warning("the validation worker died; validating in this process")
        _validator = Validator(_project)
    return _validator


# --- in the worker ------------------------------------------------------------------------------------

def _load(parent: int, project: str, one_at_a_time) -> None:
    global _validator
    from transforms.orchestration.processes import forked_worker

    forked_worker(parent)
    with one_at_a_time:  # the workers load in turn: together they would slow the run's start-up on the other core
        from transforms.quality.validate import Validator

        _validator = Validator(Path(project))


def _loaded() -> bool:
    return _validator is not None


def _validate_parts(files, drop_docs, run_name):
    return _validator.validate_parts(files, drop_docs, run_name=run_name)


def _validate(tables, run_name):
    return _validator.validate_batch(tables, run_name=run_name)


def _docs(run_name):
    return str(_validator.build_docs(run_name))
