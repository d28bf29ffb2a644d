"""[apis.*.aws] / [apis.*.kubernetes] and their [environments.*] overrides, validated at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from relorch.config import AwsConfig, KubernetesConfig, load_config
from relorch.errors import ConfigError, ExitCode

ISSUE_TOML = """\
[apis.products]

[apis.products.aws]
rest_api_name = "products"
domain_name = "api.example.net"

[apis.products.kubernetes]
gateway = "public-gw"                        # parentRefs
namespace = "apis"
hostnames = ["api.example.net"]
backend = "products-v{major}-rev{revision}"  # Service name per revision
port = 8080

[environments.staging.aws]
domain_name = "staging.example.net"
canary_percent = 5

[environments.staging.kubernetes]
hostnames = ["staging.example.net"]

[environments.production]
"""


def load(tmp_path: Path, text: str) -> object:
    (tmp_path / "relorch.toml").write_text(text)
    return load_config(tmp_path)


def failure(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert caught.value.exit_code == ExitCode.USAGE
    return caught.value


def test_the_documented_example_loads_as_written(tmp_path: Path) -> None:
    config = load_config((tmp_path / "relorch.toml").write_text(ISSUE_TOML) and tmp_path)
    api = config.api("products")
    assert api.aws == AwsConfig(rest_api_name="products", domain_name="api.example.net")
    assert api.kubernetes == KubernetesConfig(
        gateway="public-gw",
        port=8080,
        namespace="apis",
        hostnames=("api.example.net",),
        backend="products-v{major}-rev{revision}",
    )
    staging = config.aws_for(api, "staging")
    assert staging is not None
    assert (staging.domain_name, staging.canary_percent) == ("staging.example.net", 5.0)
    assert config.aws_for(api, "production") == api.aws
    kube = config.kubernetes_for(api, "staging")
    assert kube is not None and kube.hostnames == ("staging.example.net",)


def test_api_without_gateway_tables_has_none(tmp_path: Path) -> None:
    config = load_config((tmp_path / "relorch.toml").write_text("[apis.x]\n") and tmp_path)
    api = config.api("x")
    assert api.aws is None and api.kubernetes is None
    assert config.aws_for(api, "anything") is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[apis.p.aws]\nrest_api_nmae = "p"\n', "unknown key 'apis.p.aws.rest_api_nmae'"),
        (
            '[apis.p.aws]\nrest_api_name = "p"\nrest_api_id = "abc"\n',
            "both rest_api_name and rest_api_id",
        ),
        ("[apis.p.aws]\ncanary_percent = 101\n", "canary_percent must be a number from 0 to 100"),
        ('[apis.p.aws]\ncanary_percent = "5"\n', "canary_percent must be a number"),
        ('[apis.p.aws]\nstage = "v-{minor}"\n', "does not make a stage name"),
        ('[apis.p.aws]\nstage = "live"\n', "must contain {major}"),
        ('[apis.p.aws]\nbase_path = "/v{major}/"\n', "is not a base path"),
        ('[apis.p.aws]\npreview_header = "Api Revision"\n', "is not an HTTP header name"),
        ('[apis.p.aws]\ndomain_arn = "api.example.net"\n', "is not an ARN"),
        ('[apis.p.aws]\nendpoint_type = "GLOBAL"\n', "endpoint_type must be one of"),
        ("[apis.p.kubernetes]\nport = 80\n", "apis.p.kubernetes needs gateway"),
        ('[apis.p.kubernetes]\ngateway = "gw"\n', "apis.p.kubernetes needs port"),
        ('[apis.p.kubernetes]\ngateway = "gw"\nport = 70000\n', "port must be at most 65535"),
        ('[apis.p.kubernetes]\ngateway = "Public_GW"\nport = 80\n', "is not a Kubernetes name"),
        (
            '[apis.p.kubernetes]\ngateway = "gw"\nport = 80\nbackend = "p-v{major}"\n',
            "must contain {revision}",
        ),
        (
            '[apis.p.kubernetes]\ngateway = "gw"\nport = 80\nbackend = "P-{major}-{revision}"\n',
            "does not make a Kubernetes name",
        ),
        (
            '[apis.p.kubernetes]\ngateway = "gw"\nport = 80\nbackend = "{major}{revision}{env}"\n',
            "unknown placeholder {env}",
        ),
        (
            '[apis.p.kubernetes]\ngateway = "gw"\nport = 80\nhostnames = ["API.example.net"]\n',
            "is not a hostname",
        ),
        (
            '[apis.p.kubernetes]\ngateway = "gw"\nport = 80\npath = "v{major}"\n',
            "is not an absolute path prefix",
        ),
        (
            '[apis.p.kubernetes]\ngateway = "gw"\nport = 80\ncanary_percent = 150\n',
            "canary_percent must be 0-100",
        ),
        (
            '[apis.p]\n[environments.e.aws]\nrest_api_nam = "x"\n',
            "unknown key 'environments.e.aws.rest_api_nam'",
        ),
        (
            '[apis.p]\n[environments.e.kubernetes]\nport = "80"\n',
            "environments.e.kubernetes.port must be a whole number",
        ),
    ],
)
def test_invalid_gateway_tables_are_config_errors_naming_the_key(
    tmp_path: Path, table: str, message: str
) -> None:
    text = table if table.startswith("[apis.p]") else "[apis.p]\n" + table
    error = failure(tmp_path, text)
    assert message in error.message
    assert "relorch.toml" in error.message
