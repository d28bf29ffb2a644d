"""The floor for any Python release tool: a fresh interpreter running the raw-git release.

Lists the remote's main branch and revision tags, tags v5-rev{next} at HEAD and pushes it
atomically, with plain subprocess calls: no CLI framework, no GitPython. bench.py times it
next to `relorch release --revision` to separate Python's own start-up from relorch's cost.
"""

import subprocess
import sys


def main() -> int:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout

    listing = git("ls-remote", "origin", "refs/heads/main", "refs/tags/v*-rev*")
    newest = max(
        int(ref.rsplit("-rev", 1)[1])
        for ref in (line.partition("\t")[2] for line in listing.splitlines())
        if ref.startswith("refs/tags/v5-rev") and not ref.endswith("^{}")
    )
    tag = f"v5-rev{newest + 1}"
    git("tag", "--annotate", "--no-sign", "-m", f"{tag}\n\nFixes:\n- bench", "--", tag, "HEAD")
    git(
        "push",
        "--porcelain",
        "--no-verify",
        "--atomic",
        "origin",
        f"refs/tags/{tag}:refs/tags/{tag}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
