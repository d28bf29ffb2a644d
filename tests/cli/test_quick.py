"""cli/quick: the plain `release` and `plan` invocations run without typer, and must mean
exactly what typer would make of them; anything else is typer's to parse."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from relorch.cli import quick
from relorch.cli.app import _command, _register, app, run
from relorch.cli.project import GlobalOptions
from tests.gitrepo import Clone, tag_revisions


def declared(command: Any) -> dict[str, tuple[str, bool]]:
    """option string -> (parameter, is a flag), as click holds it (--help aside)."""
    found = {}
    for param in command.params:
        for option in [*param.opts, *param.secondary_opts]:
            if option.startswith("-") and option not in ("--help", "-h"):
                found[option] = (param.name, bool(param.is_flag))
    return found


def tabled(*tables: dict[str, str], flag: bool) -> dict[str, tuple[str, bool]]:
    return {option: (param, flag) for table in tables for option, param in table.items()}


@pytest.mark.parametrize("name", sorted(quick.COMMANDS))
def test_the_tables_say_what_the_typer_declarations_say(name: str) -> None:
    _register()
    group: Any = _command([name])
    spec = quick.COMMANDS[name]
    expected = {
        **tabled(quick.GLOBAL_FLAGS, quick.COMMAND_FLAGS, spec.flags, flag=True),
        **tabled(quick.GLOBAL_VALUES, spec.values, flag=False),
    }
    assert declared(group.commands[name]) == expected
    arguments = [p.name for p in group.commands[name].params if not p.opts[0].startswith("-")]
    assert arguments == ([spec.positional] if spec.positional else [])
    paths = {p.name for p in group.commands[name].params if "Path" in type(p.type).__name__}
    assert paths == set(spec.paths) | {"chdir", "config"}
    module, function = spec.run  # the body quick calls takes what the typer command passes
    body = getattr(importlib.import_module(f"relorch.cli.{module}"), function)
    passed = {p.name for p in group.commands[name].params} - {"no_color", "init_ledger"}
    assert set(inspect.signature(body).parameters) == passed
    root = declared(group)
    root.pop("--version")  # eager, prints and exits: left to typer
    assert root == {
        **tabled(quick.GLOBAL_FLAGS, flag=True),
        **tabled(quick.GLOBAL_VALUES, flag=False),
    }


SAME = [
    ["release", "--revision"],
    ["release", "--major", "--dry-run"],
    ["release", "--revision", "--api", "orders", "--json"],
    ["release", "--revision", "--api=orders", "--no-color"],
    ["--json", "release", "--revision"],
    ["-C", "a/b", "release", "--revision", "-C", "c"],
    ["-C", "a/b", "--config", "x.toml", "release", "--dry-run", "--revision"],
    ["release", "--revision", "--config=conf/r.toml", "--init-ledger"],
    ["release", "--revision", "--revision"],
    ["release"],
    ["plan"],
    ["plan", "--branch", "release/v3", "--api", "products"],
    ["--no-color", "plan", "--json", "-C", "."],
    ["plan", "--branch=main"],
    ["status"],
    ["status", "--env", "production", "--semver", "--json"],
    ["-C", "sub", "status", "-e", "staging", "--no-fetch"],
    ["render", "manifest"],
    ["render", "--env", "production", "arm", "-o", "out/arm.json", "--service", "apim-1"],
    ["render", "httproute", "-e", "production", "--output=routes.yaml", "--dry-run", "--json"],
    ["render", "gateways/nginx.conf.j2", "--now", "2026-09-01", "--no-fetch"],
]


@pytest.mark.parametrize("args", SAME, ids=" ".join)
def test_both_paths_hand_the_command_the_same_arguments(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from relorch.cli import reading, releasing

    received: list[dict[str, object]] = []
    for name in ("release", "plan"):
        monkeypatch.setattr(releasing, name, lambda **kw: received.append(kw) or 0)
    monkeypatch.setattr(reading, "status", lambda **kw: received.append(kw) or 0)
    monkeypatch.setattr(
        reading, "render", lambda what, **kw: received.append({"what": what, **kw}) or 0
    )
    typer_options = GlobalOptions()

    def fail(message: str, hint: str, code: int) -> int:
        raise AssertionError(message)

    assert run(list(args), typer_options, fail) == 0
    quick_options = GlobalOptions()
    call = quick.parse(args, quick_options)
    assert call is not None
    assert call.kwargs == received[0]
    assert quick_options == typer_options
    assert call.init_ledger == ("--init-ledger" in args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["release", "--help"],
        ["release", "-h"],
        ["--version", "release"],
        ["release", "--revision", "extra"],
        ["release", "--api"],
        ["release", "--api", "--json"],
        ["release", "--api="],
        ["--init-ledger", "release", "--revision"],
        ["--revision", "release"],
        ["release", "-Cx", "--revision"],
        ["release", "--json=1"],
        ["release", "--", "--revision"],
        ["release", "--rev"],
        ["status", "extra"],
        ["status", "-e=production"],
        ["render"],
        ["render", "manifest", "arm"],
        ["render", "--", "manifest"],
        ["render", "manifest", "-o"],
        ["flags", "render"],
        ["report", "-o", "site"],
        ["deploy", "v1", "--env", "production"],
    ],
    ids=lambda args: " ".join(args) or "(nothing)",
)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert quick.parse(args, GlobalOptions()) is None


def test_release_plan_status_and_render_never_import_typer(repo: Clone) -> None:
    tag_revisions(repo, 1)
    repo.commit("feat: more")
    repo.push("HEAD:main")
    script = (
        "import sys; from relorch.cli import main\n"
        "codes = [main(['plan']), main(['release', '--revision', '--json']),\n"
        "         main(['status']), main(['render', 'manifest'])]\n"
        "print(codes, sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=repo.path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0] []"
    assert repo.git("--git-dir", str(repo.origin), "rev-parse", "v1-rev2^{commit}") == repo.head()


def test_errors_on_the_quick_path_are_reported_as_on_typers(repo: Clone, tmp_path: Path) -> None:
    from tests.gitrepo import run_relorch

    outside = run_relorch(tmp_path, "release", "--revision", "--json")
    assert outside.returncode == 3
    assert outside.stderr.startswith("error: ")
    assert "hint: " in outside.stderr
    neither = repo.relorch("release")
    assert neither.returncode == 2
    assert neither.stderr.splitlines()[:2] == [
        "error: choose one of --revision or --major",
        "hint: relorch release --revision",
    ]
    assert app.registered_commands  # the typer app is still whole for everything else
