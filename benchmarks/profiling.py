"""Time breakdowns for the benchmarks: git calls via GIT_TRACE2_EVENT, imports via -X importtime."""

from __future__ import annotations

import json
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from synth import hermetic_env

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
# GitPython keeps `git cat-file --batch` open for object reads: its lifetime overlaps the rest.
_HELPERS = ("cat-file --batch", "cat-file --batch-check")


def trace_profile(argv: list[Any], cwd: Path, trace: Path) -> dict[str, Any]:
    """Run once with GIT_TRACE2_EVENT: wall time, each top-level git process and its duration."""
    trace.unlink(missing_ok=True)
    env = {**hermetic_env(), "GIT_TRACE2_EVENT": str(trace.resolve())}
    started = time.perf_counter()
    proc = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, env=env, check=False
    )
    wall = time.perf_counter() - started
    starts: dict[str, str] = {}
    ends: dict[str, float] = {}
    order: list[str] = []
    for line in trace.read_text().splitlines() if trace.exists() else []:
        event = json.loads(line)
        sid = event.get("sid", "")
        if "/" in sid:
            continue  # a child of a git process (upload-pack, pack-objects): inside its parent
        if event.get("event") == "start":
            starts[sid] = " ".join(event.get("argv", [])[1:]).replace("\n", "\\n")
            order.append(sid)
        elif event.get("event") in ("exit", "atexit"):
            ends[sid] = max(ends.get(sid, 0.0), float(event.get("t_abs", 0.0)))
    calls: list[dict[str, Any]] = []
    helpers: list[dict[str, Any]] = []
    for sid in order:
        entry = {"argv": _short(starts[sid]), "seconds": ends.get(sid, 0.0)}
        (helpers if starts[sid].startswith(_HELPERS) else calls).append(entry)
    total = sum(c["seconds"] for c in calls)
    return {
        "argv": " ".join(str(a) for a in argv[1:]),
        "exit": proc.returncode,
        "wall": wall,
        "git_total": total,
        "outside_git": wall - total,
        "calls": calls,
        "helpers": helpers,
    }


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def import_profile(words: list[str], cwd: Path) -> dict[str, Any]:
    """`python -X importtime -m relorch WORDS`: total import time and the costliest packages."""
    proc = subprocess.run(
        [str(PYTHON), "-X", "importtime", "-m", "relorch", *words],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=hermetic_env(),
        check=False,
    )
    by_package: dict[str, float] = defaultdict(float)
    total = 0.0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _cumulative_us, name = (
            part.strip() for part in [line[:12], *line[12:].split("|")]
        )
        package = name.split(".")[0]
        by_package[package] += int(self_us) / 1e6
        total += int(self_us) / 1e6
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:10]
    return {"total": total, "top": top, "exit": proc.returncode}
