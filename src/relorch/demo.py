"""`relorch demo`: the whole lifecycle on a throw-away origin and clone, as a user would run it."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from relorch.git.gateway import Git
from relorch.output import Reporter

DEMO_CONFIG = """\
# The embedded defaults: announcements on the console; the deploy step is a script in the repo.
[apis.products]
spec = "openapi.yaml"

[apis.products.apim]
service = "apim-demo"
display_name = "Products"
path = "products"
gateway_url = "https://apim-demo.azure-api.net"

[apis.products.kubernetes]
gateway = "public-gw"
namespace = "apis"
hostnames = ["api.example.net"]
backend = "products-v{{major}}-rev{{revision}}"
port = 8080

[support]
migration_guide = "https://developer.example.net/products/migrate-to-v2"

[environments.staging]
deploy = [{python}, "deploy.py", "{{env}}", "{{tag}}", "{{rendered}}"]

[environments.production]
deploy = [{python}, "deploy.py", "{{env}}", "{{tag}}", "{{rendered}}"]
promote_from = "staging"
announce = ["console"]
notice = "3s"
"""

DEPLOY_SCRIPT = """\
import pathlib, sys
env, tag, rendered = sys.argv[1:4]
files = sorted(p.name for p in pathlib.Path(rendered).iterdir())
print(f"deploying {tag} to {env}; rendered config: {', '.join(files)}")
if pathlib.Path("BROKEN").exists():
    print("smoke test failed: GET /v2/products answered 500")
    sys.exit(1)
print("smoke test passed")
"""

_OPENAPI = """\
openapi: 3.0.3
info: {{title: Products, version: "{major}"}}
paths:
  /products:
    get:
      responses:
        "200":
          description: the catalogue
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  properties:
                    {id_field}: {{type: string}}
                    name: {{type: string}}
"""


Runner = Callable[[list[str]], int]
"""Runs one relorch command line and returns its exit code."""


class Demo:
    """A throw-away origin and clone, and the commands run against them."""

    def __init__(self, base: Path, reporter: Reporter, run: Runner) -> None:
        self.reporter = reporter
        self.run = run
        self.origin = base / "origin.git"
        Git.init_bare(self.origin)
        self.git = Git.clone(self.origin, base / "products-api")
        self.path = self.git.root

    def say(self, text: str) -> None:
        self.reporter.line("")
        self.reporter.line("# " + text, "cyan")

    def commit(self, message: str, files: dict[str, str]) -> None:
        for name, content in files.items():
            (self.path / name).write_text(content, encoding="utf-8")
            self.git.run("add", "--", name)
        self.git.run("commit", "--quiet", "-m", message)
        self.reporter.line(f"$ git commit -m {shlex.quote(message)}", "dim")

    def shell(self, *args: str) -> None:
        self.reporter.line("$ git " + " ".join(shlex.quote(a) for a in args), "dim")
        self.git.run(*args)

    def relorch(self, *args: str, expect: int = 0) -> int:
        self.reporter.line("$ relorch " + " ".join(shlex.quote(a) for a in args), "bold")
        code = self.run([*args, "-C", str(self.path)])
        if code != expect:
            raise SystemExit(f"demo: `relorch {' '.join(args)}` exited {code}, expected {expect}")
        return code


def _openapi(major: int, id_field: str) -> str:
    return _OPENAPI.format(major=major, id_field=id_field)


def release_half(demo: Demo) -> None:
    """v1 revisions, a new major, a hotfix on release/v1, a v2 revision, the status table."""
    demo.say("A new API: the first release starts major 1")
    config = DEMO_CONFIG.format(python=json.dumps(sys.executable))
    demo.commit(
        "feat: list products",
        {"relorch.toml": config, "openapi.yaml": _openapi(1, "id"), "deploy.py": DEPLOY_SCRIPT},
    )
    demo.shell("push", "--quiet", "-u", "origin", "main")
    demo.relorch("release", "--major")
    demo.say("A non-breaking fix is a revision of the same major")
    demo.commit("fix: sort products by name", {"CHANGES.md": "sorted by name\n"})
    demo.shell("push", "--quiet")
    demo.relorch("plan")
    demo.relorch("release", "--revision")
    demo.say("Running the same release job again is safe: it reports the tag")
    demo.relorch("release", "--revision")
    demo.say("A breaking change (a renamed field) needs a new major: v1 moves to release/v1")
    demo.commit("feat!: rename id to sku", {"openapi.yaml": _openapi(2, "sku")})
    demo.shell("push", "--quiet")
    demo.relorch("release", "--revision", expect=3)
    demo.relorch("release", "--major")
    demo.say("A hotfix for v1 consumers, on the maintenance branch")
    demo.shell("fetch", "--quiet", "origin")
    demo.shell("switch", "--quiet", "release/v1")
    demo.commit("fix: v1 price rounding", {"CHANGES.md": "v1 rounding fix\n"})
    demo.shell("push", "--quiet", "origin", "release/v1")
    demo.relorch("release", "--revision")
    demo.say("Meanwhile v2 gets a revision on main")
    demo.shell("switch", "--quiet", "main")
    demo.commit("feat: filter products by category", {"CHANGES.md": "category filter\n"})
    demo.shell("push", "--quiet")
    demo.relorch("release", "--revision")
    demo.say("v2 is tagged but live nowhere yet: v1 stays current (no deprecation clock)")
    demo.relorch("status")


def deploy_half(demo: Demo) -> None:
    """Deploys, promotion, the lifecycle clock, a failing step, an objection in the notice
    window, a preview made current, a rollback."""
    demo.say("Deploy the newest v2 to staging (the step runs in a worktree of the tag)")
    demo.relorch("deploy", "v2", "--env", "staging")
    demo.say("Production only takes what succeeded in staging; it is announced first")
    demo.relorch("deploy", "v2@rev2", "--env", "production")
    demo.say("v2 is live in production: from now on v1 is deprecated, its sunset 6 months away")
    demo.relorch("status", "--env", "production")
    demo.say("v1 stays live side by side while it is supported")
    demo.relorch("deploy", "v1", "--env", "staging")
    demo.relorch("deploy", "v1", "--env", "production")
    demo.say("A revision whose smoke test fails: recorded as failed, what was live stays")
    demo.commit("feat: faster search", {"BROKEN": "yes\n", "CHANGES.md": "faster search\n"})
    demo.shell("push", "--quiet")
    demo.relorch("release", "--revision")
    demo.relorch("deploy", "v2", "--env", "staging", expect=1)
    demo.say("The fix is the next revision")
    demo.shell("rm", "--quiet", "BROKEN")
    demo.shell("commit", "--quiet", "-m", "fix: search index warm-up")
    demo.shell("push", "--quiet")
    demo.relorch("release", "--revision")
    demo.relorch("deploy", "v2", "--env", "staging")
    demo.say("Another team objects during production's notice window (a second process)")
    objection = threading.Timer(
        1.5,
        demo.relorch,
        args=(
            "hold",
            "v2-rev4",
            "--env",
            "production",
            "--reason",
            "billing migration runs tonight",
        ),
    )
    objection.start()
    demo.relorch("deploy", "v2", "--env", "production", expect=6)
    objection.join()
    demo.relorch("unhold", "v2-rev4", "--env", "production")
    demo.say("Put v2-rev4 beside the current revision first: consumers try it at ;rev=4")
    demo.relorch("deploy", "v2", "--env", "production", "--preview")
    demo.relorch("status", "--env", "production")
    demo.say("Tried and fine: a plain deploy makes the preview current")
    demo.relorch("deploy", "v2", "--env", "production")
    demo.say("Something is wrong in production after all: roll back (announced, no waiting)")
    demo.relorch("rollback", "--env", "production", "v2")
    demo.say("`deploy v2@latest` will not silently put the rolled-back revision back")
    demo.relorch("deploy", "v2", "--env", "production", expect=3)
    demo.relorch("history", "--env", "production")
    demo.relorch("status")


def render_half(demo: Demo) -> None:
    """Versioning config: ARM for API Management, HTTPRoutes, deprecation headers."""
    demo.say("Versioning config for API Management and for other gateways")
    demo.relorch("render", "arm", "--env", "production", "-o", "arm-production.json")
    demo.relorch("render", "httproute", "--env", "production")
    demo.relorch("render", "headers")
    demo.say("v1 consumers hear about the deprecation once (recorded in the ledger)")
    demo.relorch("notify")
    demo.relorch("notify")


def flags_half(demo: Demo) -> None:
    """A feature flag released in staging now and in production next week."""
    from datetime import UTC, datetime, timedelta

    demo.say("A feature behind a flag: on in staging now, in production next week")
    next_week = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7, hours=-1)
    flags = (
        "new-search:\n"
        "  description: Ranked search results\n"
        "  owner: search-team\n"
        f"  expires: {(next_week + timedelta(days=180)).date().isoformat()}\n"
        "  release_at:\n"
        "    staging: now\n"
        f"    production: {next_week.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
        "  requires: v2\n"
    )
    (demo.path / "flags").mkdir(exist_ok=True)
    demo.commit("feat: new search behind a flag", {"flags/products.yaml": flags})
    demo.shell("push", "--quiet")
    demo.relorch("flags", "check")
    demo.say("A scheduled CI job announces what switches on soon")
    demo.relorch("flags", "due", "--within", "7d")


def run_demo(
    run: Runner, *, keep: bool = False, steps: list[Callable[[Demo], None]] | None = None
) -> int:
    """Build the throw-away repositories, run every step through `run` (the CLI's entry point,
    passed in so that the core never imports the CLI), clean up."""
    reporter = Reporter(sys.stderr)
    base = Path(tempfile.mkdtemp(prefix="relorch-demo-"))
    # A hermetic git for the throw-away repos: no user config (signing, hooks) can break the demo,
    # and real dates, which the support policy judges against the clock.
    for key in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Demo Developer",
            "GIT_AUTHOR_EMAIL": "dev@example.net",
            "GIT_COMMITTER_NAME": "Demo Developer",
            "GIT_COMMITTER_EMAIL": "dev@example.net",
        }
    )
    try:
        demo = Demo(base, reporter, run)
        reporter.step(f"relorch demo in {base}")
        for step in steps or [release_half, deploy_half, render_half, flags_half]:
            step(demo)
        reporter.line("")
        reporter.ok("demo finished: every step above ran real git against a throw-away origin")
        return 0
    finally:
        if keep:
            reporter.line(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
