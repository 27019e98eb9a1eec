"""Security settings read from the core Config, whichever of their fields it has."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from secret_mcp.security.settings import SecuritySettings


def test_defaults_when_config_has_none_of_the_fields():
    s = SecuritySettings.from_config(SimpleNamespace())
    assert s.confirm == "always" and s.limit_per_tx == {"uscrt": 100_000_000}
    assert s.limit_daily == {"uscrt": 1_000_000_000} and s.confirm_above == {"uscrt": 10_000_000}
    assert s.audit_path.name == "audit.jsonl" and s.limit_network_kinds == frozenset({"mainnet", "custom"})


def test_config_values_in_their_config_form():
    config = SimpleNamespace(
        confirm="above_limit", spend_limit_per_tx="uscrt=5, ibc/ABC=7", spend_limit_daily="",
        allowed_recipients=("secret1a",), audit_log=Path("/x/a.jsonl"), limit_network_kinds=("mainnet",),
    )
    s = SecuritySettings.from_config(config)
    assert s.confirm == "above_limit" and s.limit_per_tx == {"uscrt": 5, "ibc/ABC": 7}
    assert s.limit_daily == {} and s.allowed_recipients == ("secret1a",)
    assert s.audit_path == Path("/x/a.jsonl") and s.limit_network_kinds == frozenset({"mainnet"})
