"""The one exception hierarchy: every expected failure carries its exit code and a hint."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes are public API (README: Exit codes)."""

    OK = 0
    OPERATIONAL = 1
    USAGE = 2
    PRECONDITION = 3
    NOTHING_TO_RELEASE = 4
    CONFLICT = 5
    HELD = 6
    INTERRUPTED = 130


class RelorchError(Exception):
    """Base of every error relorch expects; the CLI prints `error:`/`hint:` and exits."""

    exit_code: ExitCode = ExitCode.OPERATIONAL
    default_hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return self.message


class OperationalError(RelorchError):
    """git, network or a deploy step failed (exit 1)."""

    exit_code = ExitCode.OPERATIONAL


class GitError(OperationalError):
    """A git command failed; the message carries git's own words, secrets masked."""

    default_hint = "check the repository and the remote with plain git, then run again"


class UsageError(RelorchError):
    """Bad arguments, REF or config (exit 2)."""

    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """The config file is missing, unreadable or invalid."""

    default_hint = "fix the config file; `relorch init` writes a commented starter"


class PreconditionError(RelorchError):
    """The repository is not in a state where the command may run (exit 3)."""

    exit_code = ExitCode.PRECONDITION


class NothingToRelease(RelorchError):
    """No commit since the last revision touches the API (exit 4, success for CI)."""

    exit_code = ExitCode.NOTHING_TO_RELEASE


class ConflictError(RelorchError):
    """Lost a race after all retries, or a lock is held by another deploy (exit 5)."""

    exit_code = ExitCode.CONFLICT


class HeldError(RelorchError):
    """Somebody objected to the deploy during its notice window (exit 6)."""

    exit_code = ExitCode.HELD


class LedgerLost(PreconditionError):
    """The remote lost ledger records this clone's copy has (exit 3): never silently shrunk."""


class LedgerCorrupt(GitError):
    """The ledger ref holds something relorch did not write or cannot read (exit 1)."""


class FlagFileError(UsageError):
    """A flag file (flags/<api>.yaml or a flagd JSON file) is unreadable or invalid (exit 2)."""

    default_hint = "fix the flag file; `relorch flags check` validates it (see docs/flags.md)"
