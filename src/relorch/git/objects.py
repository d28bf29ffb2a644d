"""Git objects without a checkout: blobs, trees and commits read through one `git cat-file
--batch` and written as loose objects (the ledger), and files of commits read the same way."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from relorch.errors import GitError
from relorch.git.gateway import Git
from relorch.git.narrowpush import Loose

# The ref plumbing lived here first; `ledger.store` and `report.sources` import it from here.
from relorch.git.refs import (
    fetch_ref,
    push_ref,
    read_ref,
    remote_ref,
    remote_refs,
    swap_local_ref,
)

TREE_MODE = "40000"
BLOB_MODE = "100644"
# A fixed identity: CI runners often have no user.name, and the actor lives in the records.
IDENTITY = "relorch <relorch@localhost>"


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

    def read(
        self, rev: str, path: str, limit: int, wanted: Callable[[str], bool] | None = None
    ) -> tuple[str, int, bytes | None] | None:
        """(blob id, size, content) of `path` at commit `rev`; None when no file is there.
        The content is None when it is larger than `limit` bytes, or when `wanted(blob id)`
        says it is not needed (a parse cache holds it): read and dropped."""
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
            if size > limit or (wanted is not None and not wanted(blob)):
                left = size + 1  # dropped in pieces: memory stays small whatever the size
                while left > 0:
                    chunk = batch.stdout.read(min(left, 1 << 20))
                    if not chunk:
                        raise GitError(f"cannot read {path} at {rev}: git cat-file ended early")
                    left -= len(chunk)
                return blob, size, None
            data = batch.stdout.read(size)  # not read(size + 1)[:size]: a copy of megabytes
            batch.stdout.read(1)  # the newline after the content
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
        # Every commit and tree read, every blob read with `carry`, and every object written,
        # by id: what a push of what was written needs beside it to be made from a private
        # store (`git.narrowpush`). Other blobs are not kept: reading the whole ledger would
        # hold every record twice.
        self.carried: dict[str, Loose] = {}

    def _read(self, sha: str, expected: bytes, *, carry: bool = False) -> bytes:
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
        if carry or kind != b"blob":
            self.carried[sha] = Loose(sha, kind, data)
        return data

    def read_blob(self, sha: str, *, carry: bool = False) -> bytes:
        """The content of a blob; `carry`: kept in `carried` too (a blob the next write
        changes: a push can send the new one as a delta against it)."""
        return self._read(sha, b"blob", carry=carry)

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
        self.carried[sha] = Loose(sha, kind, data)
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


__all__ = [
    "BLOB_MODE",
    "IDENTITY",
    "TREE_MODE",
    "CommitInfo",
    "FileReader",
    "ObjectStore",
    "TreeEntry",
    "fetch_ref",
    "push_ref",
    "read_ref",
    "remote_ref",
    "remote_refs",
    "swap_local_ref",
]
