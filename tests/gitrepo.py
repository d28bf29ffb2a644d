"""Test helpers: real git repositories (bare origin + clones) and the installed relorch binary."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.jsondocs import check_output

RELORCH = str(Path(sys.executable).parent / "relorch")
DEFAULT_CONFIG = "[apis.products]\n"
# What CI sets and relorch reads; cleared so that a test sees only what it sets itself.
CI_VARIABLES = (
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITLAB_CI",
    "RELORCH_DOTENV",
    "RELORCH_ACTOR",
    "RELORCH_RUN_URL",
    "CI",
)


def hermetic(patch: pytest.MonkeyPatch, home: Path) -> None:
    """No user or system git config, a fixed identity and dates, CI variables cleared (for
    conftest's `hermetic_git`, and for module-scoped fixtures that build a repository once)."""
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[tag]\n\tgpgSign = false\n[commit]\n\tgpgSign = false\n"
        '[advice]\n\tdetachedHead = false\n[protocol "file"]\n\tallow = always\n'
    )
    patch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    patch.setenv("HOME", str(home))
    for key in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        patch.setenv(key, "2026-01-15T10:00:00Z")
    for key in CI_VARIABLES:
        patch.delenv(key, raising=False)
    patch.setenv("NO_COLOR", "1")


def git(cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    """Run plain git (the test's own calls, independent of relorch's gateway)."""
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def run_relorch(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """The installed `relorch` executable, the way CI runs it (--json output validated)."""
    proc = subprocess.run(
        [RELORCH, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        input=input,
    )
    check_output(args, proc.stdout)
    return proc


def run_in_process(
    cwd: Path, *args: str, env: dict[str, str] | None = None, **_: object
) -> subprocess.CompletedProcess[str]:
    """`relorch.cli.main` in this process, started in `cwd`, with stdout/stderr captured."""
    import contextlib
    import io

    from relorch.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = {key: os.environ.get(key) for key in env or {}}
    before = Path.cwd()
    os.environ.update(env or {})
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(before)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    check_output(args, out.getvalue())
    return subprocess.CompletedProcess(["relorch", *args], code, out.getvalue(), err.getvalue())


@dataclass
class Clone:
    """A working clone of the test origin."""

    path: Path
    origin: Path

    def git(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        return git(self.path, *args, check=check, env=env)

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        """Write files (default: a change to a counter file), commit, return the sha."""
        files = files or {"CHANGES.txt": message + "\n"}
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            before = target.read_text() if name == "CHANGES.txt" and target.exists() else ""
            target.write_text(before + content)
            self.git("add", name)
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push(self, *refs: str) -> None:
        self.git("push", "-q", "origin", *(refs or ("HEAD",)))

    def tag(
        self, name: str, rev: str = "HEAD", message: str | None = None, push: bool = True
    ) -> None:
        """An annotated tag (a revision tag as relorch would make it)."""
        self.git("tag", "-a", name, "-m", message or name, rev)
        if push:
            self.git("push", "-q", "origin", f"refs/tags/{name}")

    def relorch(self, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return run_relorch(self.path, *args, **kw)  # type: ignore[arg-type]

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def remote_refs(self) -> dict[str, str]:
        """Every ref of the origin (name -> sha), to prove what changed there."""
        out = git(self.origin, "for-each-ref", "--format=%(refname) %(objectname)")
        return dict(tuple(line.split(" ", 1)) for line in out.splitlines())  # type: ignore[misc]

    def local_tags(self) -> list[str]:
        return self.git("tag", "--list").split()


def make_origin(
    root: Path, config: str = DEFAULT_CONFIG, files: dict[str, str] | None = None
) -> Clone:
    """A bare origin with one commit on main holding `config` as relorch.toml; returns a clone."""
    origin = root / "origin.git"
    git(root, "init", "-q", "--bare", str(origin))
    seed = root / "seed"
    git(root, "clone", "-q", str(origin), str(seed))
    clone = Clone(seed, origin)
    clone.commit("chore: initial commit", {"relorch.toml": config, **(files or {})})
    clone.push("HEAD:refs/heads/main")
    git(origin, "symbolic-ref", "HEAD", "refs/heads/main")
    return clone


def tag_revisions(repo: Clone, count: int) -> Clone:
    """Tag v1-rev1..N on main: the first at HEAD, each next one on a new pushed commit."""
    for number in range(1, count + 1):
        if number > 1:
            repo.commit(f"feat: change {number}")
            repo.push("HEAD:main")
        repo.tag(f"v1-rev{number}")
    return repo


def clone_of(clone: Clone, root: Path, name: str) -> Clone:
    """Another clone of the same origin."""
    path = root / name
    git(root, "clone", "-q", str(clone.origin), str(path))
    return Clone(path, clone.origin)
