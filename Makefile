# Ward Safety Inspect: `make run` serves the demo, `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export RL_useA85 := 0

.PHONY: install install-dev system-deps run serve serve-cluster lint test test-js test-fast migrate seed bench clean

# Serving needs requirements.txt only; tests, browser and benches add requirements-dev.txt.
$(BIN)/.installed: requirements.txt
	test -x $(BIN)/pip || $(PY) -m venv --clear $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

# Installs the Debian packages the suite needs when missing (as root), or says which to install.
system-deps:
	@bash scripts/system_deps.sh

migrate: install
	$(BIN)/flask --app wsgi db upgrade

seed: migrate
	$(BIN)/flask --app wsgi seed-demo --if-empty

run: seed
	@echo ""
	@echo "  Ward Safety Inspect on http://$(HOST):$(PORT)"
	@echo "  Demo logins (password: ward-demo-pass):"
	@echo "    inspector@demo.nhs.test   inspector (estates)"
	@echo "    manager@demo.nhs.test     ward manager (Larch and Willow wards)"
	@echo "    safety@demo.nhs.test      patient safety lead"
	@echo "    approver@demo.nhs.test    risk approver"
	@echo "    admin@demo.nhs.test       administrator"
	@echo "    staff@demo.nhs.test       ward staff (Larch Ward: its ligature briefing, read-only)"
	@echo ""
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# Production-style: APP_ENV=production SECRET_KEY=<32+ chars> make serve (see gunicorn.conf.py).
serve: migrate
	WEB_CONCURRENCY=$${WEB_CONCURRENCY:-$(WORKERS)} BIND=$(HOST):$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# Two app servers + PostgreSQL + SeaweedFS (S3) + Redis + an OpenID provider on loopback (README, Deployment).
serve-cluster: system-deps install-dev
	$(BIN)/python scripts/cluster.py --servers $${SERVERS:-2} --workers $(WORKERS)

# The npm test tools, pinned in package.json / package-lock.json: the Nu HTML checker the browser
# tests use (vnu-jar, run by Java, which system-deps installs with npm) and fake-indexeddb for the
# JS unit tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Unit tests of the offline scripts (static/js) with Node's own test runner; a failure stops make.
test-js: system-deps node_modules/.installed
	node --test tests/js/

# Lint and import contracts (pyproject.toml): any finding fails `make test` before a test runs.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: lint system-deps install-dev node_modules/.installed test-js
	$(BIN)/python -m pytest

test-fast: install-dev
	$(BIN)/python -m pytest -m "not browser" -x -q

clean:
	rm -rf $(VENV) .pytest_cache node_modules
