# `make run` starts the app, `make test` runs every test; both set up what they need first
# (scripts/setup.sh: .venv, pip only when requirements changed, Debian packages for tests).
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint fonts

run:
	bash scripts/setup.sh
	$(PY) app.py

test:
	bash scripts/setup.sh --test
	$(PY) -m pytest $(PYTEST_ARGS)

lint:
	bash scripts/setup.sh --dev
	$(VENV)/bin/ruff check .

# Rebuild assets/fonts/ from Debian's fonts-noto-cjk (the outputs are committed).
fonts:
	bash scripts/setup.sh --dev
	$(PY) scripts/build_fonts.py
