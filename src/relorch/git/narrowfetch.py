"""A fetch that sees only a few local refs: `git fetch` in a private git directory sharing the
repository's object store, so its cost does not grow with the number of local tags.

The private directory lives under .git/relorch/ for the one fetch (a killed process's is
removed by the next fetch). It includes the repository's config (remote URL, credentials,
`insteadOf`, extra headers), never runs hooks or maintenance (maintenance there would see
only its few refs and could drop every other object of the shared store), and its refs are
`bases` alone. The fetched objects land in the repository's store; its refs are left to the
caller (`RemoteCommands.fetch_listed`), which sets them in one transaction.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from relorch.git.process import alive

_PREFIX = "fetch-"
# Whatever the repository's config says: maintenance in the private directory would prune
# the shared store by its refs, a commit-graph written there would cover only its refs.
_SAFE = ("-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "core.hooksPath=/dev/null")
_OPTIONS = (
    "--quiet",
    "--no-tags",
    "--no-prune",
    "--no-write-fetch-head",
    "--no-auto-maintenance",
    "--no-write-commit-graph",
    "--no-recurse-submodules",
    "--refmap=",
)


@contextmanager
def private_dir(common: Path, bases: Mapping[str, str]) -> Iterator[dict[str, str] | None]:
    """The environment that points git at a private directory whose refs are `bases` (ref ->
    object id), removed on exit; None when this path is not open: a shallow clone (the
    private directory would not know where history is cut), no bases (the connectivity
    check would walk all history), or a directory that cannot be written."""
    if (common / "shallow").exists() or not bases:
        yield None
        return

    def make(private: Path, common: Path) -> None:
        _make(private, common / "config", bases)

    with private_git_dir(common, _PREFIX, make, shared_objects=True) as env:
        yield env


@contextmanager
def private_git_dir(
    common: Path, prefix: str, make: Callable[[Path, Path], None], *, shared_objects: bool
) -> Iterator[dict[str, str] | None]:
    """The environment that points git at a new directory `<common>/relorch/<prefix><pid>-…`
    filled by `make(directory, common)`, whose object store is the repository's
    (`shared_objects`) or its own, removed on exit (those of dead processes named `prefix…`
    are removed first); None when it cannot be made, or `common` has a newline (the config
    include could not name it). Paths are absolute: git runs in the work tree."""
    common = common.absolute()
    if "\n" in str(common):
        yield None
        return
    home = common / "relorch"
    _clean(home, prefix)
    private = home / f"{prefix}{os.getpid()}-{os.urandom(4).hex()}"
    try:
        try:
            make(private, common)
        except OSError:
            yield None
            return
        store = (common if shared_objects else private) / "objects"
        yield {"GIT_DIR": str(private), "GIT_OBJECT_DIRECTORY": str(store)}
    finally:
        shutil.rmtree(private, ignore_errors=True)


def fetch_args(remote: str, refspecs: Sequence[str]) -> list[str]:
    """The fetch to run there: each refspec's src into a ref of the private directory."""
    wanted = [
        f"+{spec.removeprefix('+').partition(':')[0]}:refs/fetched/{n}"
        for n, spec in enumerate(refspecs)
    ]
    return [*_SAFE, "fetch", *_OPTIONS, remote, *wanted]


def ref_updates(refspecs: Sequence[str], listed: Mapping[str, str]) -> list[str] | None:
    """`update-ref --stdin` commands setting each refspec's dst to its src's listed object
    (`update` for `+src:dst`, `create` otherwise); None when a src was not listed."""
    commands = []
    for spec in refspecs:
        src, _, dst = spec.removeprefix("+").partition(":")
        if src not in listed or not dst:
            return None
        verb = "update" if spec.startswith("+") else "create"
        commands.append(f"{verb} {dst} {listed[src]}\n")
    return commands


def _make(private: Path, config: Path, bases: Mapping[str, str]) -> None:
    """A git directory with `bases` as its refs, the repository's config included."""
    (private / "refs").mkdir(parents=True)
    write_config(private, config)
    (private / "packed-refs").write_text(
        "".join(f"{oid} {ref}\n" for ref, oid in sorted(bases.items()))
    )


def write_config(private: Path, config: Path) -> None:
    """HEAD and a config that includes the repository's `config` and turns off hooks and
    maintenance, in the private git directory `private`."""
    (private / "HEAD").write_text("ref: refs/heads/main\n")
    quoted = str(config).replace("\\", "\\\\").replace('"', '\\"')
    (private / "config").write_text(
        f'[include]\n\tpath = "{quoted}"\n[core]\n\tbare = true\n\thooksPath = /dev/null\n'
        "[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n"
    )


def _clean(home: Path, prefix: str) -> None:
    """Remove the private directories named `prefix…` whose process is gone (killed)."""
    try:
        names = [e.name for e in os.scandir(home) if e.name.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix) :].partition("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(home / name, ignore_errors=True)
