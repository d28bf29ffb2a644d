"""Module borders: one owner each for the CLI library, git, HTTP and templates, and the
package order of docs/architecture.md (STYLE §1-4), kept by parsing imports."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "relorch"

# library -> the modules (paths below src/relorch) allowed to import it
OWNERS = {
    "typer": ("cli/",),
    "click": ("cli/",),
    "git": ("git/",),
    "requests": ("channels/delivery.py",),
    "jinja2": ("channels/messages.py", "render/", "report/html.py"),
    "subprocess": ("git/", "deploy/steps.py", "release/publish.py"),
}

# The layers, lowest first: a unit may import its own package and any unit of a lower layer,
# never one of its own layer or above (docs/architecture.md draws the same picture).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "masking", "durations", "documents", "deadline", "invocation"),
    ("versions", "output"),
    ("ci",),
    ("git",),
    ("config",),
    ("model",),
    ("ledger", "gate", "channels"),
    ("policy",),
    ("release", "render", "flags"),
    ("report",),
    ("deploy",),
    ("demo",),
    ("cli",),
    ("__main__",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def relorch_units_of(path: Path) -> set[str]:
    """The relorch units (first component below relorch) a module imports, at any depth."""
    units = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
            if node.module == "relorch":
                modules = [f"relorch.{alias.name}" for alias in node.names]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "relorch" and len(parts) > 1 and not parts[1].startswith("__"):
                units.add(parts[1])
    return units


def unit_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if unit_of(p) != "__init__")


def test_each_library_is_imported_only_by_its_owner() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for library, owners in OWNERS.items():
            if library in imports_of(path) and not rel.startswith(owners):
                offenders.append(f"{rel} imports {library}")
    assert offenders == []


def test_every_unit_has_a_layer() -> None:
    assert sorted({unit_of(p) for p in modules()} - set(RANK)) == []


def test_packages_import_only_lower_layers() -> None:
    offenders = []
    for path in modules():
        unit = unit_of(path)
        for other in relorch_units_of(path) - {unit, "__init__"}:
            if other not in RANK:
                offenders.append(f"{path.relative_to(SRC)} imports unknown relorch.{other}")
            elif RANK[other] >= RANK[unit]:
                offenders.append(f"{path.relative_to(SRC)} imports relorch.{other}")
    assert offenders == []


def test_core_never_imports_the_cli() -> None:
    offenders = [
        path.relative_to(SRC).as_posix()
        for path in modules()
        if unit_of(path) not in ("cli", "__main__") and "cli" in relorch_units_of(path)
    ]
    assert offenders == []


def test_no_import_circles_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    names = {
        ".".join(("relorch", *p.relative_to(SRC).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): p
        for p in SRC.rglob("*.py")
    }
    for name, path in names.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                deps.update(t for t in targets if t in names and t != name)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name in names and a.name != name)
        # a package's __init__ is imported with each of its modules: not an edge worth a cycle
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*stack[stack.index(dep) :], dep]))
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_every_module_opens_with_a_docstring() -> None:
    missing = [
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def test_every_package_says_what_it_owns_and_may_import() -> None:
    vague = [
        init.parent.name
        for init in SRC.rglob("__init__.py")
        if init.parent != SRC
        and "May import" not in (ast.get_docstring(ast.parse(init.read_text())) or "")
    ]
    assert vague == []
