# Two commands do all the set-up on a fresh machine with python3 (3.11+) and make:
#   make report   -> creates .venv if missing, installs the project, runs every notebook
#   make test     -> same bootstrap, then the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: report test test-fast lab benchmark clean-reports venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/python -m analysis report $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not notebooks" $(ARGS)

lab: $(STAMP)
	$(BIN)/python -m analysis lab $(ARGS)

benchmark: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/throughput_speed.py
	$(BIN)/python benchmarks/capex_speed.py
	$(BIN)/python benchmarks/report_speed.py
	$(BIN)/python benchmarks/sweep_speed.py

clean-reports:
	rm -rf reports
