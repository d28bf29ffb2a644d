"""`relorch flags publish` and deploys carrying flags: real git, real ledger, real steps, and the
published file read back by an OpenFeature flagd provider in file mode, as a service would."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.deploykit import PYTHON, step_env
from tests.flags.flagkit import ISSUE_YAML, evaluator
from tests.gitrepo import RELORCH, Clone

# The flags step: copies the rendered file where the "service" reads it (a stand-in for
# `aws s3 cp` or `kubectl create configmap`), logging what it was given.
COPY = r"""
import json, os, pathlib, shutil, sys
src, dest = sys.argv[1], pathlib.Path(os.environ["FLAGS_DEST"])
with open(os.environ["STEP_LOG"], "a") as log:
    log.write(json.dumps({"argv": sys.argv[1:],
        "env": {k: v for k, v in os.environ.items() if k.startswith("RELORCH_")}}) + "\n")
if os.environ.get("STEP_MODE") == "fail":
    sys.exit(4)
if os.environ.get("STEP_MODE") == "wait":
    import time
    while not pathlib.Path(os.environ["STEP_RELEASE"]).exists():
        time.sleep(0.02)
dest.parent.mkdir(parents=True, exist_ok=True)
tmp = dest.with_suffix(".tmp")
shutil.copy(src, tmp)
os.replace(tmp, dest)
"""

FLAGS_STEP = f'flags = [{PYTHON}, "copy.py", "{{rendered}}/flags.json", "{{env}}", "{{digest}}"]'
DEPLOY_STEP = f'deploy = [{PYTHON}, "copy.py", "{{rendered}}/flags.json"]'
KILL_SWITCH = """\
search-kill-switch:
  description: Serve search results (off = search disabled)
  owner: search-team
  expires: 2099-01-01
  release_at:
    production: now
"""


def project(repo: Clone, tmp_path: Path, flags: str = KILL_SWITCH, extra: str = "") -> Clone:
    config = (
        '[apis.products]\n[support]\ndeprecation_period = "100 years"\n'
        f'[channels.log]\nkind = "file"\npath = "{tmp_path / "announce.jsonl"}"\n'
        f"[environments.staging]\n{DEPLOY_STEP}\n"
        f'[environments.production]\n{FLAGS_STEP}\nannounce = ["log"]\n{extra}'
    )
    files = {"relorch.toml": config, "copy.py": COPY, "flags/products.yaml": flags}
    repo.commit("chore: flags", files)
    repo.push("HEAD:main")
    repo.tag("v1-rev1")
    return repo


def env_for(tmp_path: Path, mode: str = "ok") -> dict[str, str]:
    return {**step_env(tmp_path, mode), "FLAGS_DEST": str(tmp_path / "service" / "flags.json")}


def announcements(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "announce.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_publish_runs_the_flags_step_with_the_rendered_file_and_records_it(
    repo: Clone, tmp_path: Path
) -> None:
    project(repo, tmp_path)
    result = repo.relorch(
        "flags", "publish", "--env", "production", "--json", env=env_for(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema"] == "relorch-flags-publish/1" and report["status"] == "succeeded"
    published = (tmp_path / "service" / "flags.json").read_text()
    assert report["digest"].endswith(__import__("hashlib").sha256(published.encode()).hexdigest())
    call = json.loads((tmp_path / "step.log").read_text().splitlines()[-1])
    assert call["argv"][1:] == ["production", report["digest"]]
    assert call["env"]["RELORCH_ACTION"] == "flags"
    assert call["env"]["RELORCH_SHA"] == repo.head()
    history = repo.relorch("history", "--env", "production", "--json")
    records = json.loads(history.stdout)["records"]
    assert [(r["action"], r["status"]) for r in records] == [
        ("flags", "succeeded"),
        ("flags", "started"),
    ]
    assert records[0]["extra"]["digest"] == report["digest"]
    table = repo.relorch("history", "--env", "production")
    assert "flags@sha256:" in table.stderr and "succeeded" in table.stderr
    told = [a["message"] for a in announcements(tmp_path)]
    assert len(told) == 2
    assert told[0].startswith("Publishing feature flags of products to production: 1 flags")


def test_a_kill_switch_published_is_read_back_by_the_flagd_provider_in_file_mode(
    repo: Clone, tmp_path: Path
) -> None:
    from openfeature import api
    from openfeature.contrib.provider.flagd import FlagdProvider
    from openfeature.contrib.provider.flagd.config import ResolverType
    from openfeature.evaluation_context import EvaluationContext
    from openfeature.event import ProviderEvent

    project(repo, tmp_path)
    assert (
        repo.relorch("flags", "publish", "--env", "production", env=env_for(tmp_path)).returncode
        == 0
    )
    service_file = tmp_path / "service" / "flags.json"
    changed = threading.Event()

    def on_change(_: object) -> None:
        changed.set()

    api.add_handler(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, on_change)
    provider = FlagdProvider(
        resolver_type=ResolverType.FILE,
        offline_flag_source_path=str(service_file),
        deadline_ms=50,  # how often the provider looks at the file
    )
    api.set_provider_and_wait(provider)
    try:
        client = api.get_client()
        context = EvaluationContext(targeting_key="user-1")
        assert client.get_boolean_value("search-kill-switch", False, context) is True
        # the kill switch: one line in git, pushed, published: no redeploy
        (repo.path / "flags/products.yaml").write_text(KILL_SWITCH.replace("now", "never"))
        repo.git("commit", "-qam", "flags: kill search")
        repo.push("HEAD:main")
        changed.clear()
        killed = repo.relorch("flags", "publish", "--env", "production", env=env_for(tmp_path))
        assert killed.returncode == 0, killed.stderr
        assert changed.wait(30), "the provider never reloaded the published file"
        details = client.get_boolean_details("search-kill-switch", False, context)
        assert (details.value, details.reason) == (False, "DISABLED")
    finally:
        api.remove_handler(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED, on_change)
        api.shutdown()
        api.clear_providers()


def test_publish_reads_main_as_pushed_not_the_working_tree(repo: Clone, tmp_path: Path) -> None:
    project(repo, tmp_path)
    (repo.path / "flags/products.yaml").write_text(KILL_SWITCH.replace("now", "never"))
    repo.git("commit", "-qam", "local only, not pushed")
    result = repo.relorch("flags", "publish", "--env", "production", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "service" / "flags.json").read_text())
    assert document["flags"]["search-kill-switch"]["state"] == "ENABLED"
    assert document["metadata"]["sourceCommit"] == repo.git("rev-parse", "origin/main")


def test_a_failed_flags_step_is_recorded_and_exits_1(repo: Clone, tmp_path: Path) -> None:
    project(repo, tmp_path)
    result = repo.relorch("flags", "publish", "--env", "production", env=env_for(tmp_path, "fail"))
    assert result.returncode == 1
    assert "flags step exited with status 4" in result.stderr
    records = json.loads(repo.relorch("history", "--json").stdout)["records"]
    assert (records[0]["action"], records[0]["status"]) == ("flags", "failed")
    assert "failed" in announcements(tmp_path)[-1]["message"]


def test_publish_without_a_flags_step_is_a_usage_error(repo: Clone, tmp_path: Path) -> None:
    project(repo, tmp_path)
    before = repo.remote_refs()
    result = repo.relorch("flags", "publish", "--env", "staging")
    assert result.returncode == 2
    assert "environments.staging.flags is not set" in result.stderr
    assert repo.remote_refs() == before


def test_publish_refuses_an_unknown_placeholder(repo: Clone, tmp_path: Path) -> None:
    project(repo, tmp_path, extra='timeout = "1m"\n')
    text = (repo.path / "relorch.toml").read_text().replace("{digest}", "{tag}")
    repo.commit("typo", {"relorch.toml": text})
    result = repo.relorch("flags", "publish", "--env", "production")
    assert result.returncode == 2 and "unknown placeholder {tag}" in result.stderr


def test_publish_dry_run_writes_nothing(repo: Clone, tmp_path: Path) -> None:
    project(repo, tmp_path)
    before = repo.remote_refs()
    result = repo.relorch(
        "flags", "publish", "--env", "production", "--dry-run", "--json", env=env_for(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dry_run"] is True
    assert repo.remote_refs() == before
    assert not (tmp_path / "service").exists() and announcements(tmp_path) == []


def test_publish_waits_for_nobody_and_loses_to_a_running_publish_with_exit_5(
    repo: Clone, tmp_path: Path
) -> None:
    project(repo, tmp_path)
    first = subprocess.Popen(
        [RELORCH, "flags", "publish", "--env", "production"],
        cwd=repo.path,
        env={**__import__("os").environ, **env_for(tmp_path, "wait")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        log = tmp_path / "step.log"
        for _ in range(3000):  # the first publish holds the lock once its step runs
            if log.exists() and log.read_text():
                break
            first.poll()
            assert first.returncode is None, first.communicate()
            threading.Event().wait(0.02)
        second = repo.relorch("flags", "publish", "--env", "production", env=env_for(tmp_path))
        assert second.returncode == 5
        assert "products in production is locked by" in second.stderr
        deploy = repo.relorch("deploy", "v1@rev1", "--env", "production", env=env_for(tmp_path))
        assert deploy.returncode == 5 and "flags of flags@sha256:" in deploy.stderr
    finally:
        (tmp_path / "release").write_text("go")
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err


def test_a_deploy_carries_the_flag_file_with_requires_met_by_the_deploying_revision(
    repo: Clone, tmp_path: Path
) -> None:
    project(repo, tmp_path, flags=ISSUE_YAML)
    result = repo.relorch("deploy", "v1@rev1", "--env", "staging", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    carried = (tmp_path / "service" / "flags.json").read_text()
    # requires v1@rev1: met by the revision this very deploy puts live
    assert evaluator(carried).resolve_boolean_value("new-search", False).value is True
    records = json.loads(repo.relorch("history", "--json").stdout)["records"]
    assert records[-1]["extra"]["flags"].startswith("sha256:")


def test_a_broken_flag_file_on_main_stops_the_deploy_before_anything_runs(
    repo: Clone, tmp_path: Path
) -> None:
    project(repo, tmp_path, flags="x: [\n")
    before = repo.remote_refs()
    result = repo.relorch("deploy", "v1@rev1", "--env", "staging", env=env_for(tmp_path))
    assert result.returncode == 2
    assert "flags/products.yaml: not valid YAML" in result.stderr
    assert repo.remote_refs() == before and not (tmp_path / "step.log").exists()


@pytest.mark.parametrize("notice", ["", 'notice = "2h"\n'])
def test_the_pending_announcement_lists_flags_switching_on(
    repo: Clone, tmp_path: Path, notice: str
) -> None:
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    flags = ISSUE_YAML.replace("production: 2099-01-15T09:00:00Z", f"production: {soon}")
    flags += KILL_SWITCH.replace("search-kill-switch", "gated").replace(
        "production: now", "production: now\n  requires: v1@rev1"
    )
    project(repo, tmp_path, flags=flags, extra=f"{DEPLOY_STEP}\n{notice}")
    args = ["deploy", "v1@rev1", "--env", "production", "--dry-run", "--json"]
    plan = json.loads(repo.relorch(*args, env=env_for(tmp_path)).stdout)
    switching = plan["flags"]["switching"]
    assert (
        "gated switches on with this deploy (was off: requires products/v1@rev1: "
        "no revision of v1 is live in production)" in switching
    )
    assert any(
        line.startswith("new-search switches on in production at") for line in switching
    ) is bool(notice)
    if notice:
        return
    result = repo.relorch("deploy", "v1@rev1", "--env", "production", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    pending = announcements(tmp_path)[0]
    assert pending["event"] == "pending"
    assert pending["flags"] == switching
    assert "Feature flags switching on:" in pending["text"]
    assert "gated switches on with this deploy" in pending["text"]
