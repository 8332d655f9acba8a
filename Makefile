# The two set-up commands of the README, and the benchmark run.
#   make maps   creates .venv, installs the package, builds maps/ from data/layers/
#   make test   installs the test extras, Debian's chromium and ssh-keygen, runs every test
#   make bench  runs the benchmarks and writes benchmarks/RESULTS.md

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NODE_BIN := node_modules/.bin

.PHONY: maps test lint bench chromium ssh-keygen

$(BIN)/heritage-map: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

maps: $(BIN)/heritage-map
	$(BIN)/heritage-map build --data data/layers --out maps --tiles osm

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium; }

# The signed-records tests check a key made by OpenSSH's own ssh-keygen (Debian's openssh-client).
ssh-keygen:
	@command -v ssh-keygen >/dev/null 2>&1 || { apt-get update && apt-get install -y openssh-client; }

# ESLint for the maps' own scripts, pinned by package-lock.json: `npm ci` installs exactly that (it needs the npm
# registry once; after that the linter runs offline).
$(NODE_BIN)/eslint: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Style (ruff, with geopandas' rule sets), types (mypy on the package) and the scripts (ESLint), before any test.
lint: $(BIN)/heritage-map $(NODE_BIN)/eslint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(NODE_BIN)/eslint geo/static

# pytest exits 5 when it collected no test: that is reported, not hidden.
test: $(BIN)/heritage-map chromium ssh-keygen lint
	$(BIN)/pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

bench: $(BIN)/heritage-map chromium
	$(BIN)/python -m benchmarks
