# `make demo` and `make test` work on a fresh machine with Python 3.11, make and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

AIRFLOW_VENV := .venv-airflow

.PHONY: demo test lint format clean cron postgres chromium bench airflow-venv screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	touch $(VENV)/.installed $@

# Airflow 3 and this package (editable, so its tasks import dagster_core) in a venv of their own,
# pinned by constraints-airflow.txt; tests/airflow run DAGs with its `airflow`. Reused when built.
$(AIRFLOW_VENV)/.installed: pyproject.toml constraints-airflow.txt
	test -x $(AIRFLOW_VENV)/bin/python || $(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet -c constraints-airflow.txt -e '.[airflow]'
	touch $@

airflow-venv: $(AIRFLOW_VENV)/.installed

demo: $(VENV)/.installed
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster pipeline execute \
		-f examples/hello_pipeline.py -n hello_pipeline -e examples/hello_pipeline.yaml

# Schedules fire through the system's cron: install it where missing (as root, as on these
# machines) and start its daemon when none runs; both checks are cheap, so every test run does them.
cron:
	@command -v crontab >/dev/null && command -v pgrep >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		 apt-get install -y -qq --no-install-recommends cron procps >/dev/null)
	@pgrep -x cron >/dev/null || cron

# The web UI tests drive Debian's chromium with Playwright (which cannot download its own
# browser here): install the package where missing, as for cron.
chromium:
	@command -v chromium >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		 apt-get install -y -qq --no-install-recommends chromium >/dev/null)

# The storage tests need PostgreSQL on 127.0.0.1:5432: find it, or start this machine's cluster.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
		(command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1 && \
		 pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n 1) main start) || \
		echo "PostgreSQL is not running on 127.0.0.1:5432: its tests skip (and fail under CI=true)"

# Two workers, a test module at a time; then the crontab tests, one at a time.
test: $(VENV)/.installed-test $(AIRFLOW_VENV)/.installed cron postgres chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not crontab"
	$(BIN)/python -m pytest -m crontab

# The web UI's screenshots in docs/images, taken by its browser tests.
screenshots: $(VENV)/.installed-test chromium
	DAGSTER_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/webui

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The throughput suite; e.g. `make bench BENCH_ARGS="--quick --only wide,chain"`.
bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) .dagster_home
