"""The deployment files, checked without Docker (not available on the development machine): the compose
file's services, shared volume and settings; the Dockerfile's base image and install step, which must be
the install that benchmarks/celery_demo.sh runs."""
from __future__ import annotations

import re
import shlex
import tomllib

import pytest
import yaml

from conftest import ROOT

AIRFLOW_SERVICES = {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker",
                    "airflow-triggerer", "airflow-init"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))


def pip_install_args(text: str) -> list[str]:
    """The arguments of the one `pip install` in a Dockerfile or shell script, options (--x) dropped."""
    found = [m for line in text.splitlines() if not line.lstrip().startswith("#")
             for m in re.findall(r'pip"? install ([^)\n]*)', line)]
    assert len(found) == 1, found
    return [w for w in shlex.split(found[0]) if not w.startswith("--")]


def test_compose_has_the_celery_stack(compose):
    assert set(compose["services"]) == AIRFLOW_SERVICES | {"postgres", "redis"}
    commands = {name: compose["services"][name].get("command") for name in AIRFLOW_SERVICES - {"airflow-init"}}
    assert commands == {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                        "airflow-dag-processor": "dag-processor", "airflow-worker": "celery worker",
                        "airflow-triggerer": "triggerer"}


def test_every_airflow_service_shares_the_data_volume_and_settings(compose):
    assert set(compose["volumes"]) == {"postgres-db-volume", "airflow-logs", "timeline-data"}
    for name in AIRFLOW_SERVICES:
        svc = compose["services"][name]
        assert "timeline-data:/data" in svc["volumes"], name
        env = svc["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/", name
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW_JWT_SECRET:?"), name
        assert {k: v for k, v in env.items() if k in ("TIMELINE_SOURCES", "TIMELINE_LAKE", "TIMELINE_WAREHOUSE",
                                                      "TIMELINE_REPORTS", "TIMELINE_INBOX")} == {
            "TIMELINE_SOURCES": "/data/sources", "TIMELINE_LAKE": "/data/lake", "TIMELINE_INBOX": "/data/inbox",
            "TIMELINE_WAREHOUSE": "/data/warehouse/timeline.duckdb", "TIMELINE_REPORTS": "/data/reports"}, name
        assert svc["build"] == "." and svc["image"].startswith("${TIMELINE_IMAGE_NAME:-"), name
    for name in ("postgres", "redis"):
        assert "timeline-data:/data" not in compose["services"][name].get("volumes", []), name


def test_workers_scale_and_only_loopback_is_published(compose):
    worker = compose["services"]["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker
    published = {name: svc["ports"] for name, svc in compose["services"].items() if "ports" in svc}
    assert published == {"airflow-apiserver": ["127.0.0.1:8080:8080"]}


def test_dockerfile_base_image_matches_the_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    airflow = next(d.split("==")[1] for d in project["dependencies"] if d.startswith("apache-airflow=="))
    python = re.fullmatch(r">=(\d+\.\d+),<\d+\.\d+", project["requires-python"]).group(1)
    froms = re.findall(r"^FROM (\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert froms == [f"apache/airflow:{airflow}-python{python}"]


def test_dockerfile_installs_what_the_celery_demo_installs():
    docker = pip_install_args((ROOT / "Dockerfile").read_text())
    demo = pip_install_args((ROOT / "benchmarks" / "celery_demo.sh").read_text())
    assert docker == demo == ["-e", ".[celery]"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(d.startswith("apache-airflow-providers-celery==") for d in extras["celery"])


def test_dockerfile_dags_folder_is_the_projects():
    text = (ROOT / "Dockerfile").read_text()
    assert "COPY --chown=airflow:0 . /opt/event-timeline" in text
    assert "AIRFLOW__CORE__DAGS_FOLDER=/opt/event-timeline/dags" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "lake", "warehouse/*.duckdb*"} <= set(ignored)
