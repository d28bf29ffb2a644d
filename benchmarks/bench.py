"""relorch benchmarks: release vs the raw-git floor, startup, and the ledger at scale.

Run from the repository root:

    .venv/bin/python benchmarks/bench.py            # both sizes, 7 repeats
    .venv/bin/python benchmarks/bench.py --quick    # small size, 3 repeats
    .venv/bin/python benchmarks/bench.py --sizes 2000x20000 --repeat 5 --json out.json

See benchmarks/README.md for what each figure means and the goals.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_bench import LedgerRun, build_ledger, ledger_api_missing, measure_ledger
from measure import Samples, clock, compile_relorch, load, med, repeated, since, timed
from profiling import import_profile, trace_profile
from synth import WORK, Origin, Size, build_origin, git, hermetic_env, working_copy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RELORCH = ROOT / ".venv" / "bin" / "relorch"
PRESETS = {"small": Size(2000, 20000), "large": Size(20000, 200000)}
RELEASE_GOAL = 1.15  # release / raw git at 20,000 tags
RELEASE_GOAL_SMALL = 2.0  # release / raw git at 2,000 tags
STARTUP_GOAL = 0.25  # seconds, --version and --help
LEDGER_READ_GOAL = 0.4  # seconds, status (fresh clone too) and deploy --dry-run at 100,000 records
APPEND_GROWTH_GOAL = 1.5  # append cost at the largest ledger / at the smallest


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- release ---------------------------------------------------------------------------------


class Clone:
    """The measurement clone: makes and publishes commits, knows the next v5 revision."""

    def __init__(self, bare: Path, path: Path, next_revision: int) -> None:
        self.bare, self.path, self.next_revision, self.count = bare, path, next_revision, 0

    def new_commit(self) -> None:
        """One commit on main, pushed with plain git (never timed)."""
        self.count += 1
        target = self.path / "src" / f"f{self.count % 8}.txt"
        target.write_text(f"bench change {self.count}\n")
        git("commit", "--quiet", "--all", "-m", f"fix: bench change {self.count}", cwd=self.path)
        git("push", "--quiet", "origin", "main", cwd=self.path)

    def expect_released(self) -> None:
        """The origin now has v5-rev{next} on HEAD; advance."""
        tag = f"v5-rev{self.next_revision}"
        head = git("rev-parse", "HEAD", cwd=self.path).strip()
        tagged = git("rev-parse", f"refs/tags/{tag}^{{commit}}", cwd=self.bare).strip()
        if tagged != head:
            raise RuntimeError(f"{tag} on the origin is {tagged}, HEAD is {head}")
        self.next_revision += 1


def raw_release(clone: Clone) -> tuple[float, float]:
    """The floor: the same ref listing, annotated tag and atomic push, with plain git."""
    start = clock()
    listing = git("ls-remote", "origin", "refs/heads/main", "refs/tags/v*-rev*", cwd=clone.path)
    newest = max(
        int(ref.rsplit("-rev", 1)[1])
        for ref in (line.partition("\t")[2] for line in listing.splitlines())
        if ref.startswith("refs/tags/v5-rev") and not ref.endswith("^{}")
    )
    tag = f"v5-rev{newest + 1}"
    git(
        "tag",
        "--annotate",
        "--no-sign",
        "-m",
        f"{tag}\n\nFixes:\n- bench",
        "--",
        tag,
        "HEAD",
        cwd=clone.path,
    )
    git(
        "push",
        "--porcelain",
        "--no-verify",
        "--atomic",
        "origin",
        f"refs/tags/{tag}:refs/tags/{tag}",
        cwd=clone.path,
    )
    took = since(start)
    clone.expect_released()
    return took


def measure_release(origin: Origin, run_dir: Path, repeat: int) -> dict[str, Samples]:
    """relorch plan, relorch release --revision and the raw-git floor, interleaved."""
    bare, path = working_copy(origin, run_dir, origin.size.key)
    clone = Clone(bare, path, origin.newest_revision + 1)
    samples = {"release": Samples(), "raw": Samples(), "plan": Samples(), "pyfloor": Samples()}
    for rep in range(repeat + 1):  # the first round warms caches and is not counted
        clone.new_commit()
        plan = timed(RELORCH, "plan", cwd=path)
        release = timed(RELORCH, "release", "--revision", cwd=path)
        clone.expect_released()
        clone.new_commit()
        raw = raw_release(clone)
        clone.new_commit()
        floor = timed(sys.executable, HERE / "pyfloor.py", cwd=path)
        clone.expect_released()
        if rep:
            samples["plan"].add(plan)
            samples["release"].add(release)
            samples["raw"].add(raw)
            samples["pyfloor"].add(floor)
    return samples


def profile_release(origin: Origin, run_dir: Path) -> dict[str, Any]:
    """Where one `relorch plan` and one `relorch release --revision` spend their time."""
    bare, path = working_copy(origin, run_dir, origin.size.key + "-profile")
    clone = Clone(bare, path, origin.newest_revision + 1)
    clone.new_commit()
    timed(RELORCH, "plan", cwd=path)  # warm the page cache like the measured runs
    out = {
        "plan": trace_profile([RELORCH, "plan"], path, run_dir / "plan.trace"),
        "plan_imports": import_profile(["plan"], path),
        "release": trace_profile(
            [RELORCH, "release", "--revision"], path, run_dir / "release.trace"
        ),
    }
    clone.expect_released()
    return out


# -- startup ---------------------------------------------------------------------------------


def measure_startup(repeat: int) -> dict[str, Samples]:
    """relorch --version / --help against the interpreter and git floors."""
    here = Path(tempfile.gettempdir())
    cases: dict[str, list[str | Path]] = {
        "relorch --version": [RELORCH, "--version"],
        "relorch --help": [RELORCH, "--help"],
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "python -c 'import typer' (reference)": [sys.executable, "-c", "import typer"],
        "git --version (floor)": ["git", "--version"],
    }
    samples: dict[str, Samples] = {}
    for name, argv in cases.items():
        timed(*argv, cwd=here)
        samples[name] = repeated(max(repeat, 10), *argv, cwd=here)
    return samples


# -- report ----------------------------------------------------------------------------------


def cell(s: Samples | None) -> str:
    if not s:
        return "-"
    return f"{med(s.wall):.3f} ({min(s.wall):.3f}-{max(s.wall):.3f}) cpu {med(s.cpu):.3f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


HEAD = "seconds: wall median (min-max) cpu median"


def report_release(results: list[tuple[Origin, dict[str, Samples]]]) -> tuple[str, dict[str, Any]]:
    headers = [HEAD, *[o.size.label for o, _ in results]]
    names = [
        ("release", "relorch release --revision"),
        ("raw", "raw git: ls-remote + tag -a + push --atomic"),
        ("pyfloor", "the same raw git from a fresh python (pyfloor.py)"),
        ("plan", "relorch plan"),
    ]
    rows = [[label, *[cell(s[key]) for _, s in results]] for key, label in names]
    ratios: dict[str, dict[str, float]] = {}
    for key, base in (
        ("release", "raw"),
        ("plan", "raw"),
        ("pyfloor", "raw"),
        ("release", "pyfloor"),
    ):
        name = f"{key}/{base}"
        goal = name == "release/raw"
        row = [
            f"ratio {name}, wall (cpu)"
            + (
                f"; goal <= {RELEASE_GOAL} at 20,000 tags, <= {RELEASE_GOAL_SMALL} at 2,000"
                if goal
                else ""
            )
        ]
        for origin, s in results:
            if not (s[key] and s[base]):
                row.append("-")
                continue
            wall = med(s[key].wall) / med(s[base].wall)
            cpu = med(s[key].cpu) / med(s[base].cpu)
            ratios.setdefault(origin.size.key, {}).update({name: wall, name + " cpu": cpu})
            mark = ""
            if goal and origin.size.tags >= 20000:
                mark = "  " + verdict(wall <= RELEASE_GOAL)
            elif goal and origin.size.tags >= 2000:
                mark = "  " + verdict(wall <= RELEASE_GOAL_SMALL)
            row.append(f"{wall:.2f} ({cpu:.2f}){mark}")
        rows.append(row)
    rows.append(["origin build (0 = cached)", *[f"{o.build_seconds:.1f} s" for o, _ in results]])
    data = {
        o.size.key: {
            "tags": o.size.tags,
            "commits": o.size.commits,
            "build_seconds": o.build_seconds,
            "figures": {k: v.as_dict() for k, v in s.items()},
            "ratios": ratios[o.size.key],
        }
        for o, s in results
    }
    return table(headers, rows), data


def report_startup(samples: dict[str, Samples]) -> tuple[str, dict[str, Any]]:
    rows = []
    for name, values in samples.items():
        goal = ""
        if name.startswith("relorch"):
            goal = f"< {STARTUP_GOAL} s: {verdict(med(values.wall) < STARTUP_GOAL)}"
        rows.append([name, cell(values), goal])
    return (
        table(["startup", HEAD, "goal"], rows),
        {name: v.as_dict() for name, v in samples.items()},
    )


def report_ledger(runs: list[LedgerRun]) -> tuple[str, dict[str, Any]]:
    names: list[str] = []
    for run in runs:
        names += [n for n in run.samples if n not in names]
    headers = [HEAD, *[f"{r.records:,} records" for r in runs]]
    rows = [[n, *[cell(r.samples.get(n)) for r in runs]] for n in names]
    rows.append(["ledger build (0 = cached)", *[f"{r.build_seconds:.1f} s" for r in runs]])
    lines = [table(headers, rows)]
    small, big = runs[0], runs[-1]
    for name in (
        "status --env production",
        "status, fresh clone (fetches the ledger)",
        "deploy v5@latest --dry-run",
    ):
        if name in big.samples:
            value = med(big.samples[name].wall)
            lines.append(
                f"goal: {name} at {big.records:,}: {value:.3f} s "
                f"(< {LEDGER_READ_GOAL} s: {verdict(value < LEDGER_READ_GOAL)})"
            )
    for name in [n for n in names if n.startswith("append")]:
        if name in big.samples and name in small.samples and big is not small:
            wall = med(big.samples[name].wall) / med(small.samples[name].wall)
            cpu = med(big.samples[name].cpu) / med(small.samples[name].cpu)
            lines.append(
                f"goal: {name}, {big.records:,} vs {small.records:,}: {wall:.2f}x wall, "
                f"{cpu:.2f}x cpu (<= {APPEND_GROWTH_GOAL}x: "
                f"{verdict(wall <= APPEND_GROWTH_GOAL)})"
            )
    for run in runs:
        lines += [f"note ({run.records:,}): {n}" for n in run.notes]
    data = {
        str(r.records): {
            "build_seconds": r.build_seconds,
            "notes": r.notes,
            "figures": {k: v.as_dict() for k, v in r.samples.items()},
        }
        for r in runs
    }
    return "\n".join(lines), data


def format_profile(title: str, prof: dict[str, Any]) -> str:
    lines = [
        f"{title} (one run, exit {prof['exit']}): wall {prof['wall']:.3f} s = "
        f"{prof['git_total']:.3f} s inside {len(prof['calls'])} git processes + "
        f"{prof['outside_git']:.3f} s outside git (interpreter, imports, relorch, spawning)"
    ]
    for call in sorted(prof["calls"], key=lambda c: -c["seconds"])[:6]:
        lines.append(f"    {call['seconds']:.3f} s  git {call['argv']}")
    for call in prof["helpers"]:
        lines.append(f"    (helper alive {call['seconds']:.3f} s)  git {call['argv']}")
    return "\n".join(lines)


def format_imports(prof: dict[str, Any]) -> str:
    lines = [
        f"imports of `relorch plan` (python -X importtime, self time by top-level package): "
        f"{prof['total']:.3f} s in all"
    ]
    lines += [f"    {s:.3f} s  {name}" for name, s in prof["top"]]
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------------


def parse_size(text: str) -> Size:
    if text in PRESETS:
        return PRESETS[text]
    tags, _, commits = text.partition("x")
    if not (tags.isdigit() and commits.isdigit()) or int(tags) < 10 or int(commits) < int(tags):
        raise argparse.ArgumentTypeError(f"{text!r}: use small, large or TAGSxCOMMITS")
    return Size(int(tags), int(commits))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small size only, 3 repeats, ledgers of 1,000 and 10,000",
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=parse_size,
        metavar="SIZE",
        help="small (2000x20000), large (20000x200000) or TAGSxCOMMITS",
    )
    parser.add_argument("--repeat", type=int, help="runs per figure (default 7, --quick 3)")
    parser.add_argument(
        "--ledger-sizes",
        nargs="+",
        type=int,
        metavar="N",
        help="ledger records (default 1000 100000; --quick 1000 10000)",
    )
    parser.add_argument("--no-ledger", action="store_true", help="skip the ledger section")
    parser.add_argument("--no-profile", action="store_true", help="skip the time breakdowns")
    parser.add_argument("--keep", action="store_true", help="keep benchmarks/.work/runs/*")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    compile_relorch()
    sizes = args.sizes or ([PRESETS["small"]] if args.quick else list(PRESETS.values()))
    repeat = args.repeat or (3 if args.quick else 7)
    ledger_sizes = sorted(args.ledger_sizes or ([1000, 10000] if args.quick else [1000, 100000]))
    if not RELORCH.exists():
        parser.error(f"{RELORCH} is missing: create the virtualenv and pip install -e . first")
    # relorch's ledger API also runs in-process here: give it the same hermetic environment.
    os.environ.clear()
    os.environ.update(hermetic_env())

    run_dir = WORK / "runs" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True)
    started = time.perf_counter()
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "git": git("--version").strip(),
        "load_at_start": load(),
    }
    out: dict[str, Any] = {"machine": machine, "repeat": repeat, "failed": {}}
    emit(
        f"relorch benchmarks: {machine['platform']}, {machine['cpus']} CPUs, {machine['git']}, "
        f"Python {machine['python']}; {repeat} runs per figure; load average "
        f"{machine['load_at_start']} at start"
    )
    sections: list[tuple[str, Callable[[], None]]] = [
        ("startup", lambda: section_startup(out, repeat)),
        ("release", lambda: section_release(out, sizes, run_dir, repeat, not args.no_profile)),
    ]
    if not args.no_ledger:
        sections.append(
            (
                "ledger",
                lambda: section_ledger(out, ledger_sizes, run_dir, repeat, not args.no_profile),
            )
        )
    try:
        for name, run in sections:
            try:
                run()
            except RuntimeError as exc:
                # One broken command (say, relorch mid-edit) must not lose the other sections.
                out["failed"][name] = str(exc)
                emit(f"{name} section FAILED: {exc}")
    finally:
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
    out["seconds"] = time.perf_counter() - started
    machine["load_at_end"] = load()
    emit(
        f"total benchmark time {out['seconds']:.0f} s; load average {machine['load_at_end']} at end"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str) + "\n")
    return 1 if out["failed"] else 0


def emit(text: str) -> None:
    """Print one section of the report as soon as it is ready."""
    print(f"\n{text}", flush=True)


def section_startup(out: dict[str, Any], repeat: int) -> None:
    log(f"startup ... (load {load()})")
    text, out["startup"] = report_startup(measure_startup(repeat))
    emit(text)


def section_release(
    out: dict[str, Any], sizes: list[Size], run_dir: Path, repeat: int, profile: bool
) -> None:
    results = []
    for size in sizes:
        origin = build_origin(size, log=log)
        log(f"release, {size.label} ... (load {load()})")
        results.append((origin, measure_release(origin, run_dir, repeat)))
    text, out["release"] = report_release(results)
    emit(text)
    if not profile:
        return
    log("profiling release and plan at the largest size ...")
    prof = profile_release(results[-1][0], run_dir)
    out["profile"] = prof
    label = results[-1][0].size.label
    emit(format_profile(f"relorch release --revision at {label}", prof["release"]))
    emit(format_profile(f"relorch plan at {label}", prof["plan"]))
    emit(format_imports(prof["plan_imports"]))


def section_ledger(
    out: dict[str, Any], sizes: list[int], run_dir: Path, repeat: int, profile: bool
) -> None:
    missing = ledger_api_missing()
    if missing is not None:
        emit(f"ledger section skipped: {missing}")
        out["ledger"] = {"skipped": missing}
        return
    origin = build_origin(PRESETS["small"], log=log)
    runs = []
    for count in sizes:
        built = build_ledger(origin, count, log=log)
        log(f"ledger, {count:,} records ... (load {load()})")
        runs.append(measure_ledger(origin, built, run_dir, RELORCH, repeat))
    text, out["ledger"] = report_ledger(runs)
    emit(f"ledger (on the {origin.size.label} repository)\n" + text)
    if not profile:
        return
    out["ledger_profile"] = {}
    clone = run_dir / f"ledger{runs[-1].records}-clone"
    for name, words in (
        ("status", ["status", "--env", "production"]),
        ("deploy", ["deploy", "v5@latest", "--env", "production", "--dry-run"]),
        ("hold", ["hold", "v5", "--env", "production", "--reason", "profile"]),
    ):
        if name in runs[-1].available:
            prof = trace_profile([RELORCH, *words], clone, run_dir / f"{name}.trace")
            out["ledger_profile"][name] = prof
            title = f"relorch {' '.join(words)} at {runs[-1].records:,} records"
            emit(format_profile(title, prof))


if __name__ == "__main__":
    raise SystemExit(main())
