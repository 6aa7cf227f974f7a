# The two set-up commands of the README. Each creates .venv if needed and installs the project.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,llm]"
	touch $(STAMP)

install: $(STAMP)

# The main job on the embedded default: no Slack tokens, no network, no LLM.
run: $(STAMP)
	$(BIN)/capexbot check
	$(BIN)/capexbot ask "We're buying a \$$40,000 GPU server for production inference, 5 year life"

# The tests. pytest exits 5 when it collected no test: that fails here, loudly.
# `capexbot check` first: it trains the spend classifier once (minutes on a new machine,
# then cached under ~/.cache/capexbot), so no test waits on that.
test: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks tools
	$(BIN)/mypy bot
	$(BIN)/capexbot check
	$(BIN)/pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "FAIL: pytest collected no tests" >&2; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks tools
	$(BIN)/mypy bot
