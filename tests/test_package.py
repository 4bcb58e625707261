"""The installable package carries everything a task needs (no checkout required on a worker)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out, src = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("src")
    # build from a copy of what the package is made of: setuptools writes build/ beside the sources
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    junk = shutil.ignore_patterns("__pycache__", "uncommitted", "*.egg-info")
    for folder in ("transforms", "expectations"):
        shutil.copytree(ROOT / folder, src / folder, ignore=junk)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(src)],
                   check=True, capture_output=True, text=True)
    (wheel,) = out.glob("event_timeline-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_wheel_has_the_dags_sql_suites_and_tables(wheel_names):
    expected = {
        "transforms/orchestration/dags/timeline_ingest.py", "transforms/orchestration/dags/timeline_warehouse.py",
        "transforms/quality/gx_project/great_expectations.yml", "transforms/temporal/resources.toml",
    }
    expected |= {f"transforms/warehouse/sql/{p.name}" for p in (ROOT / "transforms/warehouse/sql").glob("*.sql")}
    expected |= {f"transforms/knowledge/{p.name}" for p in (ROOT / "transforms/knowledge").iterdir()
                 if p.suffix in (".csv", ".toml")}
    for folder in ("expectations", "validation_definitions"):
        expected |= {f"transforms/quality/gx_project/{folder}/{p.name}"
                     for p in (ROOT / "expectations/gx" / folder).glob("*.json")}
    assert expected <= wheel_names, sorted(expected - wheel_names)
    assert not any("/uncommitted/" in n for n in wheel_names)  # no run results in the package


def test_a_fresh_expectations_folder_is_created_from_the_shipped_suites(tmp_path):
    from transforms.quality.validate import ensure_project

    gx_dir = ensure_project(tmp_path / "expectations")
    suites = sorted(p.name for p in (gx_dir / "expectations").glob("*.json"))
    assert suites == ["documents.json", "event_markets.json", "events.json"]
    assert (gx_dir / "expectations" / "events.json").read_bytes() == \
        (ROOT / "expectations/gx/expectations/events.json").read_bytes()
