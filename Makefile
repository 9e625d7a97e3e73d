# counterpoint: set-up, demo and tests. `make demo` and `make test` are the quick start.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Fonts for each script a brief may be written in (README: Fonts lists licences and sizes):
# fonts-hosny-amiri: Amiri, a Naskh face for Arabic (and Persian, Urdu) papers (1 MB);
# Lohit for Devanagari, Bengali and Tamil; TLWG Norasi and Garuda for Thai; Nanum for
# Korean; IPAex Mincho and Gothic for Japanese; Abyssinica SIL for Ethiopic; BPG for
# Georgian. Hebrew is in Liberation and DejaVu already.
APT_PACKAGES := fonts-liberation2 fonts-wqy-microhei fonts-dejavu-core fonts-hosny-amiri \
                fonts-lohit-deva fonts-lohit-beng-bengali fonts-lohit-taml fonts-tlwg-norasi \
                fonts-tlwg-garuda fonts-nanum fonts-ipaexfont-mincho fonts-ipaexfont-gothic \
                fonts-sil-abyssinica fonts-bpg-georgian \
                libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 qpdf poppler-utils \
                librsvg2-bin
# for the tests only: a browser for Playwright, Java for the Nu Html Checker, LibreOffice
# to lay out the Word edition
TEST_APT_PACKAGES := chromium openjdk-17-jre-headless libreoffice-writer-nogui

# The exact versions the tests run with (pyproject.toml keeps compatible ranges for people
# who `pip install` the package). `make lock` regenerates it in a throwaway venv.
LOCK := requirements.lock

# The suite runs in parallel (pytest-xdist), one worker more than the cores it may use (the
# machine's, or fewer under a container's CPU quota, cgroup v2 cpu.max): it is bound by the
# processor, with some waiting on Pandoc, LibreOffice and Chromium. Each test file runs on
# one worker (--dist loadfile), so what a module builds once is built once.
TEST_JOBS ?= $(shell cores=$$(nproc 2>/dev/null || echo 2); \
	if read quota period < /sys/fs/cgroup/cpu.max 2>/dev/null && [ "$$quota" != max ]; then \
	  allowed=$$(( (quota + period - 1) / period )); [ $$allowed -lt $$cores ] && cores=$$allowed; \
	fi; echo $$(( cores + 1 )))

.PHONY: demo test setup system test-tools lint lock clean catalogs

demo: setup
	$(BIN)/counterpoint build briefs/ --format html,pdf --out out
	@echo "open out/russian-far-east.pdf and out/russian-far-east.html"

test: setup test-tools $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile

setup: system $(VENV)/.installed

# Chromium, Java and the npm validators (vnu-jar, axe-core) that tests/test_browser.py uses.
test-tools: tests/browser/node_modules/.installed
tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json
	@$(MAKE) --no-print-directory system APT_PACKAGES="$(TEST_APT_PACKAGES)"
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian fonts and libraries WeasyPrint needs (skipped where they are already present).
system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c $(LOCK) -e .
	# bytecode for our own modules: with PYTHONDONTWRITEBYTECODE set (CI images often set
	# it) every run would otherwise recompile them, ~40 ms a command
	$(BIN)/python -m compileall -q src
	touch $@

# the test tools (pytest, pypdf, ruff, playwright, hypothesis...) only for `make test`
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -c $(LOCK) -e '.[test]'
	touch $@

# Resolve pyproject.toml's ranges afresh (newest releases) and pin what was installed.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q -e '.[test]'
	{ echo "# The versions the tests run with; regenerate with 'make lock'."; \
	  .lock-venv/bin/pip freeze --exclude-editable --all | grep -v -e '^pip==' -e '^setuptools=='; } > $(LOCK)
	rm -rf .lock-venv

# The message catalogs of the paper's fixed texts (src/counterpoint/brief/i18n.py, docs/templates.md):
# extract every marked text of the built-in templates and the code into the .pot, merge it
# into each language's .po (new texts arrive empty, for the translator), compile the .mo.
LOCALES := src/counterpoint/locale
catalogs: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
	  -w 100 -o $(LOCALES)/counterpoint.pot .
	$(BIN)/pybabel update -D counterpoint -i $(LOCALES)/counterpoint.pot -d $(LOCALES) \
	  -w 100 --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -D counterpoint -d $(LOCALES) --statistics

lint: setup $(VENV)/.installed-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf out .pytest_cache
