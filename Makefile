# One command sets up and derives (make demo); one runs every test (make test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint docs dist samples picture bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

demo: $(STAMP)
	$(VENV)/bin/derivtex derive "y^T A x" --wrt x --standalone -o demo.tex
	@echo "wrote demo.tex (compile it with: pdflatex demo.tex)"

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check derivtex tests benchmarks samples fuzz docs

test: $(TEST_STAMP) lint
	$(VENV)/bin/mypy derivtex
	$(PY) -m pytest -q

# The documentation site (docs/), built with derivtex's own directive: every warning is an
# error (-W) and every internal reference must resolve (-n); -E rereads every page, so a
# warning is never hidden by a cached one. tests/whole/test_docs.py runs this target.
DOCS_SRC ?= docs
DOCS_OUT ?= docs/_build
DOCS_NEEDS ?= $(TEST_STAMP)
docs: $(DOCS_NEEDS)
	$(PY) -m sphinx -W -n -E --keep-going -q -b html $(DOCS_SRC) $(DOCS_OUT)/html

# The sdist and the wheel, built offline with the test environment's hatchling, and
# checked as PyPI would render them (tests/whole/test_distribution.py does the same).
dist: $(TEST_STAMP)
	rm -rf dist
	$(PY) -m build --no-isolation --outdir dist .
	$(PY) -m twine check --strict dist/*

samples: $(TEST_STAMP)
	$(PY) samples/generate.py

picture: samples
	pdftoppm -png -r 110 -singlefile samples/notes_bilinear.pdf docs/derivation
	$(PY) docs/notation_picture.py

fuzz: $(TEST_STAMP)
	$(PY) -m fuzz.run -n 10000 --seed 2026
	$(PY) -m fuzz.hessians -n 1000 --seed 2026

# Bytecode first, as `pip install` compiles it: sympy, numpy and jinja2 are measured
# with theirs, so derivtex is too (even where PYTHONDONTWRITEBYTECODE is set).
bench: $(TEST_STAMP)
	$(PY) -m compileall -q derivtex
	$(PY) benchmarks/bench_derive.py
	$(PY) benchmarks/bench_sphinx.py

clean:
	rm -rf $(VENV) build dist *.egg-info docs/_build demo.tex demo.pdf demo.aux demo.log
