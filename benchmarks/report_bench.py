"""The status site's goals: a fleet of 20 repositories x 2,000 tags x 10,000 ledger records in
<= 10 s, one repository in <= 1 s, and a page under 300 KB with 2,000 revisions.

    .venv/bin/python benchmarks/report_bench.py [--repos 20] [--tags 2000] [--records 10000]
                                                [--repeat 5] [--json FILE] [--keep]

Each repository is a hard-linked private copy of one synthetic origin (synth.py) whose
`refs/relorch/ledger` holds a ledger of N records written by relorch's own ledger store
(ledger_bench.py); both are cached under benchmarks/.work/. Every figure is the median wall
time of the installed `relorch report` executable (Python start-up included), with relorch's
bytecode compiled first, as an installed package has it (with PYTHONDONTWRITEBYTECODE set, an
editable install would otherwise compile every module on every run: about 0.1 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ledger_bench import build_ledger
from measure import Samples, compile_relorch, load, med, timed
from synth import WORK, Size, build_origin, git, working_copy

NOW = "2026-06-20T12:00:00Z"
GOALS = {"one repository": 1.0, "fleet (warm cache)": 10.0}
PAGE_LIMIT = 300 * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=20)
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    relorch = Path(sys.executable).parent / "relorch"
    compile_relorch()

    print(f"report: {args.repos} repositories x {args.tags:,} tags x {args.records:,} records")
    origin = build_origin(Size(args.tags, args.commits))
    ledger = build_ledger(origin, args.records, log=print)
    (WORK / "runs").mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="report-", dir=WORK / "runs"))
    figures: dict[str, Samples] = {}
    try:
        bares = []
        first_clone = run_dir
        ledger_spec = "+refs/relorch/ledger:refs/relorch/ledger"
        for index in range(args.repos):
            if index == 0:
                bare, first_clone = working_copy(origin, run_dir, "r00")
                git("fetch", "--quiet", str(ledger.path), ledger_spec, cwd=bare)
                git("fetch", "--quiet", "origin", ledger_spec, cwd=first_clone)
            else:  # the fleet's other members need no clone: a hard-linked copy each
                bare = run_dir / f"r{index:02d}-origin.git"
                shutil.copytree(bares[0], bare, copy_function=os.link)
            bares.append(bare)

        out = run_dir / "site-one"
        one = Samples()
        for _ in range(args.repeat):
            one.add(
                timed(relorch, "report", "-o", out, "--now", NOW, "--no-fetch", cwd=first_clone)
            )
        figures["one repository"] = one
        fetching = Samples()
        for _ in range(args.repeat):
            fetching.add(timed(relorch, "report", "-o", out, "--now", NOW, cwd=first_clone))
        figures["one repository, fetching"] = fetching
        page = (out / "index.html").stat().st_size
        data = json.loads((out / "status.json").read_text())
        repo = data["repositories"][0]
        revisions = sum(life["revisions"] for life in repo["lifecycles"])
        if repo["ledger_records"] != args.records or revisions != args.tags:
            raise RuntimeError(
                f"the site shows {revisions} revisions and {repo['ledger_records']} records"
            )

        fleet = [arg for bare in bares for arg in ("--repo", bare.as_uri())]
        cache = run_dir / "cache"
        cold = Samples()
        for _ in range(min(args.repeat, 3)):
            shutil.rmtree(cache, ignore_errors=True)
            cold.add(
                timed(
                    relorch,
                    "report",
                    "-o",
                    run_dir / "site-fleet",
                    "--now",
                    NOW,
                    "--cache",
                    cache,
                    *fleet,
                    cwd=run_dir,
                )
            )
        figures["fleet (cold cache)"] = cold
        warm = Samples()
        for _ in range(args.repeat):
            warm.add(
                timed(
                    relorch,
                    "report",
                    "-o",
                    run_dir / "site-fleet",
                    "--now",
                    NOW,
                    "--cache",
                    cache,
                    *fleet,
                    cwd=run_dir,
                )
            )
        figures["fleet (warm cache)"] = warm
        fleet_data = json.loads((run_dir / "site-fleet" / "status.json").read_text())
        if not all(r["reachable"] for r in fleet_data["repositories"]):
            raise RuntimeError("a repository of the fleet was not read")
        fleet_page = (run_dir / "site-fleet" / "index.html").stat().st_size
    finally:
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    print(f"load average (1, 5, 15 min): {load()}")
    print(f"{'figure':<28} {'wall median':>12} {'cpu median':>11}  goal")
    ok = True
    for name, samples in figures.items():
        goal = GOALS.get(name)
        verdict = "" if goal is None else ("met" if med(samples.wall) <= goal else "MISSED")
        ok &= verdict != "MISSED"
        limit = f"<= {goal:.0f} s {verdict}" if goal else ""
        print(f"{name:<28} {med(samples.wall):>10.2f} s {med(samples.cpu):>9.2f} s  {limit}")
    page_ok = page < PAGE_LIMIT
    ok &= page_ok
    print(
        f"{'page, one repository':<28} {page / 1024:>9.0f} KB {'':>11}  < 300 KB "
        f"{'met' if page_ok else 'MISSED'} ({args.tags:,} revisions)"
    )
    print(f"{'page, fleet':<28} {fleet_page / 1024:>9.0f} KB")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "figures": {k: v.as_dict() for k, v in figures.items()},
                    "page_bytes": page,
                    "fleet_page_bytes": fleet_page,
                },
                indent=1,
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
