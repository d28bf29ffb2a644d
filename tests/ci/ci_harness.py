"""CI harness: the composite action's run steps run by bash as a runner would, and CI tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION_DIR = ROOT / "ci" / "github-actions"
GITLAB_TEMPLATE = ROOT / "ci" / "gitlab" / "relorch.yml"
VENV_BIN = Path(sys.executable).parent
INSTALL_HINT = "run scripts/install-ci-tools"


# -- tools -------------------------------------------------------------------------------------


def ci_tools() -> Path:
    """Where scripts/install-ci-tools puts Node 22 and gitlab-ci-local."""
    return Path(os.environ.get("RELORCH_CI_TOOLS") or ROOT / ".ci-tools")


def require_venv_tool(name: str) -> str:
    """A tool installed into the test venv (actionlint, check-jsonschema), or skip."""
    path = VENV_BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed in {VENV_BIN}: {INSTALL_HINT}")
    return str(path)


def check_jsonschema(schema: str, *files: str | Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema (from the test venv, else skip) on `files` against one of the schemas
    it carries (`vendor.github-workflows`, `vendor.gitlab-ci`, ...)."""
    tool = require_venv_tool("check-jsonschema")
    return subprocess.run(
        [tool, "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def gitlab_ci_local_path() -> str:
    """PATH with Node 22 first, for gitlab-ci-local; skip when it or rsync is missing."""
    bin_dir = ci_tools() / "bin"
    if not (bin_dir / "gitlab-ci-local").exists() or not (bin_dir / "node").exists():
        pytest.skip(f"gitlab-ci-local and Node 22 are not installed in {bin_dir}: {INSTALL_HINT}")
    if shutil.which("rsync") is None:
        pytest.skip(f"rsync is not installed (gitlab-ci-local needs it): {INSTALL_HINT}")
    return os.pathsep.join([str(bin_dir), runner_path()])


def runner_path() -> str:
    """PATH without the test venv, so nothing finds its relorch or python by accident."""
    return os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != VENV_BIN
    )


# -- GitHub Actions: expressions ---------------------------------------------------------------

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_OPERAND = re.compile(
    r"inputs\.(?P<input>[A-Za-z0-9_-]+)|github\.(?P<github>action_path)"
    r"|steps\.(?P<step>[A-Za-z0-9_-]+)\.outputs\.(?P<output>[A-Za-z0-9_-]+)|'(?P<literal>[^']*)'"
)


@dataclass
class Context:
    """What the expressions of action.yml may read."""

    inputs: dict[str, str]
    action_path: str
    steps: dict[str, dict[str, str]] = field(default_factory=dict)

    def operand(self, text: str) -> str:
        match = _OPERAND.fullmatch(text.strip())
        if match is None:  # keeps the harness honest: action.yml grew an expression it can't read
            raise AssertionError(f"the harness cannot evaluate ${{{{ {text} }}}}")
        if match["input"] is not None:
            return self.inputs[match["input"]]
        if match["github"] is not None:
            return self.action_path
        if match["step"] is not None:
            return self.steps.get(match["step"], {}).get(match["output"], "")
        return match["literal"]

    def value(self, expression: str) -> str:
        for operator in ("!=", "=="):
            if operator in expression:
                left, right = expression.split(operator)
                equal = self.operand(left).lower() == self.operand(right).lower()
                return "true" if equal == (operator == "==") else "false"
        return self.operand(expression)

    def substitute(self, text: str) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), text)

    def condition(self, text: str) -> bool:
        inner = _EXPRESSION.fullmatch(text.strip())
        return self.value(inner.group(1) if inner else text) == "true"


# -- GitHub Actions: running the composite action ----------------------------------------------


@dataclass
class StepRun:
    """One step of the action: skipped (a `uses:` step or a false `if:`) or its bash run."""

    id: str
    skipped: str | None = None
    returncode: int = 0
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    """What a workflow sees of one use of the action, and what its log shows."""

    conclusion: str  # success | failure
    outputs: dict[str, str]
    steps: list[StepRun]
    log: str  # stdout and stderr as the runner shows them, masked
    raw_log: str  # the same before masking, minus the ::add-mask:: commands themselves
    annotations: list[str]
    masks: list[str]
    summary: str


def parse_file_command(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT / $GITHUB_ENV: `name=value` lines and `name<<DELIMITER` blocks."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for part in lines:
                if part == delimiter:
                    break
                body.append(part)
            else:
                raise AssertionError(f"{name}: delimiter {delimiter} never closed")
            values[name] = "\n".join(body)
        elif line:
            name, _, value = line.partition("=")
            values[name] = value
    return values


def run_action(
    workspace: Path,
    inputs: dict[str, str],
    runner_temp: Path,
    env: dict[str, str] | None = None,
    action_dir: Path = ACTION_DIR,
    timeout: float = 600,
) -> ActionRun:
    """Run action.yml's steps as the runner would for `uses:` with `with: inputs`.

    `uses:` steps are skipped (they fetch from the network); `run:` steps go to
    `bash --noprofile --norc -eo pipefail FILE` (the runner's `shell: bash`) with the step's
    `env:` evaluated, fresh GITHUB_OUTPUT/GITHUB_ENV/GITHUB_PATH/GITHUB_STEP_SUMMARY files per
    step, and workflow commands (::add-mask::, ::error::, ::notice::) read from stdout.
    The runner sets no INPUT_* variables for composite steps, so neither does this.
    """
    action = yaml.safe_load((action_dir / "action.yml").read_text())
    declared = action.get("inputs", {})
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs the action does not declare: {sorted(unknown)}"
    values = {n: inputs.get(n, str(spec.get("default", ""))) for n, spec in declared.items()}
    for name, spec in declared.items():
        assert not spec.get("required") or values[name], f"required input {name} missing"
    context = Context(values, str(action_dir))
    home = runner_temp / "_home"
    home.mkdir(parents=True, exist_ok=True)
    base = {
        **os.environ,
        "PATH": runner_path(),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTOR": "octocat",
        "GITHUB_REPOSITORY": "example/products-api",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_dir),
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux",
        **(env or {}),
    }
    masks: list[str] = []
    raw: list[str] = []
    annotations: list[str] = []
    summary: list[str] = []
    steps: list[StepRun] = []
    extra_path: list[str] = []
    extra_env: dict[str, str] = {}
    files = runner_temp / "_runner_file_commands"
    files.mkdir(exist_ok=True)
    conclusion = "success"
    for index, step in enumerate(action["runs"]["steps"]):
        run = StepRun(step.get("id", f"__{index}"))
        steps.append(run)
        if "if" in step and not context.condition(str(step["if"])):
            run.skipped = "if: false"
            continue
        if "uses" in step:
            run.skipped = "uses: " + step["uses"]
            continue
        assert step.get("shell") == "bash", "composite run steps must say shell: bash"
        paths = {
            k: files / f"{k.lower()}_{index}"
            for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
        }
        for path in paths.values():
            path.write_text("")
        script = files / f"step_{index}.sh"
        script.write_text(step["run"])
        step_env = {k: context.substitute(str(v)) for k, v in (step.get("env") or {}).items()}
        proc_env = {**base, **extra_env, **step_env, **{k: str(p) for k, p in paths.items()}}
        proc_env["PATH"] = os.pathsep.join([*reversed(extra_path), base["PATH"]])
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=proc_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        for line in proc.stdout.splitlines():
            if line.startswith("::add-mask::"):
                masks.append(line.removeprefix("::add-mask::"))
                continue
            if re.match(r"::(error|warning|notice)\b", line):
                annotations.append(line)
            raw.append(line)
        raw.extend(proc.stderr.splitlines())
        run.returncode = proc.returncode
        run.outputs = parse_file_command(paths["GITHUB_OUTPUT"].read_text())
        context.steps[run.id] = run.outputs
        extra_env.update(parse_file_command(paths["GITHUB_ENV"].read_text()))
        extra_path.extend(p for p in paths["GITHUB_PATH"].read_text().splitlines() if p)
        summary.append(paths["GITHUB_STEP_SUMMARY"].read_text())
        if proc.returncode != 0:
            conclusion = "failure"
            break
    outputs = {
        name: context.substitute(str(spec.get("value", "")))
        for name, spec in (action.get("outputs") or {}).items()
    }
    raw_log = "\n".join(raw)
    log = raw_log
    for secret in sorted((m for m in masks if m), key=len, reverse=True):
        log = log.replace(secret, "***")
    annotations = [_mask(a, masks) for a in annotations]
    return ActionRun(conclusion, outputs, steps, log, raw_log, annotations, masks, "".join(summary))


def _mask(text: str, masks: list[str]) -> str:
    for secret in sorted((m for m in masks if m), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


# -- GitLab CI ---------------------------------------------------------------------------------

_INPUT = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*\]\]")


def split_template(text: str) -> tuple[dict[str, Any], str]:
    """The template's `spec:` header (parsed) and its jobs document (text, not yet interpolated)."""
    header, separator, jobs = re.split(r"^(---)\s*$", text, maxsplit=1, flags=re.M)
    assert separator == "---", "a template with inputs needs `---` after its spec header"
    return yaml.safe_load(header), jobs


def interpolate(jobs: str, spec: dict[str, Any], inputs: dict[str, str]) -> Any:
    """The jobs document with `$[[ inputs.NAME ]]` replaced as GitLab does on include: in the
    parsed YAML (keys and string values), so an empty input is an empty string, not null."""
    declared = spec["spec"]["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs the template does not declare: {sorted(unknown)}"
    values = {n: str(inputs.get(n, d.get("default", ""))) for n, d in declared.items()}

    def value(match: re.Match[str]) -> str:
        assert match[1] in values, f"the template uses an undeclared input: {match[1]}"
        return values[match[1]]

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {walk(k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return _INPUT.sub(value, node) if isinstance(node, str) else node

    return walk(yaml.safe_load(jobs))


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RUNNER_TEMP shared by the action's runs in one session, as by the steps of one job: the
    first run installs relorch from this checkout into it, later runs reuse that venv. (A fixed
    path: each module importing this fixture gets its own instance of it.)"""
    path = tmp_path_factory.getbasetemp() / "runner_temp"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def gitlab_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RELORCH_VENV for the template's jobs: installed by the first job, reused by the others
    (a fixed path, like runner_temp's)."""
    return tmp_path_factory.getbasetemp() / "gitlab-relorch-venv"


def gitlab_ci_local(
    project: Path, *args: str, variables: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """gitlab-ci-local (shell executor, artifacts isolated per job as on a real runner)."""
    path = gitlab_ci_local_path()
    argv = ["gitlab-ci-local", "--shell-isolation", "--no-color", "--json-schema-validation"]
    for name, value in (variables or {}).items():
        argv += ["--variable", f"{name}={value}"]
    return subprocess.run(
        [*argv, *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**os.environ, "PATH": path},
    )


def dotenv_report(project: Path, job: str) -> dict[str, str]:
    """The dotenv report gitlab-ci-local kept for `job`."""
    path = project / ".gitlab-ci-local" / "artifacts" / job / ".gitlab-ci-reports" / "dotenv"
    text = "".join(p.read_text() for p in sorted(path.glob("*"))) if path.is_dir() else ""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
