"""Module borders: one owner each for the CLI library, git, HTTP and templates (STYLE §2-4)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "relorch"

# library -> the modules (paths below src/relorch) allowed to import it
OWNERS = {
    "typer": ("cli/",),
    "click": ("cli/",),
    "git": ("gitio.py", "gitobjects.py"),
    "requests": ("channels/delivery.py",),
    "jinja2": ("messages.py", "render/"),
    "subprocess": ("gitio.py", "gitobjects.py", "steprunner.py", "release.py"),
}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_each_library_is_imported_only_by_its_owner() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for library, owners in OWNERS.items():
            if library in imports_of(path) and not rel.startswith(owners):
                offenders.append(f"{rel} imports {library}")
    assert offenders == []


def test_core_never_imports_the_cli() -> None:
    offenders = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if not path.relative_to(SRC).as_posix().startswith(("cli/", "demo.py", "__main__.py"))
        and any(name == "relorch" for name in imports_of(path))
        and "relorch.cli" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_every_module_opens_with_a_docstring() -> None:
    missing = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []
