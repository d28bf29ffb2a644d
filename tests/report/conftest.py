"""The realistic repository and its site, built once per test module (building takes seconds)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.gitrepo import Clone, run_relorch
from tests.report.sitekit import NOW, realistic_repo


@dataclass(frozen=True)
class Built:
    """The repository and the folder `relorch report -o` wrote."""

    repo: Clone
    site: Path


def hermetic(mp: pytest.MonkeyPatch, home: Path) -> None:
    """The same isolation as tests/conftest.py's hermetic_git, for module-scoped fixtures."""
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n"
        "[init]\n\tdefaultBranch = main\n[tag]\n\tgpgSign = false\n"
        '[protocol "file"]\n\tallow = always\n'
    )
    mp.setenv("GIT_CONFIG_GLOBAL", str(config))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
    mp.setenv("HOME", str(home))
    for key in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        mp.setenv(key, "2026-01-15T10:00:00Z")
    for key in ("GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITLAB_CI", "CI"):
        mp.delenv(key, raising=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        hermetic(mp, root)
        repo = realistic_repo(root)
        site = root / "site"
        done = run_relorch(repo.path, "report", "-o", str(site), "--now", NOW)
        assert done.returncode == 0, done.stderr
        yield Built(repo, site)
