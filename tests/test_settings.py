"""Settings: one object for every variable; the README's configuration table and layout match the code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from transforms import settings as settings_mod
from transforms.settings import Settings, SettingsError

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_configuration_table_is_the_settings_table():
    assert settings_mod.markdown_table() in README


def test_every_timeline_variable_in_the_code_is_a_setting():
    documented = {env for env, _, _ in settings_mod.VARIABLES} | {"TIMELINE_HOME"}
    used = set()
    for path in list((ROOT / "transforms").rglob("*.py")) + list((ROOT / "dags").glob("*.py")):
        used |= set(re.findall(r"\bTIMELINE_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert used <= documented


def test_only_the_settings_module_reads_the_environment():
    readers = [p.relative_to(ROOT).as_posix() for p in (ROOT / "transforms").rglob("*.py")
               if "os.environ" in p.read_text(encoding="utf-8")]
    assert readers == ["transforms/settings.py"]


def test_defaults_and_overrides(tmp_path: Path):
    env = {"TIMELINE_HOME": str(tmp_path), "TIMELINE_BATCH_SIZE": "7", "TIMELINE_SOURCES": f"a{':'}b",
           "TIMELINE_MAX_DOC_MB": "0.5"}
    s = Settings.from_env(env)
    assert s.sources == (tmp_path / "a", tmp_path / "b")
    assert s.lake == tmp_path / "lake" and s.warehouse == tmp_path / "warehouse" / "timeline.duckdb"
    assert (s.batch_size, s.max_doc_bytes, s.workers, s.schedule) == (7, 500_000, 0, "@daily")
    run = Settings.from_params({"lake": "/x/lake", "sources": "/x/src", "workers": 3, "batch_size": 99}, env)
    assert (run.lake, run.sources, run.workers) == (Path("/x/lake"), (Path("/x/src"),), 3)
    assert run.batch_size == 99  # a per-run setting (timeline run passes its own)
    assert Settings.from_params(run.as_params(), env) == run
    for empty in ({"sources": []}, {"sources": [""]}, {"lake": ""}, {"warehouse": "  "}):  # an unset variable
        with pytest.raises(SettingsError, match="is empty"):
            Settings.from_params(empty, env)


def test_readme_layout_names_every_stage_package():
    block = README[README.index("## Layout"):]
    block = block[:block.index("```", block.index("```") + 3)]
    packages = sorted(p.parent.name for p in (ROOT / "transforms").glob("*/__init__.py"))
    listed = sorted(re.findall(r"^  (\w+)/", block, flags=re.M))
    assert listed == packages


def test_command_line_paths_are_relative_to_the_current_folder(tmp_path: Path, monkeypatch):
    import argparse

    from transforms.orchestration.cli import command_line_params

    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(source=["src", "/abs/feeds"], lake="lake", warehouse=None, reports="out/r")
    assert command_line_params(args) == {"sources": [str(tmp_path / "src"), "/abs/feeds"],
                                         "lake": str(tmp_path / "lake"), "reports": str(tmp_path / "out" / "r")}


@pytest.mark.parametrize("option", ["--source", "--lake", "--warehouse", "--reports"])
def test_an_empty_path_option_is_one_clear_line(option, tmp_path: Path, monkeypatch, capsys):
    """`--source "$UNSET"` read the current folder into the lake (hostile run)."""
    import argparse

    from transforms.orchestration.cli import cmd_run

    monkeypatch.chdir(tmp_path)
    args = argparse.Namespace(source=None, lake=None, warehouse=None, reports=None, verbose=False)
    setattr(args, option[2:], [""] if option == "--source" else " ")
    assert cmd_run(args) == 2
    assert capsys.readouterr().out.strip() == f"timeline: {option} is empty (an unset variable?)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("env,message", [
    ({"TIMELINE_MAX_DOC_MB": "abc"}, "TIMELINE_MAX_DOC_MB='abc' is not a number"),
    ({"TIMELINE_BATCH_SIZE": "-1"}, "TIMELINE_BATCH_SIZE='-1' must be at least 0"),
    ({"TIMELINE_MAX_DOC_MB": "-1"}, "TIMELINE_MAX_DOC_MB='-1' must be at least 0.001"),
    ({"TIMELINE_MAX_DOC_MB": "nan"}, "TIMELINE_MAX_DOC_MB='nan' is not a finite number"),  # passed every check
    ({"TIMELINE_WORKERS": "1000"}, "TIMELINE_WORKERS='1000' must be at most 128"),  # forked a thousand processes
    ({"TIMELINE_INBOX_POLL": "inf"}, "TIMELINE_INBOX_POLL='inf' is not a finite number"),
    ({"TIMELINE_BUILD_MEMORY": "lots"},                       # failed only after the lake was committed
     "TIMELINE_BUILD_MEMORY='lots' is not a DuckDB memory size such as 448MB, 1GB or 50%"),
    ({"TIMELINE_SCHEDULE": "garbage"}, "TIMELINE_SCHEDULE='garbage' is not a cron expression or one of "
                                       "@hourly, @daily, @weekly, @monthly, @quarterly, @yearly, @annually"),
])
def test_a_bad_setting_is_one_clear_line(env, message, monkeypatch, capsys):
    from transforms.orchestration.cli import main

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert main(["extract", "--dct", "2024-01-01", "-"]) == 2
    assert capsys.readouterr().err.strip() == f"timeline: {message}"


@pytest.mark.parametrize("name, value", [("TIMELINE_BUILD_MEMORY", "512 MB"), ("TIMELINE_BUILD_MEMORY", "1.5GiB"),
                                         ("TIMELINE_BUILD_MEMORY", "80%"), ("TIMELINE_SCHEDULE", "0 3 * * 1-5"),
                                         ("TIMELINE_SCHEDULE", "@hourly")])
def test_good_formats_pass(name, value):
    from transforms.settings import Settings

    Settings.from_env({name: value})


def test_extract_says_what_is_wrong_in_one_line(tmp_path: Path, capsys):
    from transforms.orchestration.cli import main

    assert main(["extract", str(tmp_path / "missing.txt")]) == 2
    assert "timeline: cannot read" in capsys.readouterr().err
    assert main(["extract", "--dct", "2024-13-01", "-"]) == 2
    assert capsys.readouterr().err.strip() == "timeline: --dct '2024-13-01' is not a date (YYYY-MM-DD)"
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("été: March 3, 2020".encode("cp1252"))
    assert main(["extract", str(latin)]) == 0
    assert "2020-03-03" in capsys.readouterr().out
