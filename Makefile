# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run check test test-unit bench chaos stop screenshots clean glean-definitions qmllint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/python -m vpnui.system_check
	$(BIN)/vpnui

# Lint, types and the import contracts of docs/architecture.md (pyproject.toml).
check: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The report's Spark test needs a JRE: installed from Debian's packages when run as root, else named.
test: check
	$(BIN)/python -m lab.pipeline.system_check
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest --durations=15

# The Qt-free logic alone (seconds): tests are marked unit/integration/ui/chaos by folder.
test-unit: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m unit

bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks

# The long seeded fault run (make test runs a short one): `make chaos SEED=7 ROUNDS=50`.
SEED ?= 1
ROUNDS ?= 200
chaos: $(STAMP)
	$(BIN)/vpnui-lab chaos --seed $(SEED) --rounds $(ROUNDS)

# qmllint over qml/ with the type information of the app's Python QML types
# (written to build/qml-types, where qmlls finds it too: -I build/qml-types).
# make test runs the same check (tests/ui/test_qmllint.py).
qmllint: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m vpnui.build_qml_typeinfo build/qml-types --lint

# After editing resources/metrics.yaml or pings.yaml: both processes load the generated file.
glean-definitions: $(STAMP)
	$(BIN)/python -m mimic_core.build_glean_definitions

screenshots: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m vpnui.render_states docs/screenshots

stop:
	-$(BIN)/vpnui-lab stop
	-$(BIN)/vpnui-ctl stop-daemon

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
