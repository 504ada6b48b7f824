# conference_room — the two commands of the README's Quick start, and the pieces they use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
ASSETS := static/build/.built
LINTED := $(wildcard conference_room tests benchmarks migrations)

.PHONY: run test lint audit assets install system-packages clean

run: install assets ## set up everything, seed the demo and serve on http://127.0.0.1:5000
	$(VENV)/bin/conference-room demo --host 127.0.0.1 --port 5000

test: install assets system-packages lint audit ## set up everything and run the whole test suite
	$(PY) -m pytest $(PYTEST_ARGS)

# Chromium (browser tests) and redis-server (several processes), installed with apt-get when
# missing and possible; otherwise those tests are skipped with the reason (failed when CI=true).
system-packages:
	bash scripts/ensure_system_packages.sh

# Known vulnerabilities in the locked packages (pip-audit); see scripts/audit_dependencies.py.
audit: install
	$(PY) scripts/audit_dependencies.py requirements.lock

lint: install
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c requirements.lock -e ".[test,gevent]"
	touch $(STAMP)

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json static/src/build.mjs $(wildcard static/src/*.scss static/src/app/*.scss)
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $(ASSETS)

clean:
	rm -rf $(VENV) node_modules static/build
