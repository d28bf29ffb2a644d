"""The breaking-change gate on big documents: `relorch diff` cold, with the base parsed before,
peak memory, and the YAML parsers alone for comparison.

    .venv/bin/python benchmarks/gate_bench.py [--repeat 5] [--schemas 380 --paths 240]

Builds a repository under benchmarks/.work/gate/ holding a synthetic OpenAPI document of
about 4 MB of YAML (gate_docs.py) tagged v1-rev1, then the same document after a week of
additive changes (new optional fields, response enum values, event types, endpoints), and
times the installed `relorch diff v1-rev1 HEAD --json`:

* cold: no parse cache;
* base cached: the base document was parsed before (by the previous release's gate);
* both cached: a re-run;
* small: a 2-path document, cold, next to the same command on the code in --compare-src
  (e.g. a checkout of main) for "no slower on small documents".

Each figure is the median of --repeat runs: wall and CPU seconds (user + sys) and the peak
resident memory of the relorch process (from wait4). The machine is shared: trust CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gate_docs import additive_revision, big_document
from measure import compile_relorch

from relorch.gate.documents import SUFFIX

WORK = Path(__file__).resolve().parent / ".work" / "gate"
RELORCH = Path(sys.executable).with_name("relorch")
SMALL = """\
openapi: 3.0.3
info: {title: Small, version: "1"}
paths:
  /products/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: one
          content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}
"""


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def build(name: str, base: str, head: str) -> Path:
    repo = WORK / name
    if (repo / ".git").exists():
        return repo
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "relorch.toml").write_text('[apis.bench]\nspec = "openapi.yaml"\n', encoding="utf-8")
    (repo / "openapi.yaml").write_text(base, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "-a", "v1-rev1", "-m", "v1-rev1")
    (repo / "openapi.yaml").write_text(head, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "feat: additive changes")
    return repo


def run(
    repo: Path, command: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one run; exit 0 or 3 expected."""
    err_file = WORK / "stderr.txt"  # a file, not a pipe: a big report would fill a pipe
    with err_file.open("wb") as err_stream:
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=repo, stdout=subprocess.DEVNULL, stderr=err_stream, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    err = err_file.read_text(encoding="utf-8", errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3) or "Traceback" in err:
        raise SystemExit(f"{' '.join(command)} failed ({code}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def figure(label: str, samples: list[tuple[float, float, float]], goal: str = "") -> None:
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    rss = max(s[2] for s in samples)
    print(f"{label:<34} wall {wall:5.2f} s   cpu {cpu:5.2f} s   peak {rss:5.0f} MB   {goal}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--schemas", type=int, default=380)
    parser.add_argument("--paths", type=int, default=240)
    parser.add_argument(
        "--compare-src", type=Path, help="a relorch src/ to compare small docs with"
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the repositories")
    args = parser.parse_args()
    compile_relorch()
    if args.fresh and WORK.exists():
        shutil.rmtree(WORK)
    name = f"big-s{args.schemas}-p{args.paths}"
    if not (WORK / name / ".git").exists():
        doc = big_document(args.schemas, args.paths)
        dump = {"Dumper": yaml.CSafeDumper, "sort_keys": False, "width": 100}
        build(name, yaml.dump(doc, **dump), yaml.dump(additive_revision(doc), **dump))
    repo = WORK / name
    size = (repo / "openapi.yaml").stat().st_size / 1e6
    print(f"load average {os.getloadavg()[0]:.1f}; documents {size:.1f} MB of YAML each")
    cache = repo / ".git" / "relorch" / "parse-cache"
    head_blob = git(repo, "rev-parse", "HEAD:openapi.yaml")
    diff = [str(RELORCH), "diff", "v1-rev1", "HEAD", "--json"]
    cold, base_cached, warm = [], [], []
    for _ in range(args.repeat):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(run(repo, diff))
        (cache / f"{head_blob}{SUFFIX}").unlink()
        base_cached.append(run(repo, diff))
        warm.append(run(repo, diff))
    figure("relorch diff, cold", cold, "(goal <= 2.0 s, <= 100 MB)")
    figure("relorch diff, base parsed before", base_cached, "(goal <= 0.8 s)")
    figure("relorch diff, both parsed before", warm)
    small = build(
        "small",
        SMALL,
        SMALL.replace("{type: string}}}}}", "{type: string}, n: {type: integer}}}}}"),
    )
    small_runs = []
    for _ in range(args.repeat):
        shutil.rmtree(small / ".git" / "relorch", ignore_errors=True)
        small_runs.append(run(small, [str(RELORCH), "diff", "v1-rev1", "HEAD"]))
    figure("relorch diff, small documents", small_runs)
    if args.compare_src:
        env = {**os.environ, "PYTHONPATH": str(args.compare_src)}
        before = [
            run(small, [sys.executable, "-m", "relorch", "diff", "v1-rev1", "HEAD"], env)
            for _ in range(args.repeat)
        ]
        figure(f"  same, code in {args.compare_src}", before)
    # Last: parsing in this process grows it, and a child's peak memory counts the parent's
    # at fork time.
    texts = [git(repo, "show", "v1-rev1:openapi.yaml"), git(repo, "show", "HEAD:openapi.yaml")]
    for parser_name, load in _parsers():
        samples = []
        for _ in range(args.repeat):
            start, cpu0 = time.perf_counter(), _cpu()
            for text in texts:
                load(text)
            samples.append((time.perf_counter() - start, _cpu() - cpu0, 0.0))
        figure(f"{parser_name} alone, both documents", samples)
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _parsers() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = [
        ("PyYAML + libyaml", lambda t: yaml.load(t, Loader=yaml.CSafeLoader))
    ]
    try:
        import yaml_rs

        found.append(("yaml_rs", lambda t: yaml_rs.loads(t, parse_datetime=False)))
    except ImportError:
        pass
    return found


if __name__ == "__main__":
    sys.exit(main())
