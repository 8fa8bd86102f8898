# The two commands of the README: `make run` and `make test`. Everything else is set-up they share.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
# pip installs without compiling the venv's bytecode (most of an install's time, for modules
# never imported); Python writes it as each module is first imported, its default, which some
# machines turn off with PYTHONDONTWRITEBYTECODE.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install index lint bench eval clean

run: install index  ## start the bot (a local chat in the terminal when no token is configured)
	$(PY) -m bot

# One worker more than cores: end-to-end tests spend much of their time waiting on the bot.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install  ## run the whole test suite, on every core
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

install: $(STAMP)

# torch is pinned in pyproject.toml: pip takes the CPU build from this machine's disk.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -e '.[dev]'
	touch $(STAMP)

index: install  ## build the index from seeds/ unless one exists
	$(PY) -c "import sys; from index import IndexSettings, index_exists; sys.exit(0 if index_exists(IndexSettings()) else 1)" \
		|| $(PY) -m index rebuild

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy index bot evaluation

bench: install  ## print measured figures: index build and search, bot reply time, backends
	$(PY) -m benchmarks.index_build
	$(PY) -m benchmarks.bot_latency
	$(PY) -m benchmarks.embedding_backends

RESULTS := benchmarks/results/retrieval.md
eval: install  ## retrieval quality on ../shared/eval; tables appended to $(RESULTS)
	$(PY) -m evaluation --dataset realtimeqa --output $(RESULTS)
	$(PY) -m evaluation --dataset scifact --output $(RESULTS)
	$(PY) -m evaluation --dataset xquad --output $(RESULTS)
	$(PY) -m benchmarks.bold_sentence --dataset xquad

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
