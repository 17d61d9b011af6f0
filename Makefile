# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run check test test-unit bench chaos stop screenshots clean glean-definitions telemetry-doc qmllint translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

# The compiled translations the app loads (a wheel carries them: build it after these).
TS_FILES := $(wildcard translations/*.ts)
QM_FILES := $(TS_FILES:.ts=.qm)
translations/%.qm: translations/%.ts | $(STAMP)
	$(BIN)/python -m vpnui.build_translations --release $<

run: $(STAMP) $(QM_FILES)
	$(BIN)/python -m vpnui.system_check
	$(BIN)/vpnui

# Lint, formatting, types and the import contracts of docs/architecture.md (pyproject.toml).
check: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The report's Spark test needs a JRE, the debug view's test Chromium: installed from Debian's
# packages when run as root, else named.
# Two or more workers (pytest-xdist), one test file each at a time: the suite
# mostly waits on its processes (daemon, lab, app), so it takes half the time on
# two cores; a file's module fixtures (a Spark session, a lab) are set up once.
test: check $(QM_FILES)
	$(BIN)/python -m lab.pipeline.system_check
	$(BIN)/python -m lab.debug_view.system_check
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest --numprocesses auto --maxprocesses 4 --dist loadfile --durations=15

# The Qt-free logic alone (seconds): tests are marked unit/integration/ui/chaos by folder.
test-unit: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m unit

bench: $(TEST_STAMP) $(QM_FILES)
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

# After changing a text of qml/ or vpnui/: refreshes translations/*.ts from the
# sources (pyside6-lupdate; a changed text keeps its old translation, marked
# unfinished) and compiles them (pyside6-lrelease).  make test fails while a
# .ts is stale (tests/integration/test_translations.py).
translations: $(STAMP)
	$(BIN)/python -m vpnui.build_translations

# After editing resources/metrics.yaml or pings.yaml: both processes load the generated file,
# and docs/telemetry.md documents them (glean_parser's Markdown, after its linter).
glean-definitions: $(STAMP)
	$(BIN)/python -m mimic_core.build_glean_definitions
	$(BIN)/python -m mimic_core.build_telemetry_doc

telemetry-doc: $(STAMP)
	$(BIN)/python -m mimic_core.build_telemetry_doc

# The app's states and modals, a second pass in the pseudo-locale (accented, 40 % longer) that shows
# text that would be cut off, then the lab's debug view after a short seeded fault run (in Chromium).
screenshots: $(TEST_STAMP) $(QM_FILES)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m vpnui.render_states docs/screenshots
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m vpnui.render_states --locale pseudo docs/screenshots/pseudo
	$(BIN)/python -m lab.debug_view.system_check
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.support.debug_view_screenshot docs/screenshots

stop:
	-$(BIN)/vpnui-lab stop
	-$(BIN)/vpnui-ctl stop-daemon

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
