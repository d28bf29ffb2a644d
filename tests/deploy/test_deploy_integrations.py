"""Deploy meets the support policy and rendering: retired majors, the {rendered} directory."""

from __future__ import annotations

import json
import sys

from tests.gitrepo import Clone

PYTHON = json.dumps(sys.executable)
# The step prints what {rendered} holds and which revision the rendered manifest makes current.
STEP = r"""
import json, pathlib, sys
rendered = pathlib.Path(sys.argv[1])
print("rendered:", sorted(p.name for p in rendered.iterdir()))
manifest = json.loads((rendered / "manifest.json").read_text())
major = manifest["apis"][0]["majors"][-1]
print("manifest current:", major["environments"]["staging"]["current_tag"])
"""


def project(repo: Clone, support: str = "") -> None:
    config = (
        '[apis.products]\n[apis.products.apim]\nservice = "apim-test"\n'
        + support
        + f'[environments.staging]\ndeploy = [{PYTHON}, "step.py", "{{rendered}}"]\n'
    )
    repo.commit("chore: config", {"relorch.toml": config, "step.py": STEP})
    repo.push()


def test_deploy_refuses_a_retired_major(repo: Clone) -> None:
    project(repo, '[support]\nprevious_majors = 1\ndeprecation_period = "100 years"\n')
    for major in (1, 2, 3):
        if major > 1:
            repo.commit(f"feat!: v{major}")
            repo.push()
        repo.tag(f"v{major}-rev1")
        if major < 3:
            repo.git("push", "-q", "origin", f"HEAD:refs/heads/release/v{major}")
    result = repo.relorch("deploy", "v1", "--env", "staging")
    assert result.returncode == 3, result.stderr
    assert "retired" in result.stderr and "hint: " in result.stderr
    assert repo.relorch("deploy", "v2", "--env", "staging").returncode == 0


def test_step_gets_the_config_rendered_as_it_will_be_once_live(repo: Clone) -> None:
    project(repo)
    repo.tag("v1-rev1")
    repo.commit("fix: x")
    repo.push()
    repo.tag("v1-rev2")
    assert repo.relorch("deploy", "v1@rev1", "--env", "staging").returncode == 0
    result = repo.relorch("deploy", "v1@rev2", "--env", "staging")
    assert result.returncode == 0, result.stderr
    assert "rendered: ['arm.json', 'headers.json', 'manifest.json']" in result.stderr
    # The ledger still says rev1 while the step runs; the rendered config already says rev2.
    assert "manifest current: v1-rev2" in result.stderr


def test_deploy_refuses_a_major_past_its_sunset(repo: Clone) -> None:
    """Retirement by date needs the tags' dates: the remote's tags are read with them."""
    project(repo, '[support]\nprevious_majors = 5\ndeprecation_period = "1 month"\n')
    repo.tag("v1-rev1")
    repo.git("push", "-q", "origin", "HEAD:refs/heads/release/v1")
    repo.commit("feat!: v2")
    repo.push()
    repo.tag("v2-rev1")  # dated 2026-01-15 (hermetic clock): v1's sunset is 2026-02-15
    result = repo.relorch("deploy", "v1", "--env", "staging")
    assert result.returncode == 3, result.stderr
    assert "retired" in result.stderr
