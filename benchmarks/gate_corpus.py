"""Score the breaking-change gate against a corpus of (base, revision) OpenAPI pairs.

    .venv/bin/python benchmarks/gate_corpus.py DIR [--json FILE] [--verbose]

DIR holds `cases.json` (each case: `id`, `oasdiff_verdict` breaking | not_breaking | warn,
optional `debatable`, and `base`/`revision` as `{"path": ...}` or `{"dir": ..., "spec": ...}`
relative to DIR) and the documents. Each pair runs in-process through the same loader and
classifier as `relorch diff` (referenced files are read from the pair's directory), at the
default levels with `fail_on = "breaking"`. Firm cases (not `warn`, not `debatable`) are
scored: agreement, recall on breaking pairs, false alarms on compatible ones. Debatable and
`warn` cases are listed with relorch's strongest level and its rules. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from relorch.errors import RelorchError
from relorch.gate.compare import compare_resolved
from relorch.gate.documents import DirSource, open_document
from relorch.gate.rules import BREAKING, COMPATIBLE, RANK


def _open(root: Path, side: dict[str, Any], revision: str) -> Any:
    if "dir" in side:
        source, path = DirSource(root / side["dir"], revision), side["spec"]
    else:
        where = root / side["path"]
        source, path = DirSource(where.parent, revision), where.name
    resolver = open_document(source, path)
    if resolver is None:
        raise SystemExit(f"{revision}: {path} is missing from the corpus")
    return resolver


def classify(root: Path, case: dict[str, Any]) -> tuple[str, list[str]]:
    """relorch's strongest level for the pair and the rule ids at that level."""
    try:
        changes = compare_resolved(
            _open(root, case["base"], "base"), _open(root, case["revision"], "revision")
        )
    except RelorchError as exc:
        return "error", [exc.message]
    if not changes:
        return COMPATIBLE, []
    top = max(changes, key=lambda c: RANK[c.level]).level
    return top, sorted({c.rule for c in changes if c.level == top})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--json", type=Path, help="write every case's result here")
    parser.add_argument("--verbose", action="store_true", help="list agreeing cases too")
    args = parser.parse_args(argv)
    cases = json.loads((args.dir / "cases.json").read_text(encoding="utf-8"))["cases"]
    results, firm, debatable = [], [], []
    for case in cases:
        level, rules = classify(args.dir, case)
        verdict = case["oasdiff_verdict"]
        entry = {"id": case["id"], "oasdiff": verdict, "relorch": level, "rules": rules}
        results.append(entry)
        if verdict == "warn" or case.get("debatable"):
            entry["why"] = case.get("debatable") or "oasdiff: WARN (potentially breaking)"
            debatable.append(entry)
        else:
            entry["agrees"] = (level == BREAKING) == (verdict == "breaking") and level != "error"
            firm.append(entry)
    breaking = [e for e in firm if e["oasdiff"] == "breaking"]
    compatible = [e for e in firm if e["oasdiff"] != "breaking"]
    caught = sum(e["relorch"] == BREAKING for e in breaking)
    alarms = sum(e["relorch"] == BREAKING for e in compatible)
    agree = sum(e["agrees"] for e in firm)
    print(f"firm pairs: {len(firm)}  agreement: {agree}/{len(firm)} ({agree / len(firm):.1%})")
    print(f"recall on breaking pairs: {caught}/{len(breaking)}")
    print(f"false alarms on compatible pairs: {alarms}/{len(compatible)}")
    for entry in firm:
        if args.verbose or not entry["agrees"]:
            mark = "ok  " if entry["agrees"] else "DIFF"
            print(f"  {mark} {entry['id']}: oasdiff {entry['oasdiff']}, relorch {entry['relorch']}")
    print(f"\ndebatable or WARN pairs ({len(debatable)}), not scored:")
    for entry in debatable:
        rules = ", ".join(entry["rules"]) or "-"
        print(f"  {entry['id']}: oasdiff {entry['oasdiff']}, relorch {entry['relorch']} ({rules})")
        if args.verbose:
            print(f"      why debatable: {entry['why']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if agree == len(firm) else 1


if __name__ == "__main__":
    sys.exit(main())
