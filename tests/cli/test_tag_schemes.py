"""Every tag scheme walks the whole lifecycle: release, re-run, plan, status, deploy, rollback,
render and notify, for the default scheme, the semver preset, a custom format and several APIs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploykit import origin_records
from tests.gitrepo import Clone, make_origin, run_in_process


@dataclass(frozen=True)
class Scheme:
    """One way of naming tags and branches, and the names it must produce."""

    id: str
    apis: str  # the [apis.*] tables
    names: tuple[str, ...]  # API names
    tags: dict[tuple[str, int, int], str]  # (api, major, revision) -> tag name
    branch: dict[str, str]  # api -> the maintenance branch of major 1


SCHEMES = [
    Scheme(
        "default",
        "[apis.products]\n",
        ("products",),
        {
            ("products", 1, 1): "v1-rev1",
            ("products", 1, 2): "v1-rev2",
            ("products", 2, 1): "v2-rev1",
        },
        {"products": "release/v1"},
    ),
    Scheme(
        "semver",
        '[apis.products]\ntag_format = "semver"\n',
        ("products",),
        {("products", 1, 1): "v1.1.0", ("products", 1, 2): "v1.2.0", ("products", 2, 1): "v2.1.0"},
        {"products": "release/v1"},
    ),
    Scheme(
        "custom",
        '[apis.products]\ntag_format = "products-{major}.{revision}"\n'
        'branch_format = "maint/{major}.x"\n',
        ("products",),
        {
            ("products", 1, 1): "products-1.1",
            ("products", 1, 2): "products-1.2",
            ("products", 2, 1): "products-2.1",
        },
        {"products": "maint/1.x"},
    ),
    Scheme(
        "multi-api",
        '[apis.products]\npaths = ["products"]\n'
        '[apis.orders]\npaths = ["orders"]\ntag_format = "semver"\n',
        ("orders", "products"),
        {
            ("products", 1, 1): "products/v1-rev1",
            ("products", 1, 2): "products/v1-rev2",
            ("products", 2, 1): "products/v2-rev1",
            ("orders", 1, 1): "orders/v1.1.0",
            ("orders", 1, 2): "orders/v1.2.0",
            ("orders", 2, 1): "orders/v2.1.0",
        },
        {"products": "release/products/v1", "orders": "release/orders/v1"},
    ),
]

ENVIRONMENTS = """
[support]
deprecation_period = "100 years"
[channels.team]
kind = "file"
path = "notices.jsonl"
[environments.staging]
[environments.production]
promote_from = "staging"
"""


def _change(repo: Clone, scheme: Scheme, message: str) -> None:
    files = {f"{name}/CHANGES.txt": message + "\n" for name in scheme.names}
    if scheme.names == ("products",):
        files = {"CHANGES.txt": message + "\n"}
    for name, text in files.items():
        target = repo.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text((target.read_text() if target.exists() else "") + text)
        repo.git("add", name)
    repo.git("commit", "-q", "-m", message)
    repo.push("HEAD:main")


def _relorch(repo: Clone, *args: str) -> dict:  # type: ignore[type-arg]
    result = run_in_process(repo.path, *args, "--json")
    assert result.returncode == 0, (args, result.stderr)
    return json.loads(result.stdout) if result.stdout.strip() else {}


@pytest.mark.parametrize("scheme", SCHEMES, ids=[s.id for s in SCHEMES])
def test_every_tag_scheme_walks_the_whole_lifecycle(tmp_path: Path, scheme: Scheme) -> None:
    repo = make_origin(tmp_path, scheme.apis + ENVIRONMENTS)
    tag = scheme.tags.__getitem__
    first = scheme.names[0]
    ref = (lambda text: f"{first}/{text}") if len(scheme.names) > 1 else (lambda text: text)

    major = _relorch(repo, "release", "--major")
    assert sorted(r["tag"] for r in major["releases"]) == sorted(
        tag((n, 1, 1)) for n in scheme.names
    )
    _change(repo, scheme, "feat: something new")
    # The front door: the release job as CI runs it, then re-run on the tagged commit.
    released = repo.relorch("release", "--revision", "--json")
    assert released.returncode == 0, released.stderr
    got = json.loads(released.stdout)["releases"]
    assert sorted(r["tag"] for r in got) == sorted(tag((n, 1, 2)) for n in scheme.names)
    rerun = repo.relorch("release", "--revision", "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert [r["released"] for r in json.loads(rerun.stdout)["releases"]] == [False] * len(
        scheme.names
    )
    planned = _relorch(repo, "plan")
    assert all(a["next"]["already_released"] for a in planned["apis"])

    deployed = repo.relorch("deploy", ref("v1"), "--env", "staging")
    assert deployed.returncode == 0, deployed.stderr
    assert tag((first, 1, 2)) in deployed.stderr
    assert (
        run_in_process(repo.path, "deploy", ref("v1@rev1"), "--env", "production").returncode == 3
    )
    _relorch(repo, "deploy", ref("v1@rev1"), "--env", "staging")
    _relorch(repo, "deploy", ref("v1@rev2"), "--env", "staging")
    _relorch(repo, "deploy", ref("v1@rev2"), "--env", "production")
    status = _relorch(repo, "status")
    live = {(m["api"], m["major"]): m["live"] for m in status["majors"]}
    assert live[(first, 1)] == {"staging": 2, "production": 2}
    assert {m["latest"]["tag"] for m in status["majors"]} == {tag((n, 1, 2)) for n in scheme.names}

    rolled = repo.relorch("rollback", "--env", "staging", ref("v1"), "--json")
    assert rolled.returncode == 0, rolled.stderr
    assert json.loads(rolled.stdout)["tag"] == tag((first, 1, 1))
    records = [r for r in origin_records(repo.origin) if r["status"] == "succeeded"]
    assert [r["tag"] for r in records][-1] == tag((first, 1, 1))

    manifest = json.loads(
        run_in_process(repo.path, "render", "manifest", "--env", "staging").stdout
    )
    current = {
        (a["name"], m["major"]): m["environments"]["staging"]["current_tag"]
        for a in manifest["apis"]
        for m in a["majors"]
    }
    assert current[(first, 1)] == tag((first, 1, 1))

    _change(repo, scheme, "feat!: a breaking change")
    second = _relorch(repo, "release", "--major")
    assert sorted((r["tag"], r["branch_created"]) for r in second["releases"]) == sorted(
        (tag((n, 2, 1)), scheme.branch[n]) for n in scheme.names
    )
    branches = repo.git("ls-remote", "--heads", "origin")
    assert all(f"refs/heads/{scheme.branch[n]}" in branches for n in scheme.names)
    # Tagged is not released: v1 is deprecated once v2 first goes live in production.
    quiet = _relorch(repo, "notify", "--channel", "team", "--now", "2030-01-01T00:00:00Z")
    assert quiet["sent"] == []
    for name in scheme.names:
        v2 = f"{name}/v2" if len(scheme.names) > 1 else "v2"
        _relorch(repo, "deploy", v2, "--env", "staging")
        _relorch(repo, "deploy", v2, "--env", "production")
    notified = _relorch(repo, "notify", "--channel", "team", "--now", "2030-01-01T00:00:00Z")
    assert sorted(n["key"] for n in notified["sent"]) == sorted(
        f"deprecation:{n}:v1" for n in scheme.names
    )
