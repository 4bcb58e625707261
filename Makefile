# Two commands do everything on a fresh machine with Python 3.11:
#   make run   -> create .venv, install, run the pipeline on seeds/ (warehouse/timeline.duckdb + Data Docs)
#   make test  -> create .venv, install, run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export GX_ANALYTICS_ENABLED := false
export AIRFLOW__CORE__LOAD_EXAMPLES := False

.PHONY: setup run test clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]' \
	  || $(BIN)/python -m pip install --quiet -e '.[dev]'
	# byte-compile everything now: with PYTHONDONTWRITEBYTECODE set, every process would recompile
	# Airflow, Great Expectations and pandas from source on import (seconds per process)
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib transforms dags > /dev/null || true
	touch $@

run: setup
	$(BIN)/timeline run

test: setup
	$(BIN)/python -m pytest -q -n auto --dist loadfile; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

clean:
	rm -rf lake reports warehouse/timeline.duckdb warehouse/*.tmp* expectations/gx/uncommitted .airflow build *.egg-info
