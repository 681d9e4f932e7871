# The two commands of the README: `make run` and `make test`. Both (re)build .venv when it is missing
# or older than pyproject.toml / constraints.txt, so a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow lint format demo bench clean constraints translations

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "DSL Desk needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/dsl-desk $(ARGS)

demo: $(STAMP)
	$(BIN)/dsl-desk demo $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)

format: $(STAMP)
	$(BIN)/ruff format src tests $(wildcard benchmarks)
	$(BIN)/ruff check --fix src tests $(wildcard benchmarks)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(ARGS)

# Extract every user-facing string (gettext .pot for core/services/documents, Qt .ts for the UI) and compile
# the translations beside them (.mo, .qm) into src/dsl_desk/resources/locale. Needs xgettext/msgfmt (apt: gettext)
# for the gettext side; PySide6's lupdate/lrelease for the Qt side. See tools/translations.py.
translations: $(STAMP)
	$(BIN)/python tools/translations.py $(ARGS)

# Regenerate the pinned set after changing dependencies in pyproject.toml.
constraints:
	rm -rf /tmp/dsl-desk-lock && $(PYTHON) -m venv /tmp/dsl-desk-lock
	/tmp/dsl-desk-lock/bin/pip install --quiet -e '.[test]'
	/tmp/dsl-desk-lock/bin/pip freeze --exclude-editable | grep -v '^dsl-desk' > constraints.txt

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .hypothesis

# Installer and benchmark data (issue #9). `make bundle` builds this platform's target with PyInstaller into
# build/ and dist/; Windows runs `python installer/build.py windows` (CI: .github/workflows/build.yml).
.PHONY: bundle bench-data
BUNDLE_TARGET ?= $(if $(filter Darwin,$(shell uname -s)),macos,linux)

bundle: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[build]'
	$(BIN)/python installer/build.py $(BUNDLE_TARGET) $(ARGS)

# The large database for `make bench` (5,000 children, 10,000 escalations, 200,000 log entries; ~1 min).
bench-data: $(STAMP)
	rm -rf benchmarks/out/data
	$(BIN)/python benchmarks/generate.py benchmarks/out/data $(ARGS)
