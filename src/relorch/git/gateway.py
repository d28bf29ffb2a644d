"""The one gateway to git: every git call of relorch goes through `Git` and returns plain values.

`Git` is assembled from its parts: `runner` (running git), `tags` and `remote`; this module
adds the repository itself (finding, cloning) and its commits."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from relorch.errors import PreconditionError
from relorch.git.remote import PushResult, RemoteCommands, RemoteRefs
from relorch.git.runner import NETWORK_TIMEOUT, scrub_environment, spawn
from relorch.git.tags import Tag, TagCommands

if TYPE_CHECKING:
    import subprocess


class Git(TagCommands, RemoteCommands):
    """A repository, driven through the git binary (one process per call, plain text out).

    git runs in its own process group and is always reaped: an interrupt or a timeout ends the
    group and waits for it, so no git child outlives relorch and nothing ever signals a PID that
    relorch did not start and wait for. (GitPython's `kill_after_timeout` timer could fire after
    an interrupt and kill a reused PID; its import and its `git version` probes also cost about
    0.1 s on every command.)
    """

    @classmethod
    def discover(cls, path: Path) -> Git:
        """The repository containing `path` (its top level)."""
        scrub_environment()
        # The same call reads where origin's HEAD points (the usual remote's default branch,
        # what `remote_head_branch` would ask next); --revs-only prints nothing when it is
        # missing or dangling instead of failing, and `remote_head_branch` then asks itself.
        asked = ["rev-parse", "--is-bare-repository", "--show-toplevel"]
        asked += ["--revs-only", "--symbolic-full-name", "refs/remotes/origin/HEAD"]
        status, out, _ = spawn(asked, cwd=path) if path.is_dir() else (128, "", "")
        lines = out.splitlines()
        if lines[:1] == ["true"]:
            raise PreconditionError(f"{path} is a bare repository", hint="run relorch in a clone")
        if status != 0 or len(lines) not in (2, 3):
            raise PreconditionError(
                f"{path} is not inside a git repository",
                hint="run relorch inside a clone, or pass -C PATH",
            )
        git = cls(Path(lines[1]))
        prefix = "refs/remotes/origin/"
        if len(lines) == 3 and lines[2].startswith(prefix) and lines[2] != prefix + "HEAD":
            git._facts[("head", "origin")] = lines[2][len(prefix) :]
        return git

    # -- queries ---------------------------------------------------------------------------

    def current_branch(self) -> str | None:
        """The checked-out branch, None on a detached HEAD."""
        status, out, _ = self._execute(["symbolic-ref", "--quiet", "--short", "HEAD"])
        return out if status == 0 and out else None

    def worktree_state(self) -> tuple[str | None, str | None, list[str]]:
        """HEAD's sha (None before a commit), the checked-out branch (None when detached) and
        the tracked files with uncommitted changes, from one `git status`."""
        out = self.run(
            "status",
            "--porcelain=v2",
            "--branch",
            "--no-ahead-behind",
            "--untracked-files=no",
            "-z",
            strip=False,
        )
        head: str | None = None
        branch: str | None = None
        dirty: list[str] = []
        records = iter(out.split("\0"))
        for record in records:
            if record.startswith("# branch.oid "):
                oid = record[13:]
                head = None if oid == "(initial)" else oid
            elif record.startswith("# branch.head "):
                branch = record[14:]
            elif record[:2] in ("1 ", "2 ", "u "):
                fields = {"1": 8, "2": 9, "u": 10}[record[0]]
                dirty.append(record.split(" ", fields)[-1])
                if record[0] == "2":
                    next(records, None)  # a rename's original path
        if branch == "(detached)":
            branch = self.current_branch()  # a branch may bear that name: ask git
        return head, branch, dirty

    def resolve(self, rev: str) -> str | None:
        """The commit sha `rev` names, None when it names nothing."""
        status, out, _ = self._execute(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"])
        return out if status == 0 and out else None

    def head(self) -> str:
        """The sha of HEAD; a repository without commits is a precondition failure."""
        sha = self.resolve("HEAD")
        if sha is None:
            raise PreconditionError(
                "the repository has no commits yet", hint="commit something first"
            )
        return sha

    def batch_reader(self) -> subprocess.Popen[bytes]:
        """A `git cat-file --batch` process for reading many objects (the caller ends it)."""
        from relorch.git.process import start_batch

        return start_batch(self.root)

    def history_cut(self, rev: str) -> bool:
        """Whether the history of `rev` is cut short (a shallow clone, e.g. CI's depth 1).

        Only the cut commits reachable from `rev` count: the ledger is fetched at depth 1,
        which makes any clone "shallow" without cutting a branch's history.
        """
        shallow = self.run("rev-parse", "--git-path", "shallow")
        path = Path(shallow) if Path(shallow).is_absolute() else self.root / shallow
        try:
            cut = path.read_text().split()
        except OSError:
            return False
        return any(self.is_ancestor(sha, rev) for sha in cut if self.has_commit(sha))

    def has_commit(self, sha: str) -> bool:
        """Whether the commit exists in the local object store."""
        status, _, _ = self._execute(["cat-file", "-e", f"{sha}^{{commit}}"])
        return status == 0

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether `ancestor` is reachable from `descendant`."""
        status, _, err = self._execute(["merge-base", "--is-ancestor", ancestor, descendant])
        if status not in (0, 1):
            raise self._error(["merge-base"], err)
        return status == 0

    def log(self, base: str | None, head: str, paths: Sequence[str]) -> list[tuple[str, str]]:
        """(sha, subject) of the commits in base..head touching `paths`, oldest first.

        GitError when `base` or `head` is not in the local object store."""
        rng = f"{base}..{head}" if base else head
        out = self.run("log", "--reverse", "--format=%H%x00%s", rng, "--", *paths)
        return [tuple(line.split("\0", 1)) for line in out.splitlines() if "\0" in line]  # type: ignore[misc]

    def show_file(self, rev: str, path: str) -> str | None:
        """The content of `path` at `rev`, None when it does not exist there."""
        status, out, _ = self._execute(["show", f"{rev}:{path}"], strip=False)
        return out if status == 0 else None

    @staticmethod
    def init_bare(path: Path) -> None:
        """Create a bare repository (demo and benchmarks)."""
        path.mkdir(parents=True, exist_ok=True)
        status, out, err = spawn(["init", "--quiet", "--bare", "--initial-branch=main"], cwd=path)
        if status != 0:
            raise Git._error(["init"], err or out)

    @classmethod
    def clone(cls, source: Path | str, dest: Path) -> Git:
        """Clone `source` into `dest`."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        args = ["clone", "--quiet", "--", str(source), str(dest)]
        status, out, err = spawn(args, cwd=dest.parent)
        if status != 0:
            raise Git._error(["clone"], err or out)
        return cls(dest)


__all__ = ["NETWORK_TIMEOUT", "Git", "PushResult", "RemoteRefs", "Tag"]
