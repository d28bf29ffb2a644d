"""Documents split over files: every file read from git at the revision compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relorch.gate import SpecError
from relorch.gate.compare import compare_resolved
from relorch.gate.documents import DirSource, open_document
from tests.gitrepo import Clone, make_origin
from tests.jsondocs import validate_document

CONFIG = '[apis.pets]\nspec = "api/openapi.yaml"\n'
ROOT = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema: {$ref: "schemas/pet.yaml"}
  /owners:
    get:
      responses:
        "200":
          description: an owner
          content:
            application/json:
              schema: {$ref: "schemas/common.yaml#/Owner"}
"""
PET = """\
type: object
required: [id, name]
properties:
  id: {type: integer}
  name: {type: string}
  owner: {$ref: "common.yaml#/Owner"}
"""
COMMON = """\
Owner:
  type: object
  required: [email]
  properties:
    email: {$ref: "#/Email"}
    pets: {type: array, items: {$ref: "pet.yaml"}}
Email: {type: string, maxLength: 100}
"""


def files(pet: str = PET, common: str = COMMON) -> dict[str, str]:
    return {
        "api/openapi.yaml": ROOT,
        "api/schemas/pet.yaml": pet,
        "api/schemas/common.yaml": common,
    }


@pytest.fixture
def pets(tmp_path: Path) -> Clone:
    clone = make_origin(tmp_path, CONFIG, files())
    clone.tag("v1-rev1")
    return clone


def report(clone: Clone, base: str = "v1-rev1", head: str = "HEAD") -> dict[str, object]:
    result = clone.relorch("diff", base, head, "--json")
    assert "Traceback" not in result.stderr
    assert result.stdout, result.stderr
    data: dict[str, object] = validate_document(json.loads(result.stdout))
    return data


def test_change_only_in_a_referenced_file_is_found_and_located_by_it(pets: Clone) -> None:
    pets.commit("feat!: id optional", {"api/schemas/pet.yaml": PET.replace("[id, name]", "[name]")})
    result = pets.relorch("diff", "v1-rev1", "HEAD", "--json")
    assert result.returncode == 3, result.stderr
    data = validate_document(json.loads(result.stdout))
    assert data["failing"] == [
        {
            "rule": "response-body-property-became-optional",
            "level": "breaking",
            "location": location,
            "message": "property may now be absent",
            "file": "api/schemas/pet.yaml",
        }
        for location in (
            "GET /owners response 200 body .pets[].id",  # pet.yaml, through common.yaml
            "GET /pets response 200 body .id",
        )
    ]
    assert data["files"] == ["api/schemas/common.yaml", "api/schemas/pet.yaml"]
    assert "(in api/schemas/pet.yaml)" in result.stderr


def test_chains_and_pointers_into_files_are_followed(pets: Clone) -> None:
    pets.commit("feat: longer emails", {"api/schemas/common.yaml": COMMON.replace("100", "200")})
    data = report(pets)
    rules = {(c["rule"], c["location"], c.get("file")) for c in data["changes"]}  # type: ignore[attr-defined,index]
    assert (
        "response-body-max-length-widened",
        "GET /owners response 200 body .email",
        "api/schemas/common.yaml",
    ) in rules
    # pet.yaml -> common.yaml#/Owner -> #/Email, relative to common.yaml
    assert (
        "response-body-max-length-widened",
        "GET /pets response 200 body .owner.email",
        "api/schemas/common.yaml",
    ) in rules


def test_files_are_read_from_git_never_the_working_tree(pets: Clone) -> None:
    (pets.path / "api/schemas/pet.yaml").write_text("type: string\n", encoding="utf-8")
    pets.commit("docs: readme", {"README.md": "pets\n"})
    data = report(pets)
    assert data["changes"] == [] and data["ok"] is True


def test_missing_referenced_file_fails_closed_naming_path_and_ref(pets: Clone) -> None:
    pets.git("rm", "-q", "api/schemas/common.yaml")
    pets.git("commit", "-q", "-m", "chore: tidy")
    result = pets.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 3
    assert "api/schemas/common.yaml does not exist at HEAD" in result.stderr
    assert "hint: commit api/schemas/common.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_ref_cycle_across_files_fails_closed(pets: Clone) -> None:
    pets.commit(
        "wip",
        {
            "api/schemas/pet.yaml": '$ref: "common.yaml#/Loop"\n',
            "api/schemas/common.yaml": COMMON + 'Loop: {$ref: "pet.yaml"}\n',
        },
    )
    result = pets.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 3
    assert "circular $ref" in result.stderr and "api/schemas/pet.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_recursive_schemas_across_files_compare(pets: Clone) -> None:
    # pet -> owner -> pets[] -> pet: a cycle through properties, not a $ref chain.
    pets.commit("feat: nickname", {"api/schemas/pet.yaml": PET + "  nickname: {type: string}\n"})
    data = report(pets)
    assert data["ok"] is True
    locations = [c["location"] for c in data["changes"]]  # type: ignore[index,attr-defined]
    assert "GET /pets response 200 body .nickname" in locations


def test_refs_may_not_leave_the_repository(pets: Clone) -> None:
    pets.commit("wip", {"api/schemas/pet.yaml": '$ref: "../../../outside.yaml"\n'})
    result = pets.relorch("diff", "v1-rev1", "HEAD")
    assert result.returncode == 3 and "points outside the repository" in result.stderr


def test_directory_sources_follow_the_same_references(tmp_path: Path) -> None:
    for side, pet in (("base", PET), ("head", PET.replace("integer", "string"))):
        for name, text in files(pet).items():
            target = tmp_path / side / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    old = open_document(DirSource(tmp_path / "base", "base"), "api/openapi.yaml")
    new = open_document(DirSource(tmp_path / "head", "head"), "api/openapi.yaml")
    assert old is not None and new is not None
    found = {(c.location, c.rule, c.file) for c in compare_resolved(old, new)}
    assert (
        "GET /pets response 200 body .id",
        "response-body-type-changed",
        "api/schemas/pet.yaml",
    ) in found
    assert open_document(DirSource(tmp_path / "none", "x"), "api/openapi.yaml") is None
    with pytest.raises(SpecError):
        (tmp_path / "head/api/schemas/common.yaml").unlink()
        new = open_document(DirSource(tmp_path / "head", "head"), "api/openapi.yaml")
        assert new is not None
        compare_resolved(old, new)
