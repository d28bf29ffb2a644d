"""Measuring for the benchmarks: wall and CPU time of commands and of in-process calls."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synth import hermetic_env

Sample = tuple[float, float]  # (wall seconds, CPU seconds)


def med(values: Sequence[float]) -> float:
    """The median."""
    return statistics.median(values)


class Samples:
    """Repeated measurements of one figure: wall seconds, and CPU seconds (user + sys) of this
    process and the processes it waited for, which a busy machine disturbs far less."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def add(self, sample: Sample) -> None:
        """Record one measurement."""
        self.wall.append(sample[0])
        self.cpu.append(sample[1])

    def extend(self, other: Samples) -> None:
        """Record another figure's measurements too."""
        self.wall += other.wall
        self.cpu += other.cpu

    def __bool__(self) -> bool:
        return bool(self.wall)

    def as_dict(self) -> dict[str, Any]:
        """JSON shape."""
        return {
            "wall": self.wall,
            "cpu": self.cpu,
            "wall_median": med(self.wall),
            "cpu_median": med(self.cpu),
        }


def clock() -> Sample:
    """(wall, CPU of this process and of its waited-for children) now."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def since(start: Sample) -> Sample:
    """(wall, CPU) elapsed since `start` (a clock() value)."""
    now = clock()
    return now[0] - start[0], now[1] - start[1]


def timed(*argv: str | Path, cwd: Path, expect: int = 0) -> Sample:
    """(wall, CPU) of one command, output captured; raise when it exits other than `expect`."""
    start = clock()
    proc = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, env=hermetic_env(), check=False
    )
    took = since(start)
    if proc.returncode != expect:
        raise RuntimeError(
            f"{' '.join(map(str, argv))} exited {proc.returncode} in {cwd}:\n"
            + proc.stderr.decode(errors="replace")[-2000:]
        )
    return took


def repeated(times: int, *argv: str | Path, cwd: Path) -> Samples:
    """`times` timed runs of one command."""
    out = Samples()
    for _ in range(times):
        out.add(timed(*argv, cwd=cwd))
    return out


def load() -> str:
    """The load averages, to judge how busy the machine was."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} {five:.1f} {fifteen:.1f}"


def compile_relorch() -> None:
    """Write relorch's bytecode before timing it, as an installed package has it: with
    PYTHONDONTWRITEBYTECODE set (these machines set it), an editable install would compile
    every module without a current .pyc on every run (about 0.1 s when none has one)."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("relorch")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)
