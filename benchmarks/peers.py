"""relorch beside its peers and floors, measured in one run on the same machine.

* dry-run release on semver-tagged repositories (2,000 and 20,000 tags): relorch with the
  `semver` preset, python-semantic-release (`version --print`) and commitizen
  (`bump --dry-run`), each peer in its own venv under benchmarks/.work/peers/;
* read commands at 20,000 revision tags: `status` and `render manifest` when nothing
  changed and after one new tag, beside `git ls-remote` of the same refs (their floor);
* `deploy` of a 30,000-file tree beside `git worktree add` + `remove` with one checkout
  worker (what a deploy cost before parallel checkout) and with one per core.

    .venv/bin/python benchmarks/peers.py [--quick] [--repeat N] [--json FILE]

`--quick` runs the small sizes only and skips python-semantic-release at 20,000 tags (about
200 s a run). Figures are medians of wall time (CPU in brackets).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Samples, clock, compile_relorch, load, med, since, timed
from synth import WORK, Size, build_origin, git, hermetic_env, working_copy

RELORCH = Path(sys.executable).parent / "relorch"
PEERS = WORK / "peers"
PEER_PACKAGES = {
    "psr": ("python-semantic-release==10.7.0", "semantic-release"),
    "cz": ("commitizen==4.19.3", "cz"),
}
PYPROJECT = """\
[tool.semantic_release]
tag_format = "v{version}"
commit_parser = "conventional"
[tool.semantic_release.branches.main]
match = "main"

[tool.commitizen]
name = "cz_conventional_commits"
version_provider = "scm"
tag_format = "v$version"
"""
RELORCH_TOML = '[apis.products]\ntag_format = "semver"\n'


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def peer(name: str) -> Path:
    """The peer's executable, installed into its own venv on first use."""
    spec, command = PEER_PACKAGES[name]
    venv = PEERS / name
    exe = venv / "bin" / command
    if not exe.exists():
        log(f"  installing {spec} into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv / "bin" / "pip", "install", "--quiet", spec], check=True)
    return exe


# -- semver repositories ---------------------------------------------------------------------


def _semver_stream(tags: int) -> Iterator[bytes]:
    """A linear history: two conventional commits per tag `v{major}.{minor}.0` (5 majors), then
    one unreleased `feat:` commit at the tip."""
    per_major = tags // 5
    stamp = 1_600_000_000
    mark = 0
    yield b"blob\nmark :1\ndata 6\nseed!\n"
    config = (PYPROJECT.encode(), RELORCH_TOML.encode())
    for major in range(1, 6):
        for minor in range(1, per_major + 1):
            for step in (0, 1):
                mark += 1
                stamp += 60
                msg = f"feat: change {major}.{minor}.{step}\n".encode()
                yield b"commit refs/heads/main\nmark :%d\n" % (mark + 1)
                yield b"committer Bench <b@example.invalid> %d +0000\n" % stamp
                yield b"data %d\n%s" % (len(msg), msg)
                if mark == 1:
                    yield b"M 100644 inline pyproject.toml\ndata %d\n%s\n" % (
                        len(config[0]),
                        config[0],
                    )
                    yield b"M 100644 inline relorch.toml\ndata %d\n%s\n" % (
                        len(config[1]),
                        config[1],
                    )
                body = f"{major}.{minor}.{step}\n".encode()
                yield b"M 100644 inline counter.txt\ndata %d\n%s\n" % (len(body), body)
            name = f"v{major}.{minor}.0".encode()
            yield b"tag %s\nfrom :%d\ntagger Bench <b@example.invalid> %d +0000\n" % (
                name,
                mark + 1,
                stamp,
            )
            yield b"data %d\n%s\n" % (len(name), name)
    stamp += 60
    msg = b"feat: unreleased work\n"
    yield b"commit refs/heads/main\nmark :%d\n" % (mark + 2)
    yield b"committer Bench <b@example.invalid> %d +0000\ndata %d\n%s" % (stamp, len(msg), msg)
    yield b"M 100644 inline counter.txt\ndata 5\ntip!\n\n"
    yield b"done\n"


def _fast_import(origin: Path, stream: Iterator[bytes]) -> None:
    """Build the bare `origin` from a fast-import stream once; later runs reuse it."""
    if (origin / "complete").exists():
        return
    shutil.rmtree(origin, ignore_errors=True)
    git("init", "--quiet", "--bare", "-b", "main", str(origin))
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=origin,
        stdin=subprocess.PIPE,
        env=hermetic_env(),
    )
    assert proc.stdin is not None
    for chunk in stream:
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("fast-import failed")
    git("pack-refs", "--all", cwd=origin)  # a hosted remote serves packed refs
    (origin / "complete").write_text("ok\n")


def semver_clone(tags: int, run_dir: Path) -> Path:
    """A clone of a cached semver-tagged origin (built with fast-import on first use)."""
    origin = WORK / f"semver-t{tags}.git"
    _fast_import(origin, _semver_stream(tags))
    clone = run_dir / f"semver-{tags}"
    git("clone", "--quiet", str(origin), str(clone))
    return clone


def peers_section(sizes: Sequence[int], repeat: int, psr_large: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    run_dir = WORK / "runs" / f"peers-{int(time.time())}"
    run_dir.mkdir(parents=True)
    commands = {
        "relorch release --revision --dry-run": [RELORCH, "release", "--revision", "--dry-run"],
        "semantic-release version --print": [peer("psr"), "--noop", "version", "--print"],
        "cz bump --dry-run": [peer("cz"), "bump", "--dry-run", "--yes"],
    }
    for tags in sizes:
        clone = semver_clone(tags, run_dir)
        row: dict[str, Any] = {}
        for label, argv in commands.items():
            if label.startswith("semantic") and tags > 2000 and not psr_large:
                continue
            times = 1 if label.startswith("semantic") and tags > 2000 else repeat
            samples = Samples()
            for _ in range(times):
                samples.add(timed(*argv, cwd=clone))
            row[label] = samples.as_dict()
            log(f"  {tags:>6,} semver tags  {label:<40} {med(samples.wall):8.3f} s")
        out[str(tags)] = row
    shutil.rmtree(run_dir, ignore_errors=True)
    return out


# -- read commands ----------------------------------------------------------------------------


def reads_section(repeat: int, tags: int) -> dict[str, Any]:
    size = Size(tags, tags * 10)
    origin = build_origin(size, log=log)
    run_dir = WORK / "runs" / f"reads-{int(time.time())}"
    run_dir.mkdir(parents=True)
    bare, clone = working_copy(origin, run_dir, "reads")
    other = run_dir / "other"
    git("clone", "--quiet", str(bare), str(other))
    figures: dict[str, Samples] = {
        name: Samples()
        for name in (
            "status (nothing changed)",
            "render manifest (nothing changed)",
            "status after one new tag",
            "floor: git ls-remote of the same refs",
        )
    }
    timed(RELORCH, "status", cwd=clone)  # warm the tag cache once, as any earlier run would
    revision = origin.newest_revision
    for _ in range(repeat):
        figures["status (nothing changed)"].add(timed(RELORCH, "status", cwd=clone))
        figures["render manifest (nothing changed)"].add(
            timed(RELORCH, "render", "manifest", "-o", str(run_dir / "m.json"), cwd=clone)
        )
        figures["floor: git ls-remote of the same refs"].add(
            timed("git", "ls-remote", "origin", "refs/heads/*", "refs/tags/v*-rev*", cwd=clone)
        )
        revision += 1
        git("commit", "--quiet", "--allow-empty", "-m", "feat: more", cwd=other)
        git("tag", "-a", "-m", "bench", f"v5-rev{revision}", cwd=other)
        git("push", "--quiet", "origin", "HEAD:main", f"refs/tags/v5-rev{revision}", cwd=other)
        figures["status after one new tag"].add(timed(RELORCH, "status", cwd=clone))
    for name, samples in figures.items():
        log(f"  {tags:,} tags  {name:<42} {med(samples.wall):.3f} s (cpu {med(samples.cpu):.3f})")
    shutil.rmtree(run_dir, ignore_errors=True)
    return {name: s.as_dict() for name, s in figures.items()}


# -- deploy of a large tree -------------------------------------------------------------------


def _tree_stream(files: int) -> Iterator[bytes]:
    config = (
        b'[apis.products]\n[support]\ndeprecation_period = "100 years"\n'
        b'[environments.bench]\ndeploy = ["true"]\n'
        b'[environments.sparse]\ndeploy = ["true"]\ncheckout = ["deploy/"]\n'
    )
    yield b"commit refs/heads/main\nmark :1\ncommitter Bench <b@example.invalid> 1600000000 +0000\n"
    yield b"data 12\nfeat: tree\n\n"
    yield b"M 100644 inline relorch.toml\ndata %d\n%s\n" % (len(config), config)
    yield b"M 100644 inline deploy/run.sh\ndata 5\ntrue\n\n"
    for n in range(files):
        body = b"file %d\n" % n
        yield b"M 100644 inline src/d%03d/f%05d.txt\ndata %d\n%s\n" % (n % 300, n, len(body), body)
    yield b"tag v1-rev1\nfrom :1\n"
    yield b"tagger Bench <b@example.invalid> 1600000000 +0000\ndata 7\nv1-rev1\n"
    yield b"done\n"


def deploy_section(repeat: int, files: int) -> dict[str, Any]:
    origin = WORK / f"tree-{files}.git"
    _fast_import(origin, _tree_stream(files))
    run_dir = WORK / "runs" / f"deploy-{int(time.time())}"
    run_dir.mkdir(parents=True)
    clone = run_dir / "clone"
    git("clone", "--quiet", "--no-checkout", str(origin), str(clone))
    git("checkout", "--quiet", "main", cwd=clone)
    figures = {
        name: Samples()
        for name in (
            "relorch deploy (whole tree)",
            "relorch deploy (checkout = [deploy/])",
            "floor: worktree add + remove, 1 checkout worker",
            "floor: worktree add + remove, 1 worker per core",
        )
    }
    for _ in range(repeat):
        # Each figure starts with the disk's write-back done (os.sync, not timed): deleting a
        # 30,000-file worktree leaves seconds of dirty pages, which the next checkout would
        # otherwise pay for (whichever figure came next looked 2-3x slower).
        os.sync()
        figures["relorch deploy (whole tree)"].add(
            timed(RELORCH, "deploy", "v1", "--env", "bench", cwd=clone)
        )
        os.sync()
        figures["relorch deploy (checkout = [deploy/])"].add(
            timed(RELORCH, "deploy", "v1", "--env", "sparse", cwd=clone)
        )
        for workers, name in (
            ("1", "floor: worktree add + remove, 1 checkout worker"),
            ("0", "floor: worktree add + remove, 1 worker per core"),
        ):
            os.sync()
            start = clock()
            path = run_dir / f"wt-{workers}"
            git(
                "-c",
                f"checkout.workers={workers}",
                "worktree",
                "add",
                "--detach",
                "--quiet",
                str(path),
                "v1-rev1",
                cwd=clone,
            )
            git("worktree", "remove", "--force", "--force", str(path), cwd=clone)
            figures[name].add(since(start))
    for name, samples in figures.items():
        log(f"  {files:,} files  {name:<48} {med(samples.wall):.3f} s (cpu {med(samples.cpu):.3f})")
    shutil.rmtree(run_dir, ignore_errors=True)
    return {name: s.as_dict() for name, s in figures.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--sections", nargs="*", default=["peers", "reads", "deploy"])
    parser.add_argument(
        "--no-psr-large", action="store_true", help="skip python-semantic-release at 20,000 tags"
    )
    args = parser.parse_args(argv)
    compile_relorch()
    log(f"relorch peers benchmark; load average {load()} at start")
    out: dict[str, Any] = {"load_start": load()}
    if "peers" in args.sections:
        sizes = [2000] if args.quick else [2000, 20000]
        psr_large = not (args.quick or args.no_psr_large)
        out["peers"] = peers_section(sizes, args.repeat, psr_large=psr_large)
    if "reads" in args.sections:
        out["reads"] = reads_section(args.repeat, 2000 if args.quick else 20000)
    if "deploy" in args.sections:
        out["deploy"] = deploy_section(args.repeat, 3000 if args.quick else 30000)
    out["load_end"] = load()
    log(f"load average {load()} at end")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
