"""Writing rendered documents (all or nothing) and choosing what to render."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from relorch.errors import ExitCode, OperationalError, UsageError
from relorch.render import render
from relorch.render.files import write_atomically, write_output
from tests.render.test_render_world import config, model, spec_source


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "arm.json"
    target.write_text("old\n")
    write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["arm.json"]


def test_write_output_leaves_a_file_that_already_holds_the_text_alone(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    target.write_text("same\r\n")
    before = target.stat()
    write_output(target, "same\r\n")
    assert target.stat().st_ino == before.st_ino  # not replaced
    write_output(target, "same\n")  # a newline git or an editor changed is a change
    assert target.read_bytes() == b"same\n"
    assert target.stat().st_ino != before.st_ino
    longer = target.stat()
    write_output(target, "same\n+")
    assert target.read_text() == "same\n+"
    assert target.stat().st_ino != longer.st_ino


def test_write_atomically_keeps_the_mode_of_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "arm.json"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomically(target, "new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_write_atomically_gives_a_new_file_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "arm.json"
    write_atomically(target, "x\n")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_write_atomically_into_a_missing_directory_is_an_operational_error(tmp_path: Path) -> None:
    with pytest.raises(OperationalError, match="cannot write") as caught:
        write_atomically(tmp_path / "missing" / "arm.json", "x\n")
    assert caught.value.exit_code == ExitCode.OPERATIONAL


def test_write_atomically_onto_a_directory_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "arm.json").mkdir()
    with pytest.raises(OperationalError):
        write_atomically(tmp_path / "arm.json", "x\n")
    assert [p.name for p in tmp_path.iterdir()] == ["arm.json"]


@pytest.mark.parametrize("what", ["arm", "manifest", "headers"])
def test_render_dispatches_the_built_in_documents(what: str) -> None:
    rendered = render(what, model(), env="production", spec_source=spec_source(config()))
    assert rendered.kind == what
    assert json.loads(rendered.text)


def test_render_arm_without_environment_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="render arm needs --env"):
        render("arm", model(), env=None, spec_source=spec_source(config()))
