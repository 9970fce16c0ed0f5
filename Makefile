# Two commands do all the set-up on a fresh machine with python3 (3.11+) and make:
#   make report   -> creates .venv if missing, installs the project, runs every notebook
#   make test     -> same bootstrap, then the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: report test test-fast lab benchmark clean-reports venv git-filter

venv: $(STAMP)

# Notebook outputs never reach git: a clean filter (analysis/nbfilter.py, named in .gitattributes)
# strips what a run or the Lab saved. Installed into this checkout's git config by every target below;
# set ANALYSIS_NO_GIT_FILTER=1 to leave git's configuration alone.
git-filter: $(STAMP)
	@if [ -z "$$ANALYSIS_NO_GIT_FILTER" ] && git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(BIN)/python -m analysis.nbfilter --install $(BIN)/python; fi

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

report: $(STAMP) git-filter
	$(BIN)/python -m analysis report $(ARGS)

# the suite on every core (pytest-xdist hands tests out one by one) with the slowest tests listed
test: $(STAMP) git-filter
	$(BIN)/python -m pytest -n auto --durations=15 $(ARGS)

test-fast: $(STAMP) git-filter
	$(BIN)/python -m pytest -m "not notebooks" $(ARGS)

lab: $(STAMP) git-filter
	$(BIN)/python -m analysis lab $(ARGS)

benchmark: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/throughput_speed.py
	$(BIN)/python benchmarks/capex_speed.py
	$(BIN)/python benchmarks/report_speed.py
	$(BIN)/python benchmarks/sweep_speed.py

clean-reports:
	rm -rf reports
