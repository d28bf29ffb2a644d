"""The one gateway to git: every git call of relorch goes through here and returns plain values."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from relorch.errors import GitError, PreconditionError
from relorch.masking import mask

if TYPE_CHECKING:
    import subprocess

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


def _scrub_environment() -> None:
    for key in list(os.environ):
        if (
            key.startswith("GIT_")
            and key not in _KEEP_GIT_VARS
            and not key.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "GIT_TRACE"))
        ):
            del os.environ[key]


def _spawn(
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    strip: bool = True,
) -> tuple[int, str, str]:
    """Run git and reap it, whatever happens: (status, stdout, stderr), output parsed in C locale.

    One trailing newline is stripped from both streams (as callers always expected); `strip`
    False keeps stdout exact (file contents). The process group handling is `git.process`.
    """
    from relorch.git.process import run_git

    full_env = {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", **(env or {})}
    try:
        done = run_git(["git", *args], cwd=cwd, env=full_env, timeout=timeout)
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


class Tag(NamedTuple):
    """A tag as relorch needs it: name, the commit it points at, annotated or not, its date.

    A NamedTuple rather than a frozen dataclass: repositories carry tens of thousands of tags
    and this is built once per tag on every release (about 4x cheaper to create).
    """

    name: str
    sha: str
    annotated: bool
    date: datetime | None = None
    subject: str = ""


@dataclass(frozen=True)
class RemoteRefs:
    """What `git ls-remote` said: branch heads and tags (peeled to commits)."""

    heads: dict[str, str]
    tags: dict[str, Tag]
    others: dict[str, str] = field(default_factory=dict)  # other refs asked for, by full name
    tag_objects: dict[str, str] = field(default_factory=dict)  # tag -> the object the ref holds


@dataclass(frozen=True)
class PushResult:
    """The outcome of one push: ok, or the (masked) reason git gave."""

    ok: bool
    message: str
    unchanged: frozenset[str] = frozenset()  # remote refs that already had the pushed value


class Git:
    """A repository, driven through the git binary (one process per call, plain text out).

    git runs in its own process group and is always reaped: an interrupt or a timeout ends the
    group and waits for it, so no git child outlives relorch and nothing ever signals a PID that
    relorch did not start and wait for. (GitPython's `kill_after_timeout` timer could fire after
    an interrupt and kill a reused PID; its import and its `git version` probes also cost about
    0.1 s on every command.)
    """

    def __init__(self, root: Path, *, bare: bool = False) -> None:
        """`bare` True opens a bare repository (the report's cache of a remote) instead."""
        _scrub_environment()
        self.root = root
        self._common: Path | None = None
        if bare or not (root / ".git").exists():
            status, out, _ = _spawn(["rev-parse", "--is-bare-repository"], cwd=root)
            if status != 0 or out != ("true" if bare else "false"):
                raise PreconditionError(
                    f"{root} is not a git repository",
                    hint="run relorch inside a clone, or pass -C PATH",
                )

    @classmethod
    def discover(cls, path: Path) -> Git:
        """The repository containing `path` (its top level)."""
        _scrub_environment()
        status, out, _ = (
            _spawn(["rev-parse", "--is-bare-repository", "--show-toplevel"], cwd=path)
            if path.is_dir()
            else (128, "", "")
        )
        lines = out.splitlines()
        if lines[:1] == ["true"]:
            raise PreconditionError(f"{path} is a bare repository", hint="run relorch in a clone")
        if status != 0 or len(lines) != 2:
            raise PreconditionError(
                f"{path} is not inside a git repository",
                hint="run relorch inside a clone, or pass -C PATH",
            )
        return cls(Path(lines[1]))

    # -- running ---------------------------------------------------------------------------

    def run(
        self,
        *args: str,
        check: bool = True,
        network: bool = False,
        env: dict[str, str] | None = None,
        strip: bool = True,
    ) -> str:
        """Run `git ARGS` in the repository; GitError (masked) when it fails and `check`."""
        status, out, err = self._execute(args, network=network, env=env, strip=strip)
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
    ) -> tuple[int, str, str]:
        extra = dict(_NETWORK_ENV) if network else {}
        extra.update(env or {})
        return _spawn(
            args,
            cwd=self.root,
            env=extra,
            timeout=NETWORK_TIMEOUT if network else None,
            strip=strip,
        )

    @staticmethod
    def _error(args: Sequence[str], text: str) -> GitError:
        return GitError(f"git {mask(_words(args))} failed: {mask(_reason(text))}")

    # -- queries ---------------------------------------------------------------------------

    def current_branch(self) -> str | None:
        """The checked-out branch, None on a detached HEAD."""
        status, out, _ = self._execute(["symbolic-ref", "--quiet", "--short", "HEAD"])
        return out if status == 0 and out else None

    def head_and_branch(self) -> tuple[str | None, str | None]:
        """HEAD's sha and checked-out branch in one git call (None, None before a commit)."""
        status, out, _ = self._execute(["rev-parse", "HEAD", "--symbolic-full-name", "HEAD"])
        lines = out.splitlines()
        if status != 0 or len(lines) != 2:
            return None, self.current_branch()
        branch = lines[1][11:] if lines[1].startswith("refs/heads/") else None
        return lines[0], branch

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

    def dirty_files(self) -> list[str]:
        """Tracked files with uncommitted changes (untracked files do not count)."""
        out = self.run("status", "--porcelain", "--untracked-files=no", strip=False)
        return [line[3:] for line in out.splitlines() if line.strip()]

    def has_remote(self, remote: str) -> bool:
        """Whether `remote` is configured with a URL."""
        return self.config_value(f"remote.{remote}.url") is not None

    def remote_head_branch(self, remote: str) -> str | None:
        """The remote's default branch as last fetched (refs/remotes/R/HEAD); one git call,
        never a scan of packed-refs in Python (16 ms at 20,000 tags)."""
        prefix = f"refs/remotes/{remote}/"
        status, out, _ = self._execute(["symbolic-ref", "--quiet", prefix + "HEAD"])
        if status != 0 or not out.startswith(prefix):
            return None
        return out[len(prefix) :]

    def ls_remote(
        self,
        remote: str,
        heads: Iterable[str],
        tag_globs: Iterable[str],
        refs: Iterable[str] = (),
    ) -> RemoteRefs:
        """One round trip: the named branch heads, the tags matching the globs, other `refs`."""
        # ls-remote matches each pattern against the whole name it prints, so a glob that ends
        # in a literal (`v*.*.0`) never matches the peeled line `refs/tags/v1.2.0^{}`: without
        # the peeled pattern an annotated tag would be compared by its tag-object id.
        wanted = list(refs)
        patterns = [f"refs/heads/{h}" for h in heads]
        for glob in tag_globs:
            patterns += [f"refs/tags/{glob}", f"refs/tags/{glob}^{{}}"]
        out = self.run("ls-remote", remote, *patterns, *wanted, network=True)
        head_map: dict[str, str] = {}
        raw: dict[str, str] = {}
        peeled: dict[str, str] = {}
        others: dict[str, str] = {}
        for line in out.split("\n"):
            sha, _, ref = line.partition("\t")
            if ref.startswith("refs/tags/"):
                if ref.endswith("^{}"):
                    peeled[ref[10:-3]] = sha
                else:
                    raw[ref[10:]] = sha
            elif ref.startswith("refs/heads/"):
                head_map[ref[11:]] = sha
            elif ref in wanted:
                others[ref] = sha
        tags = {name: Tag(name, peeled.get(name, sha), name in peeled) for name, sha in raw.items()}
        return RemoteRefs(heads=head_map, tags=tags, others=others, tag_objects=raw)

    def tag_objects(self, globs: Iterable[str]) -> dict[str, str]:
        """Local tags matching the globs -> the object each ref holds (a tag object or commit)."""
        out = self.run(
            "for-each-ref",
            "--format=%(refname:lstrip=2) %(objectname)",
            *[f"refs/tags/{g}" for g in globs],
        )
        return dict(line.rsplit(" ", 1) for line in out.splitlines() if " " in line)

    def local_tags(self, globs: Iterable[str]) -> list[Tag]:
        """Local tags matching the globs, with the commit each points at and its date.

        Parsed tags are cached (git/tagcache.py) by the object id each tag ref has, which
        for-each-ref lists without reading a tag object; only new or moved tags are read.
        """
        from relorch.git import tagcache

        patterns = [f"refs/tags/{g}" for g in globs]
        listing = self.ref_ids(patterns)
        path = tagcache.cache_file(self.common_dir(), patterns)
        cached = tagcache.load(path)
        tags: list[Tag] = []
        missing: list[str] = []
        for ref, oid in listing.items():
            entry = cached.get(ref[10:])
            if entry is None or entry[0] != oid:
                missing.append(ref)
                continue
            stamp = entry[3]
            when = datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
            tags.append(Tag(ref[10:], entry[1], entry[2], when, entry[4]))
        if missing:
            # a few tags are cheaper to read by name; many, by the patterns at once
            fresh = self._read_tags(missing if len(missing) <= 256 else patterns)
            have = {t.name for t in tags}
            tags.extend(t for t in fresh if t.name not in have and f"refs/tags/{t.name}" in listing)
        if missing or len(cached) != len(listing):
            tagcache.store(
                path,
                {
                    t.name: (
                        listing[f"refs/tags/{t.name}"],
                        t.sha,
                        t.annotated,
                        t.date.timestamp() if t.date is not None else None,
                        t.subject,
                    )
                    for t in tags
                },
            )
        return tags

    def _read_tags(self, patterns: Sequence[str]) -> list[Tag]:
        """Tags matching the ref patterns, each tag object read for its date and subject."""
        fmt = "%00".join(
            (
                "%(refname:lstrip=2)",
                "%(objecttype)",
                "%(objectname)",
                "%(*objectname)",
                "%(creatordate:unix)",
                "%(contents:subject)",
            )
        )
        out = self.run("for-each-ref", f"--format={fmt}", *patterns)
        tags = []
        for line in out.splitlines():
            parts = line.split("\0")
            if len(parts) < 6:
                continue
            name, kind, obj, peeled, stamp, subject = parts[:6]
            when = datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None
            tags.append(Tag(name, peeled or obj, kind == "tag", when, subject))
        return tags

    def ref_ids(self, patterns: Sequence[str]) -> dict[str, str]:
        """refname -> object id of the local refs matching `patterns` (no object is read)."""
        out = self.run("for-each-ref", "--format=%(objectname) %(refname)", *patterns)
        ids: dict[str, str] = {}
        for line in out.splitlines():
            oid, _, ref = line.partition(" ")
            ids[ref] = oid
        return ids

    def remote_ref_ids(self, remote: str, patterns: Sequence[str]) -> dict[str, str]:
        """refname -> object id on `remote` for the refs matching `patterns` (one round trip;
        peeled `^{}` lines are left out: object ids compare with local `ref_ids`)."""
        out = self.run("ls-remote", remote, *patterns, network=True)
        ids: dict[str, str] = {}
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref and not ref.endswith("^{}"):
                ids[ref] = sha
        return ids

    def batch_reader(self) -> subprocess.Popen[bytes]:
        """A `git cat-file --batch` process for reading many objects (the caller ends it)."""
        from relorch.git.process import start_batch

        return start_batch(self.root)

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

    def tag_messages(self, globs: Iterable[str]) -> dict[str, str]:
        """The message (subject and body) of each annotated local tag matching the globs."""
        fmt = "%(refname:lstrip=2)%00%(objecttype)%00%(contents)%00%00"
        out = self.run(
            "for-each-ref", f"--format={fmt}", *[f"refs/tags/{g}" for g in globs], strip=False
        )
        messages = {}
        for entry in out.split("\0\0\n"):
            name, _, rest = entry.partition("\0")
            kind, _, text = rest.partition("\0")
            if name and kind == "tag":
                messages[name] = text
        return messages

    def ls_remote_all(self, url: str) -> tuple[str | None, dict[str, str]]:
        """Every ref a remote (a URL or a remote's name) has, with its HEAD's branch: one
        round trip. Annotated tags appear with their tag object (no `^{}` lines kept)."""
        status, out, err = self._execute(["ls-remote", "--symref", url], network=True)
        if status != 0:
            # git's first fatal line says why ("does not appear to be a git repository",
            # "Could not resolve host"); the last one is boilerplate about access rights.
            lines = [ln for ln in err.splitlines() if ln.startswith("fatal:")] or err.splitlines()
            why = lines[0].removeprefix("fatal:").strip() if lines else "no output"
            raise GitError(f"cannot read {mask(url)}: {mask(why)}")
        head: str | None = None
        refs: dict[str, str] = {}
        for line in out.split("\n"):
            left, _, ref = line.partition("\t")
            if left.startswith("ref: ") and ref == "HEAD":
                target = left[5:]
                head = target[11:] if target.startswith("refs/heads/") else None
            elif ref.startswith("refs/") and not ref.endswith("^{}"):
                refs[ref] = left
        return head, refs

    def fetch_shallow(self, url: str, refspecs: Sequence[str]) -> None:
        """Fetch explicit refspecs one commit deep: the tips and their trees, no history."""
        self.run("fetch", "--quiet", "--no-tags", "--depth=1", url, *refspecs, network=True)

    def last_local_tag(self, glob: str) -> str | None:
        """The local tag matching `glob` that sorts last by name: a cheap hint, not an answer
        (v9 sorts after v10). Sorting by name reads no tag object, unlike a version sort or
        `git describe`, which peel every tag (~0.1 s at 20,000 tags without peeled packed-refs).
        """
        out = self.run(
            "for-each-ref",
            "--count=1",
            "--sort=-refname",
            "--format=%(refname:lstrip=2)",
            f"refs/tags/{glob}",
        )
        return out or None

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

    def tag_message(self, name: str) -> str:
        """The message of a tag (for a lightweight tag, its commit's), empty when unknown."""
        status, out, _ = self._execute(
            ["for-each-ref", "--format=%(contents)", f"refs/tags/{name}"], strip=False
        )
        return out if status == 0 else ""

    def on_remote(self, sha: str, remote: str) -> bool:
        """Whether a remote-tracking branch of `remote` contains the commit (it was pushed)."""
        status, out, _ = self._execute(
            [
                "for-each-ref",
                "--count=1",
                "--format=%(refname)",
                "--contains",
                sha,
                f"refs/remotes/{remote}/",
            ]
        )
        return status == 0 and bool(out)

    def config_value(self, key: str) -> str | None:
        """A git config value, None when unset."""
        status, out, _ = self._execute(["config", "--get", key])
        return out if status == 0 and out else None

    # -- writes ----------------------------------------------------------------------------

    def create_tag(self, name: str, sha: str, message: str) -> None:
        """Create an annotated tag (unsigned: CI has no signing key unless configured)."""
        args = ["tag", "--annotate", "--no-sign", "--cleanup=verbatim", "-m", message, "--", name]
        status, out, err = self._execute([*args, sha])
        if status != 0 and ("ident" in err or "who you are" in err):
            status, out, err = self._execute([*args, sha], env=self._fallback_identity())
        if status != 0:
            raise self._error(args, err or out)

    def _fallback_identity(self) -> dict[str, str]:
        """CI runners often have no user.name/email; an annotated tag needs a tagger."""
        if self.config_value("user.name") or os.environ.get("GIT_COMMITTER_NAME"):
            return {}
        actor = os.environ.get("GITHUB_ACTOR") or os.environ.get("GITLAB_USER_LOGIN") or "relorch"
        return {
            "GIT_COMMITTER_NAME": actor,
            "GIT_COMMITTER_EMAIL": f"{actor}@users.noreply.invalid",
        }

    @staticmethod
    def init_bare(path: Path) -> None:
        """Create a bare repository (demo and benchmarks)."""
        path.mkdir(parents=True, exist_ok=True)
        status, out, err = _spawn(["init", "--quiet", "--bare", "--initial-branch=main"], cwd=path)
        if status != 0:
            raise Git._error(["init"], err or out)

    @classmethod
    def clone(cls, source: Path | str, dest: Path) -> Git:
        """Clone `source` into `dest`."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        args = ["clone", "--quiet", "--", str(source), str(dest)]
        status, out, err = _spawn(args, cwd=dest.parent)
        if status != 0:
            raise Git._error(["clone"], err or out)
        return cls(dest)

    def delete_tag(self, name: str) -> None:
        """Delete a local tag if it exists."""
        self._execute(["tag", "--delete", name])

    def push(
        self,
        remote: str,
        refspecs: Sequence[str],
        *,
        atomic: bool = True,
        leases: Mapping[str, str | None] | None = None,
    ) -> PushResult:
        """Push explicit refspecs (never forced); the result says whether every ref landed.

        `leases` (ref -> the value it must still have, None: must not exist) make those refs
        compare-and-swap updates: the remote applies them only if nobody moved them since.
        """
        args = ["push", "--porcelain", "--no-verify"]
        if atomic:
            args.append("--atomic")
        args += [f"--force-with-lease={ref}:{old or ''}" for ref, old in (leases or {}).items()]
        status, out, err = self._execute([*args, remote, *refspecs], network=True)
        text = "\n".join(part for part in (out, err) if part)
        # --porcelain: "<flag>\t<src>:<dst>\t<summary>"; "=" means the remote already had it.
        unchanged = frozenset(
            line.split("\t")[1].split(":", 1)[-1]
            for line in out.splitlines()
            if line.startswith("=\t") and line.count("\t") >= 2
        )
        return PushResult(ok=status == 0, message=mask(text), unchanged=unchanged)

    def fetch(self, remote: str, refspecs: Sequence[str]) -> None:
        """Fetch explicit refspecs from `remote`."""
        self.run("fetch", "--quiet", "--no-tags", remote, *refspecs, network=True)


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
