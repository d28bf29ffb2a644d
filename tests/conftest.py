"""Shared fixtures: a hermetic git environment and a bare origin with a clone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitrepo import Clone, clone_of, hermetic, make_origin, run_in_process


@pytest.fixture(autouse=True)
def hermetic_git(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No user or system git config, a fixed identity and dates; CI variables cleared."""
    hermetic(monkeypatch, tmp_path_factory.mktemp("home"))
    yield


@pytest.fixture(autouse=True)
def forget_secrets() -> Iterator[None]:
    """Secrets an in-process test registered are masked in that test only: the register is
    process-wide (as in relorch, where one process is one command), so a short URL segment
    one test registered would be masked in the next test's output."""
    from relorch import masking

    kept = set(masking._registered)
    yield
    masking._registered.clear()
    masking._registered.update(kept)
    masking._pattern.cache_clear()


@pytest.fixture(params=["executable", "in-process"])
def both_doors(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a module's tests through the installed executable and through `main()` in-process."""
    if request.param == "in-process":
        monkeypatch.setattr(
            Clone, "relorch", lambda self, *args, **kw: run_in_process(self.path, *args, **kw)
        )
    return str(request.param)


@pytest.fixture
def repo(tmp_path: Path) -> Clone:
    """A clone of a fresh bare origin whose main holds a one-API relorch.toml."""
    return make_origin(tmp_path)


@pytest.fixture
def make_clone(tmp_path: Path, repo: Clone):  # type: ignore[no-untyped-def]
    """Factory: another clone of the same origin."""
    counter = iter(range(1000))
    return lambda: clone_of(repo, tmp_path, f"clone{next(counter)}")
