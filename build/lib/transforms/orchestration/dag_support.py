"""Assets and run parameters shared by the DAGs in dags/ (wiring only; the one module here that imports Airflow)."""
from __future__ import annotations

from airflow.sdk import Asset, Param, get_current_context

from transforms.settings import Settings

DEFAULTS = Settings.from_env()
LAKE = Asset(name="timeline_lake", uri=DEFAULTS.lake.as_uri())
WAREHOUSE = Asset(name="timeline_warehouse", uri=DEFAULTS.warehouse.as_uri())


def run_params(*keys: str) -> dict:
    """DAG params with the environment's defaults; a run's conf overrides them (`timeline run` does)."""
    described = {"sources": ("array", "source folders"), "lake": ("string", "Parquet lake folder"),
                 "warehouse": ("string", "DuckDB warehouse file"), "reports": ("string", "report folder"),
                 "workers": ("integer", "processes sharing one batch (0 = 1 in a scheduled task)")}
    defaults = DEFAULTS.as_params()
    return {k: Param(defaults[k], type=described[k][0], description=described[k][1]) for k in keys}


def settings() -> Settings:
    """The settings of the running task: environment defaults, overridden by the run's params and, in
    an Asset-triggered run, by the paths the producing run recorded on its Asset event."""
    context = get_current_context()
    params = dict(context["params"])
    for events in (context.get("triggering_asset_events") or {}).values():
        for event in events:
            params.update({k: v for k, v in (event.extra or {}).items() if k in ("lake", "warehouse", "reports")})
    return Settings.from_params(params)


def announce(asset: Asset, s: Settings) -> None:
    """Record the run's paths on the Asset event, so the runs it triggers use the same lake/warehouse."""
    get_current_context()["outlet_events"][asset].extra = s.as_params()
