"""relorch as its users get it: the sdist and the wheel build without a packaging warning,
pass `twine check`, and the wheel installed into a fresh venv runs `relorch --version` and
`relorch demo` with its templates, schemas and py.typed; the release files agree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
WARNINGS = ("warning", "deprecat")  # setuptools' SetuptoolsDeprecationWarning and friends


def run(*args: str | Path, cwd: Path = ROOT, timeout: float = 600) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE_"))}
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**env, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def packaging_warnings(output: str) -> list[str]:
    """Lines of build output that warn about relorch's own packaging. Not relorch's: pip's
    notes about the machine's index configuration, and setuptools saying it does not
    byte-compile because PYTHONDONTWRITEBYTECODE is set."""
    return [
        line
        for line in output.splitlines()
        if any(w in line.lower() for w in WARNINGS)
        and "is ignored: it is neither" not in line
        and "byte-compiling is disabled" not in line
    ]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel built from a copy of the source tree (what git would commit)."""
    source = tmp_path_factory.mktemp("source")
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    output = run(sys.executable, "-m", "build", "--outdir", out, source)
    assert packaging_warnings(output) == []
    return out


pytestmark = pytest.mark.packaging


def test_build_makes_one_sdist_and_one_wheel_that_twine_accepts(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"relorch-{VERSION}-py3-none-any.whl", f"relorch-{VERSION}.tar.gz"]
    run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))


def test_wheel_carries_templates_schemas_typing_marker_and_license(dist: Path) -> None:
    with zipfile.ZipFile(dist / f"relorch-{VERSION}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"relorch-{VERSION}.dist-info/METADATA").decode()
    assert "relorch/py.typed" in names
    assert "relorch/schemas/relorch.toml.schema.json" in names
    assert {n for n in names if n.startswith("relorch/schemas/json/")}
    assert {n for n in names if n.startswith("relorch/templates/")}
    assert f"relorch-{VERSION}.dist-info/licenses/LICENSE" in names
    assert "License-Expression: MIT" in metadata
    assert "Project-URL: Changelog," in metadata
    assert "Classifier: Typing :: Typed" in metadata


def test_sdist_carries_license_changelog_docs_and_ci_files(dist: Path) -> None:
    with tarfile.open(dist / f"relorch-{VERSION}.tar.gz") as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "docs/json.md"} <= names
    assert "ci/gitlab/relorch.yml" in names


def test_wheel_in_a_fresh_venv_runs_version_and_the_demo(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    output = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", *dist.glob("*.whl"))
    assert packaging_warnings(output) == []
    version = run(venv / "bin" / "relorch", "--version", cwd=tmp_path)
    assert version.strip() == f"relorch {VERSION}"
    demo = run(venv / "bin" / "relorch", "demo", cwd=tmp_path, timeout=1200)
    assert "demo finished" in demo
    schema = run(
        venv / "bin" / "python",
        "-c",
        "from relorch.documents import json_schema; print(json_schema('error')['title'])",
        cwd=tmp_path,
    )
    assert schema.startswith("relorch-error/1")


def test_version_is_the_same_everywhere() -> None:
    from relorch import __version__

    assert __version__ == VERSION


def test_check_release_accepts_only_a_matching_tag_and_changelog(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "CHANGELOG.md", "scripts/check-release"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    script = tmp_path / "scripts" / "check-release"

    def check(tag: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, tag], capture_output=True, text=True, check=False)

    wrong = check("v9.9.9")
    assert wrong.returncode == 3 and "does not match" in wrong.stderr
    assert check(f"v{VERSION}").returncode == 3  # [Unreleased] only: not releasable yet
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace(
            "## [Unreleased]", f"## [Unreleased]\n\n## [{VERSION}] - 2026-12-01"
        )
    )
    owner = check(f"v{VERSION}")
    assert owner.returncode == 3 and "OWNER" in owner.stderr
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("github.com/OWNER/", "github.com/acme/"))
    ok = check(f"v{VERSION}")
    assert ok.returncode == 0, ok.stderr
