"""Assets and run parameters shared by the DAGs in dags/ (wiring only; the one module here that imports Airflow)."""
from __future__ import annotations

import json
from pathlib import Path

from airflow.providers.standard.triggers.file import DirectoryFileDeleteTrigger
from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable, Param, get_current_context

from transforms.ingest.inbox import MARKER
from transforms.settings import Settings, SettingsError

DEFAULTS = Settings.from_env()
# The Assets are logical: their name and URI never depend on the settings (a run records its real paths on
# the Asset event, see settings()). An Asset whose URI followed TIMELINE_LAKE became a second Asset of the
# same name when the setting changed, which Airflow leaves inactive: the run that emits it then failed.
LAKE = Asset(name="timeline.lake", uri="timeline://lake")
WAREHOUSE = Asset(name="timeline.warehouse", uri="timeline://warehouse")
# The inbox: the triggerer watches for its READY marker, consumes it (never an article) and emits an
# event on this Asset, which starts an ingest run at once (transforms.ingest.inbox says the protocol).
INBOX = Asset(name="timeline.inbox", uri="timeline://inbox", watchers=[AssetWatcher(
    name="timeline_inbox_ready", trigger=DirectoryFileDeleteTrigger(
        directory=str(DEFAULTS.inbox), filename=MARKER, poke_interval=DEFAULTS.inbox_poll))])
# The ingest DAG runs on its time schedule (a walk of the source folders) or whenever the inbox is ready.
INGEST_SCHEDULE = AssetOrTimeSchedule(timetable=CronTriggerTimetable(DEFAULTS.schedule, timezone="UTC"), assets=INBOX)


def run_params(*keys: str) -> dict:
    """DAG params with the environment's defaults; a run's conf overrides them (`timeline run` does)."""
    described = {"sources": ("array", "source folders"), "lake": ("string", "Parquet lake folder"),
                 "warehouse": ("string", "DuckDB warehouse file"), "reports": ("string", "report folder"),
                 "workers": ("integer", "processes sharing one batch (0 = 1 in a scheduled task)"),
                 "batch_size": ("integer", "files per extraction task (0 = 200 in a scheduled run)"),
                 "inbox": ("string", "drop folder claimed by every ingest run")}
    defaults = DEFAULTS.as_params()
    return {k: Param(defaults[k], type=described[k][0], description=described[k][1]) for k in keys}


def settings(context=None) -> Settings:
    """The settings of the running task: environment defaults, overridden by the run's params and, in
    an Asset-triggered run, by the paths the producing run recorded on its Asset event."""
    context = context or get_current_context()
    params = dict(context["params"])  # the DAG's params, updated by the run's conf (unknown keys too)
    known = set(DEFAULTS.as_params())  # every per-run setting: `timeline run` gives both DAGs one conf
    unknown = sorted(set(getattr(context.get("dag_run"), "conf", None) or {}) - known)
    if unknown:  # a misspelt key ("srcs") would run on the defaults
        raise SettingsError(f"unknown key{'s' * (len(unknown) > 1)} in the run's conf: {', '.join(unknown)} "
                            f"(the run settings are: {', '.join(sorted(known))})")
    for events in (context.get("triggering_asset_events") or {}).values():
        for event in events:
            params.update({k: v for k, v in (event.extra or {}).items() if k in ("lake", "warehouse", "reports")})
    return Settings.from_params(params)


def started_by(asset: Asset, context=None) -> bool:
    """Whether the running DAG run was started by an event on ``asset`` (and by nothing else)."""
    context = context or get_current_context()
    events = context.get("triggering_asset_events") or {}
    names = {getattr(getattr(e, "asset", None), "name", None) for evs in events.values() for e in evs}
    return names == {asset.name}


FAILURES = "_failures"  # in the lake: one record per failed task try (read by `timeline run`)


def failure_record(lake: Path, dag_id: str, run_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{dag_id}__{run_id}")
    return Path(lake) / FAILURES / f"{safe}.json"


def record_failure(context) -> None:
    """Task failure callback: keep the exception of a failed task beside the lake, so the run's caller
    can say why without reading Airflow's log text."""
    ti, exc = context["ti"], context.get("exception")
    path = failure_record(settings(context).lake, ti.dag_id, ti.run_id)
    record = json.loads(path.read_text()) if path.exists() else {}
    label = ti.task_id if ti.map_index is None or ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"
    record[label] = f"{type(exc).__name__}: {exc}" if exc else "failed"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))


def announce(asset: Asset, s: Settings) -> None:
    """Record the run's paths on the Asset event, so the runs it triggers use the same lake/warehouse."""
    get_current_context()["outlet_events"][asset].extra = s.as_params()


def failure_reason(dag_run, lake: Path) -> str:
    """Which tasks of a DAG run failed (Airflow's task states) and why (what record_failure kept)."""
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState

    with create_session() as session:
        tis = dag_run.get_task_instances(state=[TaskInstanceState.FAILED], session=session)
        failed = sorted(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]" for ti in tis)
    path = failure_record(lake, dag_run.dag_id, dag_run.run_id)
    why = json.loads(path.read_text()) if path.exists() else {}
    if not failed:
        return f"the DAG run ended {dag_run.state}"
    return "; ".join(f"task {t} failed" + (f": {why[t]}" if t in why else "") for t in failed)


def stamp(path: Path) -> int | None:
    """When a file was last replaced (None: it does not exist)."""
    return path.stat().st_mtime_ns if path.exists() else None


def what_was_published(s: Settings, runs_before: set[str], warehouse_stamp: int | None) -> str:
    """What a failed `timeline run` left behind: nothing, a lake commit whose warehouse was not rebuilt, or the
    warehouse too (a failed report after the build)."""
    from transforms.lake import store

    if stamp(s.warehouse) != warehouse_stamp:
        return "after publishing the warehouse"
    new = sorted(set(store.committed_runs(s.lake)) - runs_before)
    if new:
        return f"the lake committed run {new[-1]} but the warehouse was not rebuilt (the next run rebuilds it)"
    return "nothing published"
