"""`relorch init`: a commented starter config from what the repository shows."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from relorch.errors import ConfigError, PreconditionError, UsageError
from relorch.git.gateway import Git
from relorch.versions import API_NAME, DEFAULT_BRANCH_FORMAT, SEMVER_TAG_FORMAT, TagScheme

# A version tag as other tooling leaves it: an optional prefix (`name-`, `name/`, `name@`),
# an optional `v`, then major.minor[.patch]. Pre-releases and build metadata do not match.
_VERSION_TAG = re.compile(
    r"(?P<prefix>(?:[A-Za-z0-9_.-]*[A-Za-z_][-/@])?)(?P<v>v?)"
    r"(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)(?:\.(?P<patch>0|[1-9]\d*))?"
)

_STARTER = """\
# relorch configuration — see the README for every key and its default.
# Only [apis.<name>] is required; everything else shows the defaults.

main_branch = {main}        # the newest major lives here; older majors on release/v{{major}}
# remote = "origin"
# ledger_ref = "refs/relorch/ledger"   # the deploy ledger (not a branch: never triggers CI)

[apis.{api}]
{tag_line}
{legacy_line}
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
# deprecation_period = "6 months"     # ... for 6 months after v(N+1) first goes live ...
# live_env = "production"             # ... here (no such environment: when v(N+1)-rev1 is tagged)
# reminder_before = "4 weeks"
# migration_guide = "https://developer.example.net/migrate"

# [channels.platform]
# kind = "slack"                      # slack | teams | webhook | console | file
# url_env = "RELORCH_SLACK_WEBHOOK"   # the URL comes from this variable, never from a file

[environments.staging]
# deploy = ["./deploy.sh", "{{env}}", "{{tag}}"]   # argv list, never a shell string

[environments.production]
# deploy = ["./deploy.sh", "{{env}}", "{{tag}}"]
promote_from = "staging"             # or "preview": only what was previewed here (deploy --preview)
# announce = ["platform"]
# notice = "15m"
"""


def guess_api_name(root: Path) -> str:
    """The repository folder's name made usable as an API name."""
    name = re.sub(r"[^a-z0-9_-]+", "-", root.name.lower()).strip("-_")
    name = re.sub(r"-api$", "", name) or "api"
    return name if API_NAME.fullmatch(name) else "api"


@dataclass(frozen=True)
class LegacyFinding:
    """The version tags from before relorch that `init` found, and what they mean."""

    templates: tuple[str, ...]  # the proposed legacy_tags
    tag_format: str | None  # "semver" when every tag is vX.Y.Z, None for the default
    counts: dict[int, int]  # major -> how many tags count as its revisions
    ignored: tuple[str, ...]  # version tags relorch cannot count (0.x: majors start at 1)
    newest: str  # the highest version tag of the newest major
    next_tag: str  # what the next `release --revision` on the main branch creates

    def explain(self) -> list[str]:
        """What init tells the user about them."""
        total = sum(self.counts.values())
        majors = ", ".join(f"v{m} ({n})" for m, n in sorted(self.counts.items()))
        lines = [
            f"found {total} version tag(s) from before relorch: {majors}; newest {self.newest}",
            "proposed legacy_tags = ["
            + ", ".join(f'"{t}"' for t in self.templates)
            + "]: they count as the revisions of their major, numbered in semver order",
            f"the next `relorch release --revision` on the main branch will tag {self.next_tag}",
        ]
        if self.tag_format:
            lines.append('every tag is vX.Y.Z, so tag_format = "semver" keeps that naming')
        if self.ignored:
            lines.append(
                f"ignored {len(self.ignored)} tag(s) of major 0 (e.g. {self.ignored[0]}): "
                "relorch majors start at 1"
            )
        return lines


def detect_legacy(git: Git, api: str) -> LegacyFinding | None:
    """The version tags the repository already has (v1.2.3, 1.4.0, v1.2, name-v2.0.1)."""
    counts: dict[str, int] = {}
    found: list[tuple[tuple[int, int, int], str, str]] = []
    ignored = []
    for tag in git.run("tag", "--list").splitlines():
        match = _VERSION_TAG.fullmatch(tag)
        if match is None:
            continue
        if match["major"] == "0":
            ignored.append(tag)
            continue
        prefix = match["prefix"]
        if prefix[:-1] == api:
            prefix = "{api}" + prefix[-1]
        template = prefix + match["v"] + "{major}.{minor}" + (".{patch}" if match["patch"] else "")
        counts[template] = counts.get(template, 0) + 1
        version = (int(match["major"]), int(match["minor"]), int(match["patch"] or 0))
        found.append((version, tag, template))
    if not found:
        return None
    templates = tuple(sorted(counts, key=lambda t: (-counts[t], t)))
    semver = templates == ("v{major}.{minor}.{patch}",)
    scheme = TagScheme(
        api,
        SEMVER_TAG_FORMAT if semver else "v{major}-rev{revision}",
        DEFAULT_BRANCH_FORMAT,
        templates,
    )
    by_major: dict[int, int] = {}
    for version, _, _ in found:
        by_major[version[0]] = by_major.get(version[0], 0) + 1
    newest_major = max(by_major)
    newest = max((v, t) for v, t, _ in found if v[0] == newest_major)[1]
    names = [t for _, t, _ in found]
    next_tag = scheme.next_tag(newest_major, by_major[newest_major] + 1, names)
    return LegacyFinding(
        templates=templates,
        tag_format="semver" if semver else None,
        counts=by_major,
        ignored=tuple(sorted(ignored)),
        newest=newest,
        next_tag=next_tag or "?",
    )


def render_starter(git: Git, api: str | None) -> tuple[str, LegacyFinding | None]:
    """The starter config text, and the legacy tags it adopts."""
    name = api or guess_api_name(git.root)
    if not API_NAME.fullmatch(name):
        raise UsageError(
            f"{name!r} is not usable as an API name",
            hint="lowercase letters, digits, - and _ (e.g. products)",
        )
    main = git.current_branch() or git.remote_head_branch("origin") or "main"
    legacy = detect_legacy(git, name)
    tag_format = legacy.tag_format if legacy else None
    spec = next(
        (
            p
            for p in ("openapi.yaml", "openapi.yml", "openapi.json", "api/openapi.yaml")
            if (git.root / p).is_file()
        ),
        None,
    )
    text = _STARTER.format(
        main=_toml_string(main),
        api=name,
        display=name.replace("-", " ").title(),
        tag_line=f'tag_format = "{tag_format}"'
        if tag_format
        else '# tag_format = "v{major}-rev{revision}"   # or "semver" for v{major}.{revision}.0',
        spec_line=f"spec = {_toml_string(spec)}"
        if spec
        else '# spec = "openapi.yaml"   # breaking-change gate',
        legacy_line="legacy_tags = [" + ", ".join(f'"{t}"' for t in legacy.templates) + "]"
        "   # tags from before relorch, counted as revisions"
        if legacy
        else '# legacy_tags = "semver"   # adopt v1.2.3-style tags from before relorch',
    )
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # a guard: what init writes must load
        raise UsageError(f"the starter config would not be valid TOML: {exc}") from None
    return text, legacy


def _toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes (\\", \\\\, \\n, \\uXXXX) are TOML's too."""
    return json.dumps(value, ensure_ascii=False)


def _refuse_symlink(path: Path) -> None:
    # Writing through a symlink (a dangling one included) could write outside the repository.
    if path.is_symlink():
        raise PreconditionError(
            f"{path} is a symbolic link; relorch init does not write through it",
            hint="remove the link, or write the config by hand",
        )


def write_starter(
    git: Git, *, api: str | None, pyproject: bool, force: bool, dry_run: bool
) -> tuple[Path, str, LegacyFinding | None]:
    """Write relorch.toml (or [tool.relorch] in pyproject.toml); refuse to overwrite."""
    import tomlkit

    text, legacy = render_starter(git, api)
    if not pyproject:
        path = git.root / "relorch.toml"
        _refuse_symlink(path)
        if path.exists() and not force:
            raise PreconditionError(f"{path} exists", hint="pass --force to overwrite it")
        if not dry_run:
            path.write_text(text, encoding="utf-8")
        return path, text, legacy
    path = git.root / "pyproject.toml"
    _refuse_symlink(path)
    try:
        document = (
            tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
        )
    except (tomlkit.exceptions.ParseError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc}); nothing was written",
            hint="fix pyproject.toml first (or use relorch.toml: relorch init without --pyproject)",
        ) from None
    tool = document.setdefault("tool", tomlkit.table())
    if not isinstance(tool, dict):
        raise ConfigError(
            f"{path}: `tool` is not a table; nothing was written",
            hint="tool must be a table ([tool.something] sections)",
        )
    if "relorch" in tool and not force:
        raise PreconditionError(
            f"{path} already has [tool.relorch]", hint="pass --force to replace it"
        )
    # The commented-out tables must carry the prefix too: uncommented, `[channels.x]` would be
    # a table of pyproject.toml that relorch never reads.
    text = re.sub(r"^# \[", "# [tool.relorch.", text, flags=re.MULTILINE)
    tool["relorch"] = tomlkit.parse(text)  # keeps the starter's comments
    out = tomlkit.dumps(document)
    if not dry_run:
        path.write_text(out, encoding="utf-8")
    return path, out, legacy
