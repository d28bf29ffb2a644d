"""Git plumbing for the ledger and deploys: objects, compare-and-swap refs, worktrees (gateway)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from relorch.errors import GitError
from relorch.git.gateway import Git

ZERO_SHA = "0" * 40
TREE_MODE = "40000"
BLOB_MODE = "100644"
# A fixed identity: CI runners often have no user.name, and the actor lives in the records.
IDENTITY = "relorch <relorch@localhost>"
# Where a fetch that must not move the local ref lands for the moment it takes to read it.
_FETCHING = "refs/relorch/fetching"
_LOCK_WORDS = ("cannot lock ref", "unable to create", ".lock", "unable to update local ref")


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a tree object: its mode ("100644" blob, "40000" tree) and object id."""

    mode: str
    sha: str


@dataclass(frozen=True)
class CommitInfo:
    """What a commit object says: its tree, parents and message."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str


class _BatchUser:
    """Owns one long-lived `git cat-file --batch`, started on first use; `close()` (or `with`)
    ends it."""

    def __init__(self, git: Git) -> None:
        self._git = git
        self._batch: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the helper process, if one was started."""
        batch, self._batch = self._batch, None
        if batch is not None:
            _end_batch(batch)

    def _reader(self) -> subprocess.Popen[bytes]:
        if self._batch is None:
            self._batch = self._git.batch_reader()
        return self._batch


class FileReader(_BatchUser):
    """Files of commits read through one long-lived `git cat-file --batch`: a document split
    over hundreds of files costs one process, not one per file. `close()` (or `with`) ends it."""

    def read(self, rev: str, path: str, limit: int) -> tuple[str, int, bytes | None] | None:
        """(blob id, size, content) of `path` at commit `rev`; None when no file is there.
        The content is None when it is larger than `limit` bytes (read and dropped)."""
        if "\n" in path or "\n" in rev:
            return None
        batch = self._reader()
        assert batch.stdin is not None and batch.stdout is not None
        try:
            batch.stdin.write(f"{rev}:{path}\n".encode())
            batch.stdin.flush()
            line = batch.stdout.readline()
            header = line.split()
            if line.rstrip().endswith((b" missing", b" ambiguous")) or len(header) != 3:
                return None  # "<rev>:<path> missing" (the path may hold spaces)
            blob, kind, size = header[0].decode(), header[1], int(header[2])
            if size > limit:  # drop it in pieces: memory stays small whatever the size
                left = size + 1
                while left > 0:
                    chunk = batch.stdout.read(min(left, 1 << 20))
                    if not chunk:
                        raise GitError(f"cannot read {path} at {rev}: git cat-file ended early")
                    left -= len(chunk)
                return blob, size, None
            data = batch.stdout.read(size + 1)[:size]  # the content, then a newline
        except (OSError, ValueError) as exc:
            raise GitError(f"cannot read {path} at {rev}: {exc}") from None
        if len(data) != size:
            raise GitError(f"cannot read {path} at {rev}: git cat-file ended early")
        return (blob, size, data) if kind == b"blob" else None


def _end_batch(batch: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        assert batch.stdin is not None
        batch.stdin.close()
    try:
        batch.wait(timeout=5)
    except subprocess.TimeoutExpired:
        batch.kill()
        batch.wait()
    if batch.stdout is not None:
        batch.stdout.close()


class ObjectStore(_BatchUser):
    """Blobs, trees and commits read and written for the ledger, without a checkout.

    Reads go through one long-lived `git cat-file --batch` (started on the first read), so
    `close()` (or `with`) must end it; writes are loose objects written in-process the way git
    writes them (zlib, then a rename into place), so appending a record starts no process per
    object.
    """

    def __init__(self, git: Git) -> None:
        super().__init__(git)
        self._objects = git.common_dir() / "objects"

    def _read(self, sha: str, expected: bytes) -> bytes:
        if len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
            raise GitError(f"cannot read git object {sha!r}: not an object id")
        batch = self._reader()
        assert batch.stdin is not None and batch.stdout is not None
        try:
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) != 3:
                raise GitError(f"cannot read git object {sha}: it does not exist here")
            kind, size = header[1], int(header[2])
            data = batch.stdout.read(size + 1)[:size]  # the content, then a newline
        except (OSError, ValueError) as exc:
            raise GitError(f"cannot read git object {sha}: {exc}") from None
        if len(data) != size:
            raise GitError(f"cannot read git object {sha}: git cat-file ended early")
        if kind != expected:
            raise GitError(f"git object {sha} is a {kind.decode()}, not a {expected.decode()}")
        return data

    def read_blob(self, sha: str) -> bytes:
        """The content of a blob."""
        return self._read(sha, b"blob")

    def read_tree(self, sha: str) -> dict[str, TreeEntry]:
        """The entries of a tree: name -> (mode, sha)."""
        raw = self._read(sha, b"tree")
        entries: dict[str, TreeEntry] = {}
        pos = 0
        while pos < len(raw):
            space = raw.index(b" ", pos)
            nul = raw.index(b"\0", space)
            mode = raw[pos:space].decode()
            name = raw[space + 1 : nul].decode("utf-8", "surrogateescape")
            entries[name] = TreeEntry(mode, raw[nul + 1 : nul + 21].hex())
            pos = nul + 21
        return entries

    def read_commit(self, sha: str) -> CommitInfo:
        """The tree, parents and message of a commit."""
        raw = self._read(sha, b"commit").decode("utf-8", "replace")
        header, _, message = raw.partition("\n\n")
        tree = ""
        parents: list[str] = []
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            if key == "tree":
                tree = value
            elif key == "parent":
                parents.append(value)
        return CommitInfo(sha, tree, tuple(parents), message)

    def _store(self, kind: bytes, data: bytes) -> str:
        """Write a loose object as git does: deflate `<kind> <size>\\0<data>`, write a temporary
        file in the objects directory, rename it into place (an object that exists is kept)."""
        raw = kind + b" " + str(len(data)).encode() + b"\0" + data
        sha = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
        target = self._objects / sha[:2] / sha[2:]
        if target.exists():
            return sha
        try:
            target.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=self._objects)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(zlib.compress(raw, 1))
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise GitError(
                f"cannot write to the git object store {self._objects}: {exc.strerror}",
                hint="check free disk space and the permissions of .git/objects",
            ) from None
        return sha

    def write_blob(self, data: bytes) -> str:
        """Store a blob; its id."""
        return self._store(b"blob", data)

    def write_tree(self, entries: Mapping[str, TreeEntry]) -> str:
        """Store a tree (entries sorted the way git sorts them); its id."""

        def order(name: str) -> bytes:
            raw = name.encode("utf-8", "surrogateescape")
            return raw + b"/" if entries[name].mode == TREE_MODE else raw

        body = b"".join(
            f"{entries[name].mode} ".encode()
            + name.encode("utf-8", "surrogateescape")
            + b"\0"
            + bytes.fromhex(entries[name].sha)
            for name in sorted(entries, key=order)
        )
        return self._store(b"tree", body)

    def write_commit(
        self, tree: str, parents: tuple[str, ...], message: str, when: datetime
    ) -> str:
        """Store a commit by relorch's fixed identity at `when`; its id."""
        stamp = f"{int(when.astimezone(UTC).timestamp())} +0000"
        lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
        lines += [f"author {IDENTITY} {stamp}", f"committer {IDENTITY} {stamp}"]
        text = "\n".join(lines) + "\n\n" + message.rstrip("\n") + "\n"
        return self._store(b"commit", text.encode())


# -- refs --------------------------------------------------------------------------------------


def read_ref(git: Git, ref: str) -> str | None:
    """The commit a local ref points at, None when it does not exist."""
    return git.resolve(ref)


def swap_local_ref(git: Git, ref: str, new: str, old: str | None) -> bool:
    """Compare-and-swap a local ref (`git update-ref REF NEW OLD`); False when OLD is gone."""
    try:
        git.run("update-ref", "-m", "relorch ledger", ref, new, old or ZERO_SHA)
    except GitError:
        return False
    return True


def remote_ref(git: Git, remote: str, ref: str) -> str | None:
    """The sha the remote's `ref` points at (one round trip), None when it has no such ref."""
    out = git.run("ls-remote", remote, ref, network=True)
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


def fetch_ref(
    git: Git, remote: str, ref: str, *, shallow: bool, attempts: int = 6, update: bool = True
) -> str:
    """Mirror the remote's `ref` into the same local ref (retrying local ref-lock contention)
    and return the sha that arrived; `update` False fetches its objects only, leaving the
    local ref to the caller.

    The sha returned is what the fetch brought, which may be newer than an `ls-remote` read
    a moment before (another writer pushed in between); with `shallow` only that commit is
    here, so the caller must build on it, not on the older value. Without `update` the fetch
    lands on a ref private to this process, read and deleted at once (a killed process
    leaves one that `clean_fetch_refs` removes).

    `shallow` fetches only the tip commit: every reader needs only the newest tree, and a
    fresh CI clone should not download the whole append history.
    """
    args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head"]
    if shallow:
        args.append("--depth=1")
    target = ref if update else f"{_FETCHING}/{os.getpid()}-{secrets.token_hex(4)}"
    for attempt in range(attempts):
        try:
            git.run(*args, remote, f"+{ref}:{target}", network=True)
            break
        except GitError as exc:
            # Two relorch processes in one clone race for the local ref or .git/shallow lock.
            if attempt + 1 == attempts or not any(w in str(exc).lower() for w in _LOCK_WORDS):
                raise
            time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))
    sha = read_ref(git, target)
    if sha is None:
        raise GitError(f"fetching {ref} from {remote} brought nothing")
    if not update:
        git.run("update-ref", "--no-deref", "-d", target, check=False)
    return sha


def clean_fetch_refs(git: Git) -> None:
    """Delete the private refs of fetches whose process is gone (killed mid-fetch)."""
    out = git.run("for-each-ref", "--format=%(refname)", _FETCHING, check=False)
    for name in out.split():
        pid = name.rsplit("/", 1)[-1].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            git.run("update-ref", "--no-deref", "-d", name, check=False)


@dataclass(frozen=True)
class PushOutcome:
    """A ref push: landed, or rejected by the remote (stale base, lost race, hook), or failed."""

    ok: bool
    rejected: bool
    message: str


def push_ref(git: Git, remote: str, new: str, ref: str) -> PushOutcome:
    """Push `new` to the remote's `ref`, never forced: the remote accepts only a fast-forward
    from the value it holds, so the push is a compare-and-swap."""
    result = git.push(remote, [f"{new}:{ref}"], atomic=False)
    if result.ok:
        return PushOutcome(True, False, result.message)
    rejected = any(line.startswith("!") and ref in line for line in result.message.splitlines())
    return PushOutcome(False, rejected, result.message)


# -- worktrees ---------------------------------------------------------------------------------


# A deploy's worktree is locked with this reason, so a deploy killed with SIGKILL leaves an
# entry the next deploy recognises as relorch's own and as dead; a user's worktrees never match.
_DEPLOY_LOCK = re.compile(r"relorch deploy pid (?P<pid>[0-9]+) on (?P<host>\S+)")


def _lock_for_deploy(git: Git, path: Path) -> None:
    reason = f"relorch deploy pid {os.getpid()} on {socket.gethostname()}"
    git.run("worktree", "lock", "--reason", reason, "--", str(path), check=False)


# git's parallel checkout (git >= 2.32): one worker per core once a checkout has 100 files;
# a 30,000-file tree checks out about 3.5x faster on two cores than with one process.
_PARALLEL = ("-c", "checkout.workers=0", "-c", "checkout.thresholdForParallelism=100")


def add_worktree(git: Git, path: Path, sha: str, paths: Sequence[str] = ()) -> None:
    """A detached worktree of `sha` at `path` (the user's checkout is never touched).

    With `paths`, only those are checked out (gitignore-style patterns): the other files are
    marked skip-worktree in the worktree's own index, so `git status` there stays clean. The
    patterns go in the worktree's private info/sparse-checkout and core.sparseCheckout is given
    on the command line only: `git sparse-checkout` would turn on extensions.worktreeConfig in
    the user's repository config.
    """
    if not paths:
        git.run(*_PARALLEL, "worktree", "add", "--detach", "--quiet", "--", str(path), sha)
        _lock_for_deploy(git, path)
        return
    git.run("worktree", "add", "--detach", "--no-checkout", "--quiet", "--", str(path), sha)
    _lock_for_deploy(git, path)
    tree = Git(path)
    private = Path(tree.run("rev-parse", "--absolute-git-dir"))
    (private / "info").mkdir(exist_ok=True)
    patterns = "".join("/" + p.lstrip("/") + "\n" for p in paths)  # anchored at the top
    (private / "info" / "sparse-checkout").write_text(patterns, encoding="utf-8")
    sparse = ("-c", "core.sparseCheckout=true", "-c", "core.sparseCheckoutCone=false")
    tree.run(*_PARALLEL, *sparse, "read-tree", "-mu", "HEAD")


def remove_worktree(git: Git, path: Path) -> None:
    """Remove a worktree made by add_worktree, even when its files were changed or deleted."""
    try:
        git.run("worktree", "remove", "--force", "--force", "--", str(path))
    except GitError:
        git.run("worktree", "unlock", "--", str(path), check=False)
        git.run("worktree", "prune", check=False)


def sweep_worktrees(git: Git) -> list[Path]:
    """Remove the worktrees of relorch deploys that died (SIGKILL, power loss) on this host:
    locked by relorch, named relorch-deploy-*/worktree, their process gone. Returns them."""
    out = git.run("worktree", "list", "--porcelain")
    swept = []
    for block in out.split("\n\n"):
        fields = dict(line.partition(" ")[::2] for line in block.splitlines())
        path = Path(fields.get("worktree", ""))
        match = _DEPLOY_LOCK.fullmatch(fields.get("locked", ""))
        if match is None or path.name != "worktree":
            continue
        if not path.parent.name.startswith("relorch-deploy-"):
            continue
        if match["host"] != socket.gethostname() or _alive(int(match["pid"])):
            continue
        remove_worktree(git, path)
        shutil.rmtree(path.parent, ignore_errors=True)
        swept.append(path)
    return swept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True
