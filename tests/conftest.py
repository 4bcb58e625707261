"""Test-wide setup: a throwaway Airflow home (SQLite) and no network calls from Great Expectations."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

_AIRFLOW_HOME = tempfile.mkdtemp(prefix="timeline-airflow-")
os.environ["AIRFLOW_HOME"] = _AIRFLOW_HOME
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
for var in ("TIMELINE_SOURCES", "TIMELINE_LAKE", "TIMELINE_WAREHOUSE", "TIMELINE_REPORTS"):
    os.environ.pop(var, None)
os.environ["TIMELINE_INBOX"] = os.path.join(_AIRFLOW_HOME, "inbox")  # never the checkout's own inbox
if str(ROOT / "dags") not in sys.path:
    sys.path.insert(0, str(ROOT / "dags"))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "sources"
    shutil.copytree(SEEDS, dest)
    return dest


@pytest.fixture(scope="session")
def validator():
    """One Great Expectations context for the session (importing GX takes seconds)."""
    from transforms.quality.validate import Validator

    return Validator(ROOT / "expectations")


# Tests that start Airflow, Great Expectations, a browser, a build or `timeline run` subprocesses:
# `pytest -m "not slow"` runs the unit tests alone (seconds).
SLOW_MODULES = {"test_end_to_end", "test_faults", "test_dags", "test_package", "test_bad_input", "test_background"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (item.module.__name__ in SLOW_MODULES or "validator" in getattr(item, "fixturenames", ())
                or "chromium" in item.name):
            item.add_marker(pytest.mark.slow)
