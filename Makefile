# `make train` runs the embedded default job; `make test` runs the fast tier of the suite
# (under 8 minutes on 2 cores), `make test-all` every test including those marked slow (what CI
# runs). `make test-cpu-paths` runs the fast tier under each CPU path TensorFlow can take here:
# oneDNN off (its default on x86 CPUs without AVX512_VNNI / AVX_VNNI / AMX), on, and on with its
# kernels held to AVX2. All create .venv and install the package with the pinned constraints
# first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
WORKDIR ?= runs/default
# The installers themselves, pinned like everything else (the venv's own pip and setuptools
# vary with the Python that creates it).
SETUP_TOOLS := pip==26.3 setuptools==65.5.0 wheel==0.48.0

.PHONY: train test test-all test-cpu-paths install clean

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

CPU_PATHS := "TF_ENABLE_ONEDNN_OPTS=0" "TF_ENABLE_ONEDNN_OPTS=1" \
	"TF_ENABLE_ONEDNN_OPTS=1 ONEDNN_MAX_CPU_ISA=AVX2"

test-cpu-paths: $(STAMP)
	@for path in $(CPU_PATHS); do \
		echo "== make test under $$path"; \
		env $$path $(PY) -m pytest -q -m "not slow" tests || exit 1; \
	done

clean:
	rm -rf $(VENV) runs *.egg-info
