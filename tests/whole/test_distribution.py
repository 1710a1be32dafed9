"""The distribution (issue 23): `python -m build` makes an sdist and a wheel that pass
`twine check --strict`; the wheel, installed into a fresh virtual environment (not the
checkout: an editable install would hide a file the wheel lacks), runs the CLI, the Sphinx
directive and the MkDocs plugin, and holds every data file of the package — templates,
py.typed, the example spec, and whatever LaTeX package or Lua filter the package ships.

Offline, as CI is: the build uses the build backend installed in this environment
(--no-isolation), and the fresh environment sees this environment's dependencies through
a .pth line (no index is asked; the editable install's own .pth is not read there).
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from derivtex import __version__
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
TIMEOUT = 300


def run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # Nothing but the environment's own paths: no PYTHONPATH, no user site.
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL,
                          env={**clean, "PYTHONNOUSERSITE": "1", **env})
    assert proc.returncode == 0, f"{argv}: {proc.returncode}\n{proc.stdout[-3000:]}\n" \
                                 f"{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        ROOT)
    return out


def wheel_of(dist: Path) -> Path:
    (wheel,) = dist.glob("derivtex-*.whl")
    return wheel


def sdist_of(dist: Path) -> Path:
    (sdist,) = dist.glob("derivtex-*.tar.gz")
    return sdist


def package_data() -> list[str]:
    """Every file of the package in the checkout that is not Python source: what the
    wheel must carry (templates, py.typed, examples, a LaTeX package, a Lua filter...)."""
    tracked = subprocess.run(["git", "ls-files", "derivtex"], cwd=ROOT, capture_output=True,
                             text=True).stdout.split()
    files = tracked or [str(p.relative_to(ROOT)) for p in (ROOT / "derivtex").rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts]
    return sorted(f for f in files if not f.endswith(".py"))


@pytest.fixture(scope="module")
def fresh(dist, tmp_path_factory) -> Path:
    """A new virtual environment with the wheel installed, and no derivtex but the
    wheel's: this environment's other packages are visible through one .pth line."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], ROOT)
    python = venv / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                     "'purelib'))"], venv).stdout.strip())
    (site / "outer-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
         "--no-deps", "--quiet", str(wheel_of(dist))], venv)
    return venv


def test_build_makes_an_sdist_and_a_wheel_that_twine_accepts(dist):
    assert wheel_of(dist).name == f"derivtex-{__version__}-py3-none-any.whl"
    assert sdist_of(dist).name == f"derivtex-{__version__}.tar.gz"
    proc = run([sys.executable, "-m", "twine", "check", "--strict",
                str(wheel_of(dist)), str(sdist_of(dist))], ROOT)
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_the_wheel_holds_every_data_file_of_the_package(dist):
    names = set(zipfile.ZipFile(wheel_of(dist)).namelist())
    data = package_data()
    assert {"derivtex/py.typed", "derivtex/templates/explain.j2",
            "derivtex/examples/notes.toml"} <= set(data)
    assert [f for f in data if f not in names] == []
    assert f"derivtex-{__version__}.dist-info/licenses/LICENSE" in names


def test_the_latex_package_and_lua_filter_carry_the_license(dist):
    """The LaTeX package and the Lua filter, once the package ships them, say under
    which license they are distributed, as LICENSE does."""
    for name in package_data():
        if name.endswith((".sty", ".lua", ".cls")):
            head = (ROOT / name).read_text(encoding="utf-8")[:2000]
            assert "MIT" in head and "derivtex contributors" in head, name


def test_the_sdist_holds_what_building_and_testing_need(dist):
    with tarfile.open(sdist_of(dist)) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "Makefile",
            "docs/conf.py", "docs/index.md", "derivtex/py.typed",
            "samples/notes.toml"} <= names
    assert [f for f in package_data() if f not in names] == []
    assert not any(n.startswith("docs/_build") for n in names)


def test_the_metadata_names_the_license_urls_and_classifiers(dist):
    with zipfile.ZipFile(wheel_of(dist)) as wheel:
        metadata = email.message_from_bytes(
            wheel.read(f"derivtex-{__version__}.dist-info/METADATA"))
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL"))
    assert {"Documentation", "Changelog", "Issues"} <= set(urls)
    classifiers = set(metadata.get_all("Classifier"))
    assert {"Framework :: Sphinx :: Extension", "Framework :: MkDocs", "Typing :: Typed",
            "Topic :: Text Processing :: Markup :: LaTeX",
            "Topic :: Scientific/Engineering :: Mathematics",
            f"Programming Language :: Python :: {sys.version_info[0]}."
            f"{sys.version_info[1]}"} <= classifiers
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639: the SPDX
    assert metadata["Author"] == "derivtex contributors"


def test_pip_show_names_the_license_and_urls(fresh):
    shown = run([sys.executable, "-m", "pip", "--python", str(fresh / "bin" / "python"),
                 "show", "--verbose", "derivtex"], fresh).stdout
    assert "License-Expression: MIT" in shown
    for label in ("Documentation", "Changelog", "Issues"):
        assert f"{label}, " in shown, shown
    assert f"Location: {fresh}" in shown


def test_the_installed_wheel_is_what_runs(fresh, tmp_path):
    where = run([str(fresh / "bin" / "python"), "-c", "import derivtex; "
                 "print(derivtex.__file__)"], tmp_path).stdout
    assert where.startswith(str(fresh)) and str(ROOT) not in where


def test_the_cli_from_the_wheel(fresh, tmp_path):
    derivtex = str(fresh / "bin" / "derivtex")
    assert run([derivtex, "--version"], tmp_path).stdout.strip() == f"derivtex {__version__}"
    run([derivtex, "derive", "y^T A x", "--wrt", "x", "--label", "eq:b", "-o", "b.tex"],
        tmp_path)
    assert r"\label{eq:b}" in (tmp_path / "b.tex").read_text()
    assert "[[derivation]]" in run([derivtex, "example"], tmp_path).stdout
    assert r"\usepackage" in run([derivtex, "preamble"], tmp_path).stdout


def test_the_sphinx_directive_from_the_wheel(fresh, tmp_path):
    (tmp_path / "conf.py").write_text(
        'import derivtex, pathlib\nextensions = ["derivtex.sphinx"]\n'
        'pathlib.Path("where.txt").write_text(derivtex.__file__)\n')
    (tmp_path / "index.rst").write_text("Page\n====\n\n.. derivation:: y^T A x\n   :wrt: x\n")
    run([str(fresh / "bin" / "python"), "-m", "sphinx", "-W", "-q", "-b", "html", ".",
         "_build"], tmp_path)
    assert (tmp_path / "where.txt").read_text().startswith(str(fresh))
    html = (tmp_path / "_build" / "index.html").read_text()
    assert html.count('class="derivtex') == 1 and r"\boldsymbol{y}^{\top}" in html


def test_the_mkdocs_plugin_from_the_wheel(fresh, tmp_path):
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Notes\nplugins:\n  - derivtex\nmarkdown_extensions:\n"
        "  - pymdownx.arithmatex:\n      generic: true\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Page\n\n```derivtex\ny^T A x\nwrt: x\n```\n")
    run([str(fresh / "bin" / "python"), "-c", "import derivtex.shells.mkdocs_plugin as m, "
         "sys; sys.exit(not m.__file__.startswith(sys.prefix))"], tmp_path)
    run([str(fresh / "bin" / "python"), "-m", "mkdocs", "build", "--strict", "-d", "_site"],
        tmp_path)
    html = (tmp_path / "_site" / "index.html").read_text()
    assert html.count('class="derivtex"') == 1 and "derivtex-error" not in html
