"""Hostile documents through `relorch diff`: clear errors, never a traceback, hang or blow-up."""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from relorch.config import load_config
from relorch.gate import SpecError, diff_refs, load
from relorch.gate.documents import MAX_BYTES
from relorch.git.gateway import Git
from tests.gitrepo import RELORCH, Clone, make_origin

CONFIG = '[apis.products]\nspec = "openapi.yaml"\n'
GOOD = 'openapi: 3.0.3\ninfo: {title: P, version: "1"}\npaths: {}\n'


@pytest.fixture
def clone(tmp_path: Path) -> Clone:
    repo = make_origin(tmp_path, CONFIG, {"openapi.yaml": GOOD})
    repo.tag("v1-rev1")
    return repo


def assert_clean_error(result: object, *words: str) -> None:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 3, stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr and stderr.startswith("error: ")
    for word in words:
        assert word in stderr
    assert "hint: " in stderr


def test_alias_bomb_is_compared_in_linear_time(clone: Clone) -> None:
    levels = ["  l0: &l0 {type: string, enum: [a, b, c, d, e, f, g, h, i, j]}"]
    for i in range(1, 12):
        refs = ", ".join(f"*l{i - 1}" for _ in range(10))
        levels.append(f"  l{i}: &l{i} {{type: object, properties: {{x: {{allOf: [{refs}]}}}}}}")
    bomb = GOOD.replace("paths: {}\n", "x-bomb:\n" + "\n".join(levels) + "\npaths: {}\n")
    clone.commit("wip", {"openapi.yaml": bomb})
    result = clone.relorch("diff", "v1-rev1", "HEAD", timeout=120)
    assert result.returncode == 0, result.stderr
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert usage.ru_maxrss < 1024 * 1024  # KiB: well under a gigabyte


def test_deep_block_nesting_is_an_error_not_a_crash(clone: Clone) -> None:
    deep = GOOD + "x-deep:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(20000))
    clone.commit("wip", {"openapi.yaml": deep})
    result = clone.relorch("diff", "v1-rev1", "HEAD", timeout=120)
    assert result.returncode in (0, 3), result.stderr  # PyYAML may refuse it; never a signal
    assert "Traceback" not in result.stderr


def test_deep_nesting_under_a_small_stack_is_parsed_not_a_crash(clone: Clone) -> None:
    # 500 levels pass the parser's deep-block check; a 256 KB main-thread stack
    # (`ulimit -s 256`) used to overflow inside yaml_rs (SIGSEGV, exit -11).
    deep = GOOD + "x-deep:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(500))
    clone.commit("wip", {"openapi.yaml": deep})
    result = subprocess.run(
        ["sh", "-c", 'ulimit -s 256 && exec "$0" diff v1-rev1 HEAD', str(RELORCH)],
        cwd=clone.path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_deep_flow_nesting_is_an_error_not_a_crash(clone: Clone) -> None:
    deep = GOOD + "x-deep: " + "[" * 50000 + "]" * 50000 + "\n"
    clone.commit("wip", {"openapi.yaml": deep})
    assert_clean_error(
        clone.relorch("diff", "v1-rev1", "HEAD", timeout=120), "openapi.yaml at HEAD"
    )


def test_deeply_nested_schemas_are_an_error(clone: Clone) -> None:
    schema = "{type: string}"
    for _ in range(6000):
        schema = f"{{type: object, properties: {{a: {schema}}}}}"
    doc = GOOD.replace(
        "paths: {}",
        "paths:\n  /a:\n    post:\n      requestBody:\n        content:\n"
        f"          application/json:\n            schema: {schema}\n"
        "      responses: {'200': {description: ok}}",
    )
    clone.commit("wip", {"openapi.yaml": doc})
    changed = doc.replace("{type: string}", "{type: integer}")
    clone.tag("v1-rev2")
    clone.commit("wip", {"openapi.yaml": changed})
    result = clone.relorch("diff", "v1-rev2", "HEAD", timeout=120)
    assert result.returncode == 3 and "Traceback" not in result.stderr


def test_oversized_document_is_refused_before_it_is_read(clone: Clone) -> None:
    big = GOOD + "x-padding: |\n" + ("  " + "x" * 1022 + "\n") * (MAX_BYTES // 1024 + 16)
    clone.commit("wip", {"openapi.yaml": big})
    result = clone.relorch("diff", "v1-rev1", "HEAD", timeout=120)
    assert_clean_error(result, "openapi.yaml at HEAD", "larger than the gate reads (32 MB)")


def test_binary_document_is_a_clean_error(clone: Clone) -> None:
    (clone.path / "openapi.yaml").write_bytes(b"openapi: 3.0.3\n\xff\xfe\x00garbage")
    clone.git("commit", "-qam", "wip")
    assert_clean_error(clone.relorch("diff", "v1-rev1", "HEAD"), "openapi.yaml at HEAD", "UTF-8")


def test_thousands_of_chained_files_are_bounded(
    clone: Clone, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_FILES", 40)  # 1000 by default: the same code, less git
    files = {f"s/{i}.yaml": f'$ref: "{i + 1}.yaml"\n' for i in range(50)}
    files["s/50.yaml"] = "type: string\n"
    doc = GOOD.replace(
        "paths: {}",
        "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content: {application/json: {schema: {$ref: 's/0.yaml'}}}",
    )
    first = {
        "openapi.yaml": doc.replace("s/0.yaml", "s/1100.yaml"),
        "s/1100.yaml": "type: string\n",
    }
    clone.commit("feat: /a", first)
    clone.tag("v1-rev2")
    clone.commit("wip", {"openapi.yaml": doc, **files})
    config = load_config(clone.path)
    with pytest.raises(SpecError, match="more than 40 referenced files") as caught:
        diff_refs(Git(clone.path), config.api(None), "v1-rev2", "HEAD", config.gate)
    assert caught.value.exit_code == 3
