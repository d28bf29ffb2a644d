"""Front-door bugs found by using relorch from outside: init --pyproject headers, rendering a
template without --env, the documented git version, which refusal a feature branch gets."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tests.gitrepo import Clone, make_origin

ROOT = Path(__file__).resolve().parents[2]


def test_init_pyproject_writes_commented_tables_that_work_once_uncommented(
    tmp_path: Path,
) -> None:
    repo = make_origin(tmp_path, "", {"pyproject.toml": '[project]\nname = "x"\n'})
    (repo.path / "relorch.toml").unlink()
    result = repo.relorch("init", "--pyproject", "--api", "things")
    assert result.returncode == 0, result.stderr
    text = (repo.path / "pyproject.toml").read_text()
    headers = re.findall(r"^# \[(.+)\]$", text, flags=re.MULTILINE)
    assert headers and all(h.startswith("tool.relorch.") for h in headers), headers
    # Uncomment the channel: relorch must now see it (an unprefixed table would be ignored).
    uncommented = re.sub(r"^# (\[tool\.relorch\.channels\.platform\])$", r"\1", text, flags=re.M)
    uncommented = uncommented.replace('# kind = "slack"', 'kind = "console"')
    (repo.path / "pyproject.toml").write_text(uncommented)
    assert "platform" in tomllib.loads(uncommented)["tool"]["relorch"]["channels"]
    assert repo.relorch("announce", "--channel", "platform", "hello").returncode == 0


def test_render_template_without_env_says_to_pass_it(repo: Clone) -> None:
    repo.tag("v1-rev1")
    (repo.path / "gw.j2").write_text(
        "{% for api in apis %}{% for m in api.majors %}"
        "{{ m.environments[env].current }}{% endfor %}{% endfor %}\n"
    )
    result = repo.relorch("render", "gw.j2")
    assert result.returncode == 2
    assert "error: gw.j2 needs --env" in result.stderr
    assert "hint: relorch render gw.j2 --env ENV" in result.stderr
    assert "no element None" in result.stderr or "attribute None" in result.stderr


def test_readme_and_ci_docs_state_the_same_git_version() -> None:
    def versions(path: Path) -> set[str]:
        return set(re.findall(r"git ≥ (\d+\.\d+)", path.read_text(encoding="utf-8")))

    assert versions(ROOT / "README.md") == versions(ROOT / "docs" / "ci.md") == {"2.31"}


def test_unpushed_feature_branch_is_told_it_is_not_a_release_line_first(repo: Clone) -> None:
    repo.tag("v1-rev1")
    repo.git("switch", "-q", "-c", "feature/x")
    repo.commit("feat: x")
    result = repo.relorch("release", "--revision")
    assert result.returncode == 3
    assert "error: feature/x is not a release line" in result.stderr
    assert "push" not in result.stderr.split("hint:")[0]
