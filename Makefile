# `make train` runs the embedded default job; `make test` runs the fast tier of the suite
# (under 8 minutes on 2 cores), `make test-all` every test including those marked slow (what CI
# runs). All create .venv and install the package with the pinned constraints first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
WORKDIR ?= runs/default
# The installers themselves, pinned like everything else (the venv's own pip and setuptools
# vary with the Python that creates it).
SETUP_TOOLS := pip==26.3 setuptools==65.5.0 wheel==0.48.0

.PHONY: train test test-all install clean

install: $(STAMP)

$(STAMP): setup.py constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet $(SETUP_TOOLS)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

train: $(STAMP)
	$(PY) train.py --config=configs/default.py --workdir=$(WORKDIR)

test: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests

test-all: $(STAMP)
	$(PY) -m pytest -q tests

clean:
	rm -rf $(VENV) runs *.egg-info
