"""Running git in one repository: a scrubbed environment, the C locale, a deadline on network
calls, and git's own reason when a call fails (the base every part of `Git` builds on)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from relorch.errors import GitError, PreconditionError
from relorch.masking import mask

NETWORK_TIMEOUT = 300.0
# Variables a hook or an outer git leaks into our environment that would point our git calls at
# the wrong repository (pre-commit strips the same set for the same reason: its git.no_git_env).
_KEEP_GIT_VARS = (
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSL_CAINFO",
    "GIT_SSL_NO_VERIFY",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_CONFIG_COUNT",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
    "GIT_TERMINAL_PROMPT",
    "GIT_ASKPASS",
    "GIT_HTTP_USER_AGENT",
    "GIT_PROTOCOL_FROM_USER",
    "GIT_ALLOW_PROTOCOL",
)
_NETWORK_ENV = {"GIT_TERMINAL_PROMPT": "0"}


def scrub_environment() -> None:
    for key in list(os.environ):
        if (
            key.startswith("GIT_")
            and key not in _KEEP_GIT_VARS
            and not key.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_TRACE"))
        ):
            del os.environ[key]


def spawn(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    strip: bool = True,
    input: str | None = None,
) -> tuple[int, str, str]:
    """Run git and reap it, whatever happens: (status, stdout, stderr), output parsed in C locale.

    One trailing newline is stripped from both streams (as callers always expected); `strip`
    False keeps stdout exact (file contents). The process group handling is `git.process`.
    """
    from relorch.git.process import run_git

    full_env = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", **(env or {})}
    try:
        done = run_git(
            ["git", *args],
            cwd=cwd,
            env=full_env,
            timeout=timeout,
            input=None if input is None else input.encode(),
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", hint="install git") from None
    if done.status is None:
        raise GitError(
            f"git {mask(_words(args))} did not finish within {timeout or 0:.0f} s",
            hint="check the network and the remote, then run the command again",
        )
    out, err = done.out, done.err
    if strip and out.endswith("\n"):
        out = out[:-1]
    return done.status, out, err.removesuffix("\n")


class Runner:
    """A repository and the one way to run git in it; `Git` adds what relorch asks of it."""

    def __init__(self, root: Path, *, bare: bool = False) -> None:
        """`bare` True opens a bare repository (the report's cache of a remote) instead."""
        scrub_environment()
        self.root = root
        self._common: Path | None = None
        # Facts a command asks for again and again that git changes only when told to (the
        # remotes configured, each one's HEAD branch): read once per Git, one process each.
        self._facts: dict[tuple[str, str], str | None] = {}
        if bare or not (root / ".git").exists():
            status, out, _ = spawn(["rev-parse", "--is-bare-repository"], cwd=root)
            if status != 0 or out != ("true" if bare else "false"):
                raise PreconditionError(
                    f"{root} is not a git repository",
                    hint="run relorch inside a clone, or pass -C PATH",
                )

    def run(
        self,
        *args: str,
        check: bool = True,
        network: bool = False,
        env: dict[str, str] | None = None,
        strip: bool = True,
        input: str | None = None,
    ) -> str:
        """Run `git ARGS` in the repository (`input` on its standard input); GitError (masked)
        when it fails and `check`."""
        status, out, err = self._execute(args, network=network, env=env, strip=strip, input=input)
        if status != 0 and check:
            raise self._error(args, err or out)
        return out

    def _execute(
        self,
        args: Sequence[str],
        *,
        network: bool = False,
        env: dict[str, str] | None = None,
        strip: bool = True,
        input: str | None = None,
    ) -> tuple[int, str, str]:
        extra = dict(_NETWORK_ENV) if network else {}
        extra.update(env or {})
        return spawn(
            args,
            cwd=self.root,
            env=extra,
            timeout=NETWORK_TIMEOUT if network else None,
            strip=strip,
            input=input,
        )

    @staticmethod
    def _error(args: Sequence[str], text: str) -> GitError:
        return GitError(f"git {mask(_words(args))} failed: {mask(_reason(text))}")

    def ref_ids(self, patterns: Sequence[str]) -> dict[str, str]:
        """refname -> object id of the local refs matching `patterns` (no object is read)."""
        out = self.run("for-each-ref", "--format=%(objectname) %(refname)", *patterns)
        ids: dict[str, str] = {}
        for line in out.splitlines():
            oid, _, ref = line.partition(" ")
            ids[ref] = oid
        return ids

    def common_dir(self) -> Path:
        """The repository's shared .git directory (the same for every worktree)."""
        if self._common is None:
            dot_git = self.root / ".git"
            if dot_git.is_dir():
                self._common = dot_git
            else:
                self._common = Path(
                    self.run("rev-parse", "--path-format=absolute", "--git-common-dir")
                )
        return self._common

    def config_value(self, key: str) -> str | None:
        """A git config value, None when unset."""
        status, out, _ = self._execute(["config", "--get", key])
        return out if status == 0 and out else None


def _words(args: Sequence[str]) -> str:
    return " ".join(a for a in args[:3] if not a.startswith("-"))


def _reason(text: str) -> str:
    """git's own reason: its `fatal:`/`error:` line, not the advice that follows it.

    A remote that is gone says "fatal: '…' does not appear to be a git repository", then
    "fatal: Could not read from remote repository.", then advice ending "and the repository
    exists."; the first cause is the one that says what is wrong.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return "no output"
    causes = [line for line in lines if line.startswith(("fatal:", "error:", "! ["))]
    return causes[0] if causes else lines[-1]
