"""Config: precedence file < env < CLI, structuring of env strings, keyed errors, and paths."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secret_mcp import paths
from secret_mcp.config import Config, load_config
from secret_mcp.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


def test_defaults_without_any_source(tmp_path):
    cfg = load_config(env={}, path=write(tmp_path, ""))
    assert cfg == Config()
    assert cfg.network == "sandbox" and cfg.plugins is None and cfg.cache is True
    assert cfg.max_connections == 10 and cfg.retries == 2 and cfg.gas_adjustment == Decimal("1.3")
    assert cfg.confirm == "always" and cfg.log_level == "INFO"


def test_precedence_file_then_env_then_cli(tmp_path):
    path = write(tmp_path, 'network = "testnet"\nmax_connections = 4\nretries = 1\nlog_level = "debug"\n')
    env = {"SECRET_MCP_MAX_CONNECTIONS": "6", "SECRET_MCP_RETRIES": "3"}
    cfg = load_config({"retries": 5, "network": None}, env=env, path=path)
    assert cfg.network == "testnet"  # file only (CLI None is "not given")
    assert cfg.max_connections == 6  # env beats file
    assert cfg.retries == 5  # CLI beats env
    assert cfg.log_level == "DEBUG"


def test_env_values_are_structured(tmp_path):
    env = {
        "SECRET_MCP_NETWORK": "custom",
        "SECRET_MCP_LCD_URL": "http://a:1317, https://b",
        "SECRET_MCP_CHAIN_ID": "secret-4",
        "SECRET_MCP_EXCLUDE": "ibc,tokens",
        "SECRET_MCP_READ_ONLY": "yes",
        "SECRET_MCP_NO_CACHE": "1",
        "SECRET_MCP_CACHE_URL": "redis://localhost:6379/0",
        "SECRET_MCP_REQUEST_TIMEOUT": "2.5",
        "SECRET_MCP_GAS_ADJUSTMENT": "1.5",
        "SECRET_MCP_CONFIRM": "above_limit",
        "SECRET_MCP_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        "SECRET_MCP_FULL": "1",  # a test-suite switch, not a setting: ignored, not an error
    }
    cfg = load_config(env=env, path=write(tmp_path, ""))
    assert cfg.lcd_urls == ("http://a:1317", "https://b")
    assert cfg.chain_id == "secret-4" and cfg.exclude == ("ibc", "tokens")
    assert cfg.read_only is True and cfg.cache is False
    assert cfg.cache_url == "redis://localhost:6379/0"
    assert cfg.request_timeout == 2.5 and cfg.gas_adjustment == Decimal("1.5")
    assert cfg.confirm == "above_limit" and cfg.audit_log == tmp_path / "audit.jsonl"


def test_plugins_env_empty_means_none_and_unset_means_all(tmp_path):
    path = write(tmp_path, "")
    assert load_config(env={}, path=path).plugins is None
    assert load_config(env={"SECRET_MCP_PLUGINS": ""}, path=path).plugins == ()
    assert load_config(env={"SECRET_MCP_PLUGINS": "bank, staking"}, path=path).plugins == ("bank", "staking")


def test_empty_scalar_env_is_unset(tmp_path):
    path = write(tmp_path, 'chain_id = "pulsar-3"\n')
    assert load_config(env={"SECRET_MCP_CHAIN_ID": ""}, path=path).chain_id == "pulsar-3"


def test_toml_lists_and_paths(tmp_path):
    path = write(tmp_path, 'plugins = ["bank"]\nlcd_urls = ["http://x"]\ncache_dir = "~/c"\ngas_adjustment = 2\n')
    cfg = load_config(env={}, path=path)
    assert cfg.plugins == ("bank",) and cfg.lcd_urls == ("http://x",)
    assert cfg.cache_dir == Path.home() / "c" and cfg.gas_adjustment == Decimal("2")


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("max_connections", "-1", "max_connections: must be a positive integer, got '-1'"),
        ("max_connections", "many", "max_connections: must be a positive integer, got 'many'"),
        ("read_only", "maybe", "read_only: must be true or false, got 'maybe'"),
        ("request_timeout", "0", "request_timeout: must be a positive number of seconds, got '0.0'"),
        ("retries", "99", "retries: must be an integer from 0 to 10, got '99'"),
        ("confirm", "sometimes", "confirm: must be one of always, above_limit, never, got 'sometimes'"),
        ("log_level", "loud", "log_level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'"),
        ("gas_adjustment", "0.5", "gas_adjustment: must be a number from 1 to 10, got '0.5'"),
        ("gas_adjustment", "abc", "gas_adjustment: must be a number from 1 to 10, got 'abc'"),
        ("cache_url", "nope", "cache_url: must be a URL, got 'nope'"),
    ],
)
def test_invalid_env_values_name_the_key(tmp_path, key, value, expected):
    with pytest.raises(ConfigError) as info:
        load_config(env={f"SECRET_MCP_{key.upper()}": value}, path=write(tmp_path, ""))
    assert info.value.message == expected
    assert info.value.code == "INVALID_CONFIG" and info.value.details == {"key": key}


def test_invalid_file_value_and_bad_url(tmp_path):
    with pytest.raises(ConfigError, match=r"^max_connections: .* got '1.5'"):
        load_config(env={}, path=write(tmp_path, "max_connections = 1.5\n"))  # no silent truncation
    with pytest.raises(ConfigError, match=r"^lcd_urls: entry 1 must start with http:// or https://"):
        load_config(env={"SECRET_MCP_LCD_URL": "ftp://x"}, path=write(tmp_path, ""))


def test_unknown_toml_key_is_an_error_naming_it(tmp_path):
    path = write(tmp_path, 'network = "testnet"\nmax_conections = 3\n')
    with pytest.raises(ConfigError) as info:
        load_config(env={}, path=path)
    assert info.value.message.startswith("max_conections: unknown setting")
    assert "Did you mean 'max_connections'?" in info.value.suggestions


def test_unknown_cli_key_and_direct_construction_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="^colour: is not a setting"):
        load_config({"colour": "blue"}, env={}, path=write(tmp_path, ""))
    with pytest.raises(ConfigError, match="^max_connections: must be a positive integer, got '0'"):
        Config(max_connections=0)
    assert Config(plugins=["bank"], gas_adjustment=1.5).plugins == ("bank",)


def test_bad_toml_and_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(env={}, path=write(tmp_path, "network = \n"))
    with pytest.raises(ConfigError, match="file not found"):
        load_config(env={"SECRET_MCP_CONFIG": str(tmp_path / "absent.toml")})


def test_config_file_from_env_and_default_location(tmp_path, monkeypatch):
    other = tmp_path / "other.toml"
    other.write_text('network = "mainnet"\n')
    assert load_config(env={"SECRET_MCP_CONFIG": str(other)}).network == "mainnet"
    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path / "home"))
    assert load_config(env={}).network == "sandbox"  # a missing default file is fine
    (tmp_path / "home" / "config").mkdir(parents=True)
    (tmp_path / "home" / "config" / "config.toml").write_text('network = "testnet"\n')
    assert load_config(env={}).network == "testnet"


def test_paths_home_override_and_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path))
    assert paths.config_dir() == tmp_path / "config" and paths.cache_dir() == tmp_path / "cache"
    assert paths.data_dir() == tmp_path / "data" and paths.state_dir() == tmp_path / "state"
    monkeypatch.delenv("SECRET_MCP_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xc"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert paths.config_dir() == tmp_path / "xc" / "secret-mcp"
    assert paths.cache_dir() == tmp_path / "h" / ".cache" / "secret-mcp"
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    assert paths.data_dir() == tmp_path / "h" / ".local" / "share" / "secret-mcp"
    assert paths.state_dir() == tmp_path / "h" / ".local" / "state" / "secret-mcp"


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_max_connections_accepts_exactly_positive_integers(n):
    env = {"SECRET_MCP_MAX_CONNECTIONS": str(n), "SECRET_MCP_CONFIG": os.devnull}
    if n > 0:
        assert load_config(env=env).max_connections == n
    else:
        with pytest.raises(ConfigError, match=f"^max_connections: must be a positive integer, got '{n}'$"):
            load_config(env=env)
