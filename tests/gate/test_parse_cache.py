"""The parse cache by git blob id (relorch.gate.documents.ParseCache): it saves time, never
changes a verdict, and a damaged or misplaced entry is parsed again."""

from __future__ import annotations

import marshal
from pathlib import Path

from relorch.config import load_config
from relorch.gate import diff_refs
from relorch.gate.check import Report
from relorch.gate.documents import SUFFIX, ParseCache
from relorch.git.gateway import Git
from tests.gate.test_external_refs import PET, pets
from tests.gitrepo import Clone

__all__ = ["pets"]  # the fixture, shared with the external-reference tests

ID_OPTIONAL = {"api/schemas/pet.yaml": PET.replace("[id, name]", "[name]")}
BECAME_OPTIONAL = ["response-body-property-became-optional"] * 2


def gate(clone: Clone, *, use_cache: bool = True) -> Report:
    config = load_config(clone.path)
    return diff_refs(
        Git(clone.path), config.api(None), "v1-rev1", "HEAD", config.gate, use_cache=use_cache
    )


def entries(clone: Clone) -> list[Path]:
    return sorted((clone.path / ".git" / "relorch" / "parse-cache").glob(f"*{SUFFIX}"))


def test_parses_are_cached_by_blob(pets: Clone) -> None:
    pets.commit("docs: readme", {"README.md": "pets\n"})
    first = gate(pets)
    assert len(entries(pets)) == 3  # one per blob: both revisions have the same
    again = gate(pets)
    assert first.changes == again.changes == []


def test_cached_and_uncached_verdicts_agree(pets: Clone) -> None:
    pets.commit("feat!: id optional", ID_OPTIONAL)
    uncached = gate(pets, use_cache=False)
    assert entries(pets) == []
    cold, warm = gate(pets), gate(pets)
    assert [c.rule for c in uncached.failing] == BECAME_OPTIONAL
    for cached in (cold, warm):
        assert (cached.changes, cached.failing, cached.files) == (
            uncached.changes,
            uncached.failing,
            uncached.files,
        )


def test_a_changed_blob_is_parsed_again(pets: Clone) -> None:
    assert gate(pets).changes == []
    pets.commit("feat!: id optional", ID_OPTIONAL)
    assert [c.rule for c in gate(pets).failing] == BECAME_OPTIONAL
    assert len(entries(pets)) == 4  # the new pet.yaml beside the three first parsed


def test_an_unreadable_cache_entry_is_parsed_again_and_rewritten(pets: Clone) -> None:
    pets.commit("feat!: id optional", ID_OPTIONAL)
    gate(pets)
    for entry in entries(pets):
        entry.write_bytes(b"not marshal data")
    assert [c.rule for c in gate(pets).failing] == BECAME_OPTIONAL
    assert all(entry.read_bytes() != b"not marshal data" for entry in entries(pets))


def test_a_damaged_entry_that_still_reads_is_not_used(pets: Clone) -> None:
    pets.commit("feat!: id optional", ID_OPTIONAL)
    gate(pets)
    blob = pets.git("rev-parse", "HEAD:api/schemas/pet.yaml").strip()
    entry = pets.path / ".git" / "relorch" / "parse-cache" / f"{blob}{SUFFIX}"
    # Same length, so the data still reads: HEAD's id would read as a boolean.
    entry.write_bytes(entry.read_bytes().replace(b"integer", b"boolean"))
    assert [c.rule for c in gate(pets).failing] == BECAME_OPTIONAL


def test_an_entry_of_another_blob_is_not_used(pets: Clone) -> None:
    pets.commit("feat!: id optional", ID_OPTIONAL)
    gate(pets)
    found = entries(pets)
    swapped = [entry.read_bytes() for entry in found]
    for entry, data in zip(found, swapped[1:] + swapped[:1], strict=True):
        entry.write_bytes(data)
    assert [c.rule for c in gate(pets).failing] == BECAME_OPTIONAL


def test_an_entry_is_read_back_as_written_and_only_under_its_blob(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    cache.put("a" * 40, {"openapi": "3.0.3"})
    assert cache.get("a" * 40) == {"openapi": "3.0.3"}
    assert cache.get("b" * 40) is None
    (tmp_path / f"{'b' * 40}{SUFFIX}").write_bytes((tmp_path / f"{'a' * 40}{SUFFIX}").read_bytes())
    assert cache.get("b" * 40) is None  # the entry names its blob
    (tmp_path / f"{'c' * 40}{SUFFIX}").write_bytes(marshal.dumps({"openapi": "3.0.3"}))
    assert cache.get("c" * 40) is None  # bare data (no header, no digest) is parsed again
    (tmp_path / f"{'d' * 40}.pickle").write_bytes(b"an older relorch's entry")
    assert cache.get("d" * 40) is None  # entries of the pickle format are never read
