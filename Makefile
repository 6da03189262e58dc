# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint serve clean eval-coach train-coach

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/retrust demo --port $${PORT:-8000}

# The suite runs on every core (pytest-xdist), each test module whole in one process so that
# its data is built once; PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check retrust tests bench
	$(BIN)/ruff format --check retrust tests bench
	$(BIN)/mypy

serve: $(STAMP)
	$(BIN)/retrust serve --port $${PORT:-8000}

# The coach's per-label and macro F1 on its corpus, and the VADER baseline (docs/benchmarks.md).
eval-coach: $(STAMP)
	$(BIN)/python -m retrust.coach.evaluate

# Retrain the coach's learned layer from its training splits into retrust/coach/data/model.json
# (scikit-learn, a dev dependency; deterministic). The product reads that file, never sklearn.
train-coach: $(STAMP)
	$(BIN)/python -m retrust.coach.train

clean:
	rm -rf $(VENV) var/*.sqlite3*
