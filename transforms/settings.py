"""Every setting of the pipeline in one place: environment variables with local defaults.

This is the only module that reads the environment. ``Settings.from_env()`` reads the ``TIMELINE_*``
variables; a DAG run's params / conf override the per-run ones (``from_params``). ``VARIABLES`` lists
each variable with its default and meaning; the README's configuration table is rendered from it
(``markdown_table()``; a test keeps the two equal).

Relative paths resolve against ``TIMELINE_HOME``: by default the project checkout when the package runs
from one, else the current folder.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
CHECKOUT = PACKAGE_ROOT.parent if (PACKAGE_ROOT.parent / "pyproject.toml").exists() else None


def _setting(env: str, default: str, meaning: str, per_run: bool = False):
    return field(metadata={"env": env, "default": default, "meaning": meaning, "per_run": per_run})


def home(env=os.environ) -> Path:
    """The folder relative defaults resolve against."""
    raw = env.get("TIMELINE_HOME")
    return Path(raw).expanduser().resolve() if raw else (CHECKOUT or Path.cwd())


@dataclass(frozen=True)
class Settings:
    sources: tuple[Path, ...] = _setting("TIMELINE_SOURCES", "seeds/", "source folders, separated by `:`", True)
    lake: Path = _setting("TIMELINE_LAKE", "lake/", "Parquet lake folder (local or shared POSIX path)", True)
    warehouse: Path = _setting("TIMELINE_WAREHOUSE", "warehouse/timeline.duckdb", "the published DuckDB file", True)
    reports: Path = _setting("TIMELINE_REPORTS", "reports/", "where run reports are written", True)
    inbox: Path = _setting("TIMELINE_INBOX", "inbox/", "drop folder watched by the ingest DAG: files put here, then a "
                           "`READY` marker, are ingested at once and moved to `<first source>/inbox-archive/`", True)
    workers: int = _setting("TIMELINE_WORKERS", "0", "processes sharing one batch; 0 = every core under `timeline run`, "
                            "1 in scheduled tasks (the mapped tasks are the parallelism there)", True)
    worker_min_kb: int = _setting("TIMELINE_WORKER_MIN_KB", "256", "text (KB) a batch needs per forked worker: a "
                                  "smaller batch uses fewer workers, down to one process (forking costs more than "
                                  "it saves on a small batch)")
    expectations: Path = _setting("TIMELINE_EXPECTATIONS", "expectations/",
                                  "the Great Expectations project (suites, Data Docs)")
    batch_size: int = _setting("TIMELINE_BATCH_SIZE", "0", "files per extraction task (one mapped task per batch); "
                               "0 = 5,000 per worker under `timeline run` (few large batches, each split over the "
                               "cores), 200 in scheduled runs (many tasks to spread)", True)
    parallel_batches: int = _setting("TIMELINE_PARALLEL_BATCHES", "4",
                                     "mapped extraction tasks running at once per DAG run")
    max_doc_mb: float = _setting("TIMELINE_MAX_DOC_MB", "20", "larger files are quarantined")
    schedule: str = _setting("TIMELINE_SCHEDULE", "@daily", "time schedule of the ingest DAG, a cron expression or "
                             "preset (it also runs whenever the inbox's `READY` marker appears)")
    inbox_poll: float = _setting("TIMELINE_INBOX_POLL", "2", "seconds between the triggerer's looks for the inbox marker")
    build_memory: str = _setting("TIMELINE_BUILD_MEMORY", "416MB",
                                 "DuckDB buffer pool while building the warehouse, in a process of its own (lower = "
                                 "less memory, slower: on 100k documents the build peaks at 0.58 GB in 12.6 s with "
                                 "384MB, 0.62 GB in 11.6 s with 416MB, 0.65 GB in 11.1 s with 448MB, 0.71 GB in "
                                 "10.3 s with 512MB, 1.19 GB in 9.3 s with 1GB; with the default, the run's peak is "
                                 "0.55 GB at 10k documents (the run's own process) and about 0.61 GB at 100k (the "
                                 "build). Too small a pool fails with DuckDB's out-of-memory message and nothing is "
                                 "published: 64MB on 10k documents, 128MB on 100k, where 256MB works in 16.8 s)")
    airflow_home: Path = _setting("AIRFLOW_HOME", ".airflow/", "Airflow's home for `timeline run` (SQLite metadata db, logs)")

    @property
    def max_doc_bytes(self) -> int:
        return int(self.max_doc_mb * 1_000_000)

    @classmethod
    def from_env(cls, env=os.environ) -> Settings:
        base = home(env)
        values = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"]) or f.metadata["default"]
            values[f.name] = _parse(f.name, raw, base)
        return cls(**values)

    @classmethod
    def from_params(cls, params: dict | None, env=os.environ) -> Settings:
        """Environment defaults, overridden by a DAG run's params/conf (the per-run settings only)."""
        settings, base = cls.from_env(env), home(env)
        given = {f.name: (params or {}).get(f.name) for f in fields(cls) if f.metadata["per_run"]}
        for name, value in given.items():
            values = value if isinstance(value, list) else [value]
            if value is not None and (value == [] or any(isinstance(v, str) and not v.strip() for v in values)):
                raise SettingsError(f"the run's {name!r} is empty (an unset variable?)")  # not: the default
        return replace(settings, **{k: _parse(k, v, base) for k, v in given.items() if v is not None})

    def as_params(self) -> dict:
        """The per-run settings as a DAG run conf (JSON)."""
        out = {}
        for f in fields(self):
            if f.metadata["per_run"]:
                v = getattr(self, f.name)
                out[f.name] = [str(p) for p in v] if f.name == "sources" else (str(v) if isinstance(v, Path) else v)
        return out


class SettingsError(ValueError):
    """A setting's value cannot be used (the message names the variable)."""


MINIMUM = {"batch_size": 0, "parallel_batches": 1, "workers": 0, "worker_min_kb": 0,
          "max_doc_mb": 0.001, "inbox_poll": 0.1}
# a bound on forks per batch (each worker holds the extractor, ~60 MB): absolute, since the settings are also
# read on machines other than the one that forks (a scheduler parsing the DAGs)
MAXIMUM = {"workers": 128}


def _valid_schedule(value: str) -> bool:
    if value.strip() in CRON_PRESETS:
        return True  # the default: no parser imported at DAG parse time
    from croniter import croniter  # Airflow's own cron parser (75 ms to import)

    return croniter.is_valid(value)


CRON_PRESETS = ("@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually")
# string settings checked before any work starts (a bad value used to fail after the lake was committed)
_FORMATS = {
    "build_memory": (re.compile(r"\s*\d+(?:\.\d+)?\s*(?:%|[KMGT]i?B|B)\s*", re.IGNORECASE).fullmatch,
                     "a DuckDB memory size such as 448MB, 1GB or 50%"),
    "schedule": (_valid_schedule, f"a cron expression or one of {', '.join(CRON_PRESETS)}"),
}


def _parse(name: str, raw, base: Path):
    def path(p) -> Path:
        p = Path(p).expanduser()
        return (p if p.is_absolute() else base / p).resolve()

    if name == "sources":
        items = raw.split(os.pathsep) if isinstance(raw, str) else list(raw)
        return tuple(path(s) for s in items if s)
    kind = Settings.__annotations__[name]
    if kind == "Path":
        return path(raw)
    env = next(f.metadata["env"] for f in fields(Settings) if f.name == name)
    if kind not in ("int", "float"):
        if name in _FORMATS and not _FORMATS[name][0](str(raw)):
            raise SettingsError(f"{env}={raw!r} is not {_FORMATS[name][1]}")
        return str(raw)
    try:
        value = int(raw) if kind == "int" else float(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{env}={raw!r} is not a{'n integer' if kind == 'int' else ' number'}") from None
    if not math.isfinite(value):
        raise SettingsError(f"{env}={raw!r} is not a finite number")
    if value < MINIMUM.get(name, value):
        raise SettingsError(f"{env}={raw!r} must be at least {MINIMUM[name]}")
    if value > MAXIMUM.get(name, value):
        raise SettingsError(f"{env}={raw!r} must be at most {MAXIMUM[name]}")
    return value


VARIABLES = [(f.metadata["env"], f.metadata["default"], f.metadata["meaning"]) for f in fields(Settings)]


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{env}` | `{default}` | {meaning} |" for env, default, meaning in VARIABLES]
    rows.append("| `TIMELINE_HOME` | the checkout, else the current folder | what relative paths above resolve against |")
    return "\n".join(rows)


def process_environment(settings: Settings, dags_folder: Path) -> Path:
    """Environment for an in-process Airflow run and for Great Expectations (set only where unset);
    returns the DAG folder Airflow will read."""
    os.environ.setdefault("AIRFLOW_HOME", str(settings.airflow_home))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(dags_folder))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    quiet_gx()
    return Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])


def quiet_gx() -> None:
    """Great Expectations sends usage analytics unless told not to."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
