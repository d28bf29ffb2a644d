"""`relorch init`: a commented starter config from what the repository shows."""

from __future__ import annotations

import re
from pathlib import Path

from relorch.errors import PreconditionError, UsageError
from relorch.git.gateway import Git
from relorch.versions import API_NAME

_STARTER = """\
# relorch configuration — see the README for every key and its default.
# Only [apis.<name>] is required; everything else shows the defaults.

main_branch = "{main}"        # the newest major lives here; older majors on release/v{{major}}
# remote = "origin"
# ledger_ref = "refs/relorch/ledger"   # the deploy ledger (not a branch: never triggers CI)

[apis.{api}]
{tag_line}
# branch_format = "release/v{{major}}"
# paths = ["."]                       # what belongs to this API (several APIs in one repo)
{spec_line}
# checks = [["pytest", "tests/contract"]]   # gates before tagging, argv lists

# [apis.{api}.apim]
# service = "apim-example"
# display_name = "{display}"
# path = "{api}"
# versioning_scheme = "Segment"       # Segment | Header | Query
# service_url = "https://backend.example.net/v{{major}}"

[support]
# previous_majors = 1                 # N-1 ...
# deprecation_period = "6 months"     # ... for 6 months after v(N+1)-rev1
# reminder_before = "4 weeks"
# migration_guide = "https://developer.example.net/migrate"

# [channels.platform]
# kind = "slack"                      # slack | teams | webhook | console | file
# url_env = "RELORCH_SLACK_WEBHOOK"   # the URL comes from this variable, never from a file

[environments.staging]
# deploy = ["./deploy.sh", "{{env}}", "{{tag}}"]   # argv list, never a shell string

[environments.production]
# deploy = ["./deploy.sh", "{{env}}", "{{tag}}"]
promote_from = "staging"
# announce = ["platform"]
# notice = "15m"
"""


def guess_api_name(root: Path) -> str:
    """The repository folder's name made usable as an API name."""
    name = re.sub(r"[^a-z0-9_-]+", "-", root.name.lower()).strip("-_")
    name = re.sub(r"-api$", "", name) or "api"
    return name if API_NAME.fullmatch(name) else "api"


def detect_tag_format(git: Git) -> str | None:
    """`semver` when the existing tags look like v2.4.0, None for the default."""
    tags = git.run("tag", "--list").splitlines()
    semver = sum(bool(re.fullmatch(r"v[1-9]\d*\.\d+\.\d+", t)) for t in tags)
    revision = sum(bool(re.fullmatch(r"v[1-9]\d*-rev[1-9]\d*", t)) for t in tags)
    return "semver" if semver > revision else None


def render_starter(git: Git, api: str | None) -> str:
    """The starter config text."""
    name = api or guess_api_name(git.root)
    if not API_NAME.fullmatch(name):
        raise UsageError(
            f"{name!r} is not usable as an API name",
            hint="lowercase letters, digits, - and _ (e.g. products)",
        )
    main = git.current_branch() or git.remote_head_branch("origin") or "main"
    tag_format = detect_tag_format(git)
    spec = next(
        (
            p
            for p in ("openapi.yaml", "openapi.yml", "openapi.json", "api/openapi.yaml")
            if (git.root / p).is_file()
        ),
        None,
    )
    return _STARTER.format(
        main=main,
        api=name,
        display=name.replace("-", " ").title(),
        tag_line=f'tag_format = "{tag_format}"'
        if tag_format
        else '# tag_format = "v{major}-rev{revision}"   # or "semver" for v{major}.{revision}.0',
        spec_line=f'spec = "{spec}"'
        if spec
        else '# spec = "openapi.yaml"   # breaking-change gate',
    )


def write_starter(
    git: Git, *, api: str | None, pyproject: bool, force: bool, dry_run: bool
) -> tuple[Path, str]:
    """Write relorch.toml (or [tool.relorch] in pyproject.toml); refuse to overwrite."""
    import tomlkit

    text = render_starter(git, api)
    if not pyproject:
        path = git.root / "relorch.toml"
        if path.exists() and not force:
            raise PreconditionError(f"{path} exists", hint="pass --force to overwrite it")
        if not dry_run:
            path.write_text(text, encoding="utf-8")
        return path, text
    path = git.root / "pyproject.toml"
    document = (
        tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    )
    tool = document.setdefault("tool", tomlkit.table())
    if "relorch" in tool and not force:
        raise PreconditionError(
            f"{path} already has [tool.relorch]", hint="pass --force to replace it"
        )
    tool["relorch"] = tomlkit.parse(text)  # keeps the starter's comments
    out = tomlkit.dumps(document)
    if not dry_run:
        path.write_text(out, encoding="utf-8")
    return path, out
