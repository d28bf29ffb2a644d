"""`relorch flags render` of 2,000 flags (goal: at most 0.5 s), and how fast hostile flag files
are refused (10,000 flags, a YAML alias bomb, deep JsonLogic).

Run from the repository root:

    .venv/bin/python benchmarks/flags_bench.py [--flags 2000] [--repeat 7]

Prints the median wall time of the installed executable (a whole `relorch` process: Python
start, config, git, YAML, render, write) and of the in-process work alone (read, validate,
render), then the hostile files with their exit code and time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import compile_relorch

ROOT = Path(__file__).resolve().parents[1]
RELORCH = ROOT / ".venv" / "bin" / "relorch"
GOAL_SECONDS = 0.5
CONFIG = "[apis.products]\n[environments.staging]\n[environments.production]\n"


def flag_file(count: int) -> str:
    """`count` flags of every kind: dates, now, never, ramps, targeting, string variants."""
    parts = []
    for i in range(count):
        body = [
            f"flag-{i:05d}:",
            f"  description: Feature number {i}",
            f"  owner: team-{i % 17}",
            "  expires: 2099-06-30",
            "  release_at:",
            "    staging: now",
            f"    production: {'never' if i % 10 == 0 else '2027-01-15T09:00:00Z'}",
        ]
        if i % 3 == 0:
            body += ["  ramp:", "    start: 2027-01-15T09:00:00Z", "    end: 2027-01-22T09:00:00Z"]
        if i % 4 == 0:
            body += ["  targeting: {in: [{var: country}, [GB, IE]]}"]
        if i % 5 == 0:
            body += ["  variants: {a: classic, b: ranked}", "  default: a", "  on: b"]
        parts.append("\n".join(body))
    return "\n".join(parts) + "\n"


HOSTILE = {
    "10,000 flags": lambda: flag_file(10_000),
    "alias bomb": lambda: (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
            for i in range(8)
        )
    ),
    "deep JsonLogic": lambda: (
        "f:\n  description: d\n  owner: o\n  expires: 2099-01-01\n"
        "  release_at: {}\n  targeting: " + "{not: [" * 30 + "true" + "]}" * 30 + "\n"
    ),
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def repository(root: Path, text: str) -> Path:
    repo = root / "repo"
    (repo / "flags").mkdir(parents=True)
    (repo / "relorch.toml").write_text(CONFIG)
    (repo / "flags" / "products.yaml").write_text(text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "flags")
    return repo


def wall(argv: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc.returncode


def cpu(argv: list[str], cwd: Path) -> float:
    """CPU seconds (user + system) of one run: on a shared, loaded machine the wall clock
    counts the time spent waiting for a core; this does not."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(repo: Path, repeat: int) -> float:
    sys.path.insert(0, str(ROOT / "src"))
    from relorch.config import load_config
    from relorch.flags.load import parse_file
    from relorch.flags.render import render_flags

    config = load_config(repo)
    text = (repo / "flags" / "products.yaml").read_text()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        source = parse_file(text, "flags/products.yaml", "products", config, commit=None)
        render_flags(source, "production", {})
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    compile_relorch()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="relorch-flags-bench-") as scratch:
        repo = repository(Path(scratch), flag_file(args.flags))
        argv = [
            str(RELORCH),
            "flags",
            "render",
            "--env",
            "production",
            "--no-fetch",
            "-o",
            str(Path(scratch) / "out.json"),
        ]
        runs = [wall(argv, repo) for _ in range(args.repeat)]
        if any(code != 0 for _, code in runs):
            print("FAILED: relorch flags render exited non-zero")
            return 1
        median = statistics.median(t for t, _ in runs)
        version = statistics.median(wall([str(RELORCH), "--version"], repo)[0] for _ in range(5))
        cpu_median = statistics.median(cpu(argv, repo) for _ in range(args.repeat))
        cpu_version = statistics.median(cpu([str(RELORCH), "--version"], repo) for _ in range(5))
        inside = in_process(repo, args.repeat)
        verdict = "met" if median <= GOAL_SECONDS else "NOT met"
        print(
            f"flags render, {args.flags:,} flags: wall {median:.3f} s (goal {GOAL_SECONDS} s: "
            f"{verdict}), CPU {cpu_median:.3f} s; relorch --version: wall {version:.3f} s, "
            f"CPU {cpu_version:.3f} s; in-process read+validate+render {inside:.3f} s"
        )
    for name, make in HOSTILE.items():
        with tempfile.TemporaryDirectory(prefix="relorch-flags-bench-") as scratch:
            repo = repository(Path(scratch), make())
            seconds, code = wall([str(RELORCH), "flags", "check", "--no-fetch"], repo)
            print(f"hostile: {name}: exit {code} in {seconds:.3f} s")
    return 0 if median <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
