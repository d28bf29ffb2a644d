"""`render -o` to things that are not regular files, and user templates that would run away."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

from tests.gitrepo import RELORCH, Clone


def released(repo: Clone) -> Clone:
    repo.tag("v1-rev1")
    return repo


def test_render_to_a_fifo_writes_through_it_and_leaves_it_a_fifo(
    repo: Clone, tmp_path: Path
) -> None:
    released(repo)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = repo.relorch("render", "manifest", "-o", str(fifo))
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b'"products"' in received[0]


def test_render_to_dev_stdout_writes_to_the_redirected_stdout(repo: Clone, tmp_path: Path) -> None:
    released(repo)
    out = tmp_path / "captured.json"
    out.write_text("kept:")
    with out.open("a") as handle:
        proc = subprocess.run(
            [RELORCH, "render", "manifest", "-o", "/dev/stdout"],
            cwd=repo.path,
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert text.startswith("kept:") and '"products"' in text


def test_render_through_a_symlink_replaces_its_target_not_the_link(
    repo: Clone, tmp_path: Path
) -> None:
    released(repo)
    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert repo.relorch("render", "manifest", "-o", str(link)).returncode == 0
    assert link.is_symlink() and '"products"' in target.read_text()


def test_render_to_a_directory_is_a_usage_error(repo: Clone, tmp_path: Path) -> None:
    released(repo)
    result = repo.relorch("render", "manifest", "-o", str(tmp_path))
    assert result.returncode == 2
    assert "is a directory" in result.stderr


def test_template_building_a_huge_string_is_refused_at_once(repo: Clone) -> None:
    released(repo)
    (repo.path / "big.j2").write_text("{{ 'x' * 10**10 }}{{ 'y'|center(10000000000) }}")
    result = repo.relorch("render", "big.j2", timeout=60)
    assert result.returncode == 2, result.stderr
    assert "refused by the sandbox" in result.stderr


def test_template_writing_without_end_is_stopped_at_the_output_bound(repo: Clone) -> None:
    released(repo)
    (repo.path / "loop.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ 'y' * 9999 }}{% endfor %}"
        "{% endfor %}"
    )
    result = repo.relorch("render", "loop.j2", timeout=120)
    assert result.returncode == 2, result.stderr
    assert "characters and was stopped" in result.stderr
    assert result.stdout == ""


def test_template_looping_without_output_is_stopped_at_the_time_bound(repo: Clone) -> None:
    released(repo)
    (repo.path / "spin.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}done"
    )
    result = repo.relorch("render", "spin.j2", timeout=120)
    assert result.returncode == 2, result.stderr
    assert "and was stopped" in result.stderr
