"""A push that reads only what it sends: the objects a push needs, in a private git
directory whose object store holds them alone.

`git push` feeds every ref the remote advertises that it finds locally to `pack-objects` as a
negative, and pack-objects reads each of those objects: at 20,000 annotated tags that is
0.16 s (about 40 % of the push) to send one tag object or one ledger commit. Pushed from a
directory that has only the needed objects, the remote's other refs are not found there and
are skipped; what the remote is known to hold (the tagged commit, the ledger tip the new
commit builds on) is there and is the negative.

Two callers name the objects:
* a release (`known`): every refspec pushes an annotated tag of a commit the remote's
  listing showed it holds; the tag and the commit are read with one `cat-file --batch`;
* a ledger append (`carried`): every refspec pushes an object the append wrote, and the
  private store gets everything it wrote and every commit and tree it read to write it (the
  old tip and its trees, so unchanged chunks are known as the remote's without being read).

Only SHA-1 object names. The caller runs the plain push whenever this path is not taken or
fails for any reason other than the remote's decision about the refs (`keep_outcome`). The
directory lives under .git/relorch/ for the one push (a killed process's is removed by the
next push); its config includes the repository's (remote URL, credentials, `insteadOf`,
push options), it runs no hooks and no maintenance.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from relorch.git.narrowfetch import private_git_dir, write_config

_PREFIX = "push-"
# A reason in the push's own words that the narrow path itself may have caused (the remote
# lacks an object it was assumed to have, or the pack could not be made here).
_OBJECT_WORDS = ("missing", "unpack", "object", "pack-objects", "corrupt", "bad ")


class Loose(NamedTuple):
    """One object to write: its name, type and content."""

    oid: str
    kind: bytes
    body: bytes


def sources(refspecs: Sequence[str]) -> list[str] | None:
    """The distinct source refs of `refspecs`, None unless each is a tag ref (`refs/tags/…`,
    so not forced: no `+`) pushed to a named destination."""
    found: list[str] = []
    for spec in refspecs:
        src, colon, dst = spec.partition(":")
        if not colon or not dst or not src.startswith("refs/tags/"):
            return None
        if src not in found:
            found.append(src)
    return found


def carried_objects(
    refspecs: Sequence[str], carried: Mapping[str, Loose]
) -> Mapping[str, Loose] | None:
    """`carried` when every refspec pushes one of its objects by id (forced or not), with
    SHA-1 names; None otherwise."""
    for spec in refspecs:
        src, colon, dst = spec.removeprefix("+").partition(":")
        if not colon or not dst or src not in carried or len(src) != 40:
            return None
    return carried


def batch_input(srcs: Sequence[str], known: Sequence[str]) -> bytes:
    """`git cat-file --batch` input naming each source and each known commit."""
    return "".join(f"{name}\n" for name in (*srcs, *known)).encode()


def needed(batch: bytes, srcs: Sequence[str], known: Sequence[str]) -> dict[str, Loose] | None:
    """Parse `cat-file --batch` output for `batch_input(srcs, known)`: each source ref -> its
    tag object, and each known commit a source tags, keyed by its object name; None when a
    source is not an annotated tag of one of `known`, or anything is missing."""
    objects: list[Loose] = []
    pos = 0
    for _ in range(len(srcs) + len(known)):
        end = batch.find(b"\n", pos)
        if end < 0:
            return None
        header = batch[pos:end].split()
        if len(header) != 3 or not header[2].isdigit():
            return None  # "<name> missing" or "ambiguous"
        size = int(header[2])
        body = batch[end + 1 : end + 1 + size]
        if len(body) != size or len(header[0]) != 40:  # SHA-1 repositories only
            return None
        objects.append(Loose(header[0].decode(), header[1], body))
        pos = end + 1 + size + 1
    tags, commits = objects[: len(srcs)], objects[len(srcs) :]
    by_id = {c.oid: c for c in commits if c.kind == b"commit"}
    result: dict[str, Loose] = {}
    for src, tag in zip(srcs, tags, strict=True):
        target, _, kind = tag.body.partition(b"\n")
        if tag.kind != b"tag" or not target.startswith(b"object ") or kind[:12] != b"type commit\n":
            return None
        commit = by_id.get(target[7:].decode("ascii", "replace"))
        if commit is None:
            return None
        result[src] = tag
        result[commit.oid] = commit
    return result


@contextmanager
def private_store(common: Path, objects: Mapping[str, Loose]) -> Iterator[dict[str, str] | None]:
    """The environment that points git at a private directory holding `objects` alone, with
    each key that is a ref (`refs/…`) pointing at its object; removed on exit. None when the
    directory cannot be written."""

    def make(private: Path, common: Path) -> None:
        _make(private, common, objects)

    with private_git_dir(common, _PREFIX, make, shared_objects=False) as env:
        yield env


def keep_outcome(status: int, out: str, err: str) -> bool:
    """Whether the narrow push's result stands: it succeeded, or the remote judged the refs
    (a `!` line for a ref: rejected, stale lease, a hook) for a reason that is not about
    objects. Anything else (the pack could not be made here, the remote lacks an object it
    was assumed to have, a lost connection) is for the plain push to settle."""
    if status == 0:
        return True
    judged = [line for line in out.splitlines() if line.startswith("!\t")]
    text = (out + "\n" + err).lower()
    return bool(judged) and not any(word in text for word in _OBJECT_WORDS)


def _make(private: Path, common: Path, objects: Mapping[str, Loose]) -> None:
    (private / "refs").mkdir(parents=True)
    write_config(private, common / "config")
    refs = []
    for key, obj in objects.items():
        if key.startswith("refs/"):
            refs.append(f"{obj.oid} {key}\n")
        folder = private / "objects" / obj.oid[:2]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / obj.oid[2:]
        try:  # a loose object of the repository (what the ledger wrote): linked, not copied
            os.link(common / "objects" / obj.oid[:2] / obj.oid[2:], target)
            continue
        except OSError:
            pass
        # Stored, not deflated: the directory lives for one push, and pack-objects deflates
        # what it sends anyway (level 1 took 3 ms for a ledger chunk and state.json).
        packer = zlib.compressobj(0)
        header = obj.kind + b" " + str(len(obj.body)).encode() + b"\0"
        target.write_bytes(packer.compress(header) + packer.compress(obj.body) + packer.flush())
    (private / "packed-refs").write_text("".join(sorted(refs)))
