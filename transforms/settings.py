"""Configuration: environment variables with local defaults (no credentials, no services needed).

| variable                 | default                                  |
|--------------------------|------------------------------------------|
| TIMELINE_SOURCES         | <project>/seeds  (os.pathsep-separated)  |
| TIMELINE_LAKE            | <project>/lake                           |
| TIMELINE_WAREHOUSE       | <project>/warehouse/timeline.duckdb      |
| TIMELINE_EXPECTATIONS    | <project>/expectations                   |
| TIMELINE_REPORTS         | <project>/reports                        |
| TIMELINE_BATCH_SIZE      | 200 files per extraction task            |
| TIMELINE_MAX_DOC_MB      | 20 (larger files are quarantined)        |
| TIMELINE_SCHEDULE        | @daily (the ingest DAG's schedule)       |
| TIMELINE_WORKERS         | 1 (`timeline run`: all cores)            |
| TIMELINE_PARALLEL_BATCHES| 4 mapped extract tasks at once           |
| TIMELINE_BUILD_MEMORY    | 1GB DuckDB buffer pool for the build     |
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _path(var: str, default: Path) -> Path:
    return Path(os.environ.get(var) or default).expanduser().resolve()


@dataclass(frozen=True)
class Settings:
    sources: tuple[Path, ...] = field(default_factory=tuple)
    lake: Path = PROJECT_ROOT / "lake"
    warehouse: Path = PROJECT_ROOT / "warehouse" / "timeline.duckdb"
    expectations: Path = PROJECT_ROOT / "expectations"
    reports: Path = PROJECT_ROOT / "reports"
    batch_size: int = 200
    max_doc_bytes: int = 20_000_000

    @classmethod
    def from_env(cls) -> Settings:
        raw = os.environ.get("TIMELINE_SOURCES")
        sources = [s for s in raw.split(os.pathsep) if s] if raw else [str(PROJECT_ROOT / "seeds")]
        return cls(
            sources=tuple(Path(s).expanduser().resolve() for s in sources),
            lake=_path("TIMELINE_LAKE", PROJECT_ROOT / "lake"),
            warehouse=_path("TIMELINE_WAREHOUSE", PROJECT_ROOT / "warehouse" / "timeline.duckdb"),
            expectations=_path("TIMELINE_EXPECTATIONS", PROJECT_ROOT / "expectations"),
            reports=_path("TIMELINE_REPORTS", PROJECT_ROOT / "reports"),
            batch_size=int(os.environ.get("TIMELINE_BATCH_SIZE", "200")),
            max_doc_bytes=int(float(os.environ.get("TIMELINE_MAX_DOC_MB", "20")) * 1_000_000),
        )

    @classmethod
    def from_params(cls, params: dict | None) -> Settings:
        """Environment defaults, overridden by a DAG run's params/conf (sources, lake, warehouse)."""
        settings = cls.from_env()
        params = params or {}
        changes: dict = {}
        if params.get("sources"):
            srcs = params["sources"]
            srcs = [srcs] if isinstance(srcs, str) else srcs
            changes["sources"] = tuple(Path(s).expanduser().resolve() for s in srcs)
        for key in ("lake", "warehouse", "reports"):
            if params.get(key):
                changes[key] = Path(params[key]).expanduser().resolve()
        return replace(settings, **changes)

    def as_params(self) -> dict:
        return {"sources": [str(s) for s in self.sources], "lake": str(self.lake),
                "warehouse": str(self.warehouse), "reports": str(self.reports)}
