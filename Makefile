# Two commands matter: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := $(wildcard locales/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
EXTRACT_KEYWORDS := -k __ -k N_ -k ngettext:1,2

.PHONY: run test lint typecheck unit locales catalog seed-demo demo bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(INSTALLED)
	$(BIN)/pybabel compile -i $< -o $@ -l $*

locales: $(COMPILED)

run: $(INSTALLED) locales
	$(BIN)/python -m bot

# Load the demo events (future-dated, from real announcements) into DATABASE_PATH.
seed-demo: $(INSTALLED)
	$(BIN)/python -m bot seed-demo

# The real bot against the local emulator, as a chat in the browser: http://127.0.0.1:8080
demo: $(INSTALLED) locales
	$(BIN)/python -m emulator.demo

# Benchmarks print what they measured; the full set takes about ten minutes.
bench: $(INSTALLED) locales
	$(BIN)/python -m bench.rate_accuracy
	$(BIN)/python -m bench.engine_overhead
	$(BIN)/python -m bench.registration_storm
	$(BIN)/python -m bench.storm_breakdown
	$(BIN)/python -m bench.reminder_burst
	$(BIN)/python -m bench.start_burst
	$(BIN)/python -m bench.exports
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.audience_freeze
	$(BIN)/python -m bench.promotion_hold
	$(BIN)/python -m bench.confirm_latency

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

unit: $(INSTALLED) locales
	$(BIN)/pytest

test: lint typecheck unit

# Re-extract strings after changing user-facing text, then translate the new ru entries.
catalog: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg $(EXTRACT_KEYWORDS) --no-location --sort-output --width 100 \
		--project ngo-events-bot -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --width 100 \
		--ignore-obsolete

clean:
	rm -rf $(VENV) $(COMPILED) .mypy_cache .pytest_cache .ruff_cache
