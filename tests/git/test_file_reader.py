"""FileReader: files of any commit through one `git cat-file --batch`, never the worktree."""

from __future__ import annotations

from pathlib import Path

from relorch.git.gateway import Git
from relorch.git.objects import FileReader
from tests.gitrepo import make_origin


def test_reads_files_at_a_commit_with_their_blob_ids(tmp_path: Path) -> None:
    clone = make_origin(tmp_path, files={"a b/spec one.yaml": "one\n", "big.txt": "x" * 5000})
    first = clone.head()
    clone.commit("two", {"a b/spec one.yaml": "two\n"})
    (clone.path / "a b/spec one.yaml").write_text("working tree\n", encoding="utf-8")
    with FileReader(Git(clone.path)) as files:
        blob, size, data = files.read(first, "a b/spec one.yaml", 100) or ("", 0, None)
        assert (size, data) == (4, b"one\n")
        assert blob == clone.git("rev-parse", f"{first}:a b/spec one.yaml")
        assert files.read(clone.head(), "a b/spec one.yaml", 100)[2] == b"two\n"  # type: ignore[index]
        assert files.read(first, "missing.yaml", 100) is None
        assert files.read(first, "a b", 100) is None  # a tree, not a file
        oversized = files.read(first, "big.txt", 1000)
        assert oversized is not None and oversized[1:] == (5000, None)
        # the helper is still in step after dropping a large blob
        assert files.read(first, "a b/spec one.yaml", 100)[2] == b"one\n"  # type: ignore[index]


def test_a_blob_not_wanted_is_dropped_and_the_helper_stays_in_step(tmp_path: Path) -> None:
    clone = make_origin(tmp_path, files={"spec.yaml": "one\n", "big.txt": "x" * 3_000_000})
    big_blob = clone.git("rev-parse", "HEAD:big.txt").strip()
    with FileReader(Git(clone.path)) as files:
        asked: list[str] = []
        dropped = files.read(clone.head(), "big.txt", 10**8, lambda b: asked.append(b) or False)
        assert dropped == (big_blob, 3_000_000, None) and asked == [big_blob]
        kept = files.read(clone.head(), "big.txt", 10**8, lambda b: True)
        assert kept is not None and kept[2] == b"x" * 3_000_000
        assert files.read(clone.head(), "spec.yaml", 100, lambda b: False) is not None
        assert files.read(clone.head(), "spec.yaml", 100)[2] == b"one\n"  # type: ignore[index]
