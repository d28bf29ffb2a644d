"""Configuration: relorch.toml / [tool.relorch] read, validated and resolved once, at the edge.

Owns `model` (frozen config objects), `table` (typed reads of one TOML table), `sections`
(the per-name tables), `gateways` (the [aws] and [kubernetes] tables), `load` (finding and
parsing the file) and `init` (writing a starter config). May import: errors, durations,
versions, git (for `init` only).
"""

from relorch.config.load import find_config_file, load_config, parse_config
from relorch.config.model import (
    APIM_KEYS,
    CHANNEL_KINDS,
    PROMOTE_FROM_PREVIEW,
    SCHEMES,
    ApiConfig,
    ApimConfig,
    AwsConfig,
    ChannelConfig,
    Config,
    EnvironmentConfig,
    GateConfig,
    KubernetesConfig,
    SupportConfig,
)
from relorch.config.table import Table

__all__ = [
    "APIM_KEYS",
    "CHANNEL_KINDS",
    "PROMOTE_FROM_PREVIEW",
    "SCHEMES",
    "ApiConfig",
    "ApimConfig",
    "AwsConfig",
    "ChannelConfig",
    "Config",
    "EnvironmentConfig",
    "GateConfig",
    "KubernetesConfig",
    "SupportConfig",
    "Table",
    "find_config_file",
    "load_config",
    "parse_config",
]
