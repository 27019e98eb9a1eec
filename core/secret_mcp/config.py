"""Settings for one secret-mcp process, and where they come from.

Precedence, highest first:

1. CLI overrides: the dict passed to `load_config(cli=...)`, keyed by field name; None means "not given".
2. Environment: `SECRET_MCP_<FIELD>` (e.g. `SECRET_MCP_MAX_CONNECTIONS`), plus the aliases
   `SECRET_MCP_LCD_URL` (comma separated) and `SECRET_MCP_NO_CACHE` (true disables the cache).
   List variables are comma separated and an empty value means an empty list
   (`SECRET_MCP_PLUGINS=""` loads no plugin); an empty scalar variable counts as unset.
   Other `SECRET_MCP_*` variables belong to other parts of the program and are ignored here.
3. The TOML file: `path`, else `$SECRET_MCP_CONFIG`, else `config_dir()/config.toml` (may be absent;
   `config_dir()` reads the process environment, i.e. SECRET_MCP_HOME / XDG_CONFIG_HOME).
   Keys are field names; an unknown key is an error naming it.
4. The defaults on `Config`.

Every value is structured with cattrs (strings from the environment become ints, bools, paths...) and
validated; a bad value raises `ConfigError` whose message starts with the key, e.g.
``max_connections: must be a positive integer, got '-1'``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

import attrs
import cattrs

from .errors import ConfigError
from .paths import config_dir

CONFIRM_MODES = ("always", "above_limit", "never")
APPROVAL_MODES = ("code", "browser")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# --- converters: lenient on purpose, so that a wrong type reaches the validator and gets a keyed message


def _to_tuple(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return value


def _to_opt_tuple(value: Any) -> Any:
    return None if value is None else _to_tuple(value)


def _to_opt_path(value: Any) -> Any:
    return Path(value).expanduser() if isinstance(value, (str, os.PathLike)) else value


def _to_decimal(value: Any) -> Any:
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


# --- validators: each field says what it expects once, used by both structuring and validation


def _expect(text: str) -> dict[str, str]:
    return {"expect": text}


def _fail(attribute: attrs.Attribute, value: Any) -> ConfigError:
    return ConfigError(attribute.name, f"must be {attribute.metadata['expect']}, got '{value}'")


def _check(predicate: Any) -> Any:
    def validate(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
        try:
            ok = predicate(value)
        except (TypeError, ValueError, AttributeError):
            ok = False
        if not ok:
            raise _fail(attribute, value)

    return validate


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _names(v: Any) -> bool:
    return isinstance(v, tuple) and all(isinstance(x, str) and x.strip() for x in v)


def _check_urls(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    # Never echoes a URL: it may carry a password or a token.
    from .networks import lcd_url_problem

    if not isinstance(value, tuple):
        raise ConfigError(attribute.name, "must be a list of http(s) URLs")
    for i, url in enumerate(value):
        problem = lcd_url_problem(url)
        if problem:
            raise ConfigError(attribute.name, f"entry {i + 1} {problem}")


def _denom_amounts(v: Any) -> bool:
    return isinstance(v, str) and all(
        re.fullmatch(r"[A-Za-z][\w/.:-]*=\d+", part.strip()) for part in v.split(",") if part.strip()
    )


def _check_cache_url(_inst: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    from .cache_backends import redact_url, url_problem

    if not isinstance(value, str) or "://" not in value:
        raise ConfigError(attribute.name, f"must be a URL, got '{redact_url(str(value))}'")
    problem = url_problem(value)
    if problem:
        raise ConfigError(attribute.name, f"{redact_url(value)} is not a Redis URL: {problem}.")


def _opt(pred: Any) -> Any:
    return lambda v: v is None or pred(v)


@attrs.frozen
class Config:
    """Everything configurable. Construct directly (values are checked) or through `load_config`."""

    network: str = attrs.field(
        default="sandbox", validator=_check(lambda v: isinstance(v, str) and v.strip()), metadata=_expect("a network name")
    )
    lcd_urls: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_urls, metadata=_expect("http(s) URLs")
    )
    # Sandbox chains the person runs outside this process (`secret-mcp sandbox`): only these URLs, besides the
    # sandbox this process starts, count as the worthless simulated chain. Config file or environment only:
    # no tool can set it, so the model cannot relabel a real endpoint as a sandbox.
    sandbox_urls: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_urls, metadata=_expect("http(s) URLs")
    )
    chain_id: str | None = attrs.field(
        default=None, validator=_check(_opt(lambda v: isinstance(v, str) and v.strip())), metadata=_expect("a chain id")
    )
    plugins: tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_opt_tuple, validator=_check(_opt(_names)), metadata=_expect("plugin names")
    )
    exclude: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check(_names), metadata=_expect("plugin names")
    )
    read_only: bool = attrs.field(default=False, validator=_check(lambda v: isinstance(v, bool)), metadata=_expect("true or false"))
    cache: bool = attrs.field(default=True, validator=_check(lambda v: isinstance(v, bool)), metadata=_expect("true or false"))
    # tools/list advertises output schemas and every schema detail only when asked (see CONTRIBUTING.md).
    full_schemas: bool = attrs.field(default=False, validator=_check(lambda v: isinstance(v, bool)), metadata=_expect("true or false"))
    cache_dir: Path | None = attrs.field(
        default=None, converter=_to_opt_path, validator=_check(_opt(lambda v: isinstance(v, Path))), metadata=_expect("a path")
    )
    # Redis shared by several processes (see cache_backends.py); checked without echoing a password.
    cache_url: str | None = attrs.field(default=None, validator=_check_cache_url, metadata=_expect("a URL"))
    max_connections: int = attrs.field(
        default=10, validator=_check(lambda v: _is_int(v) and v > 0), metadata=_expect("a positive integer")
    )
    request_timeout: float = attrs.field(
        default=10.0, validator=_check(lambda v: _is_num(v) and v > 0), metadata=_expect("a positive number of seconds")
    )
    retries: int = attrs.field(
        default=2, validator=_check(lambda v: _is_int(v) and 0 <= v <= 10), metadata=_expect("an integer from 0 to 10")
    )
    # Circuit breaker per LCD endpoint (pool.Breaker): after this many failures in a row the endpoint is
    # paused (calls fail at once or go to another endpoint) for `breaker_cooldown` seconds, then probed.
    breaker_threshold: int = attrs.field(
        default=5, validator=_check(lambda v: _is_int(v) and v > 0), metadata=_expect("a positive integer")
    )
    breaker_cooldown: float = attrs.field(
        default=30.0, validator=_check(lambda v: _is_num(v) and 0 < v <= 86_400),
        metadata=_expect("a positive number of seconds (at most 86400)"),
    )
    log_level: str = attrs.field(
        default="INFO", converter=_upper, validator=_check(lambda v: v in LOG_LEVELS), metadata=_expect("one of " + ", ".join(LOG_LEVELS))
    )
    # stderr: "text" lines for people, "json" one object per line for log shippers (see secret_mcp.logs).
    log_format: str = attrs.field(
        default="text", converter=_lower, validator=_check(lambda v: v in LOG_FORMATS), metadata=_expect("text or json")
    )
    confirm: str = attrs.field(
        default="always", validator=_check(lambda v: v in CONFIRM_MODES), metadata=_expect("one of " + ", ".join(CONFIRM_MODES))
    )
    # How a client without form elicitation gets the person's yes for a server-held key: a confirmation code the
    # model relays, or "browser": an Approve button on a local page (the model then holds nothing to approve with).
    approval: str = attrs.field(
        default="code", converter=_lower, validator=_check(lambda v: v in APPROVAL_MODES),
        metadata=_expect("code or browser"),
    )
    audit_log: Path | None = attrs.field(
        default=None, converter=_to_opt_path, validator=_check(_opt(lambda v: isinstance(v, Path))), metadata=_expect("a path")
    )
    # Below 1 the estimate from simulation would be cut and transactions would run out of gas.
    gas_adjustment: Decimal = attrs.field(
        default=Decimal("1.3"),
        converter=_to_decimal,
        validator=_check(lambda v: isinstance(v, Decimal) and v.is_finite() and 1 <= v <= 10),
        metadata=_expect("a number from 1 to 10"),
    )
    # Bearer token of the HTTP transport; its length is checked by http.resolve_token (errors here echo values).
    http_token: str | None = attrs.field(
        default=None, repr=False, validator=_check(_opt(lambda v: isinstance(v, str))), metadata=_expect("a string")
    )
    # How long a broadcast transaction is waited for before its outcome is reported unknown (never resent).
    tx_wait_seconds: int = attrs.field(
        default=60, validator=_check(lambda v: _is_int(v) and 1 <= v <= 600), metadata=_expect("1 to 600 seconds")
    )
    # Leave free text written on the chain (titles, descriptions, memos, monikers, labels) out of results,
    # except for the tools named in lockdown_allow.
    lockdown: bool = attrs.field(default=False, validator=_check(lambda v: isinstance(v, bool)), metadata=_expect("true or false"))
    lockdown_allow: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check(_names), metadata=_expect("tool names")
    )
    # With cache_url: the shared secret under which pending calls in Redis carry an HMAC (never logged).
    state_key: str | None = attrs.field(
        default=None, repr=False, validator=_check(_opt(lambda v: isinstance(v, str))), metadata=_expect("a string")
    )
    # OAuth 2.1 for `serve --http` (secret_mcp/auth): tokens from this issuer, for this audience (the server's
    # public URL of /mcp); each token subject is a principal with its own wallets, limits and codes.
    oauth_issuer: str | None = attrs.field(
        default=None, validator=_check(_opt(lambda v: isinstance(v, str) and v.startswith(("https://", "http://")))),
        metadata=_expect("an http(s) URL"),
    )
    oauth_audience: str | None = attrs.field(
        default=None, validator=_check(_opt(lambda v: isinstance(v, str) and v.startswith(("https://", "http://")))),
        metadata=_expect("an http(s) URL"),
    )
    # Where the issuer's keys are, when its metadata (RFC 8414 / OpenID discovery) does not say.
    oauth_jwks_url: str | None = attrs.field(
        default=None, validator=_check(_opt(lambda v: isinstance(v, str) and v.startswith(("https://", "http://")))),
        metadata=_expect("an http(s) URL"),
    )
    # The public base URL of `serve --http` (https://mcp.example.org): signing links are built from it, never from a
    # request's Host header. Unset: the origin of oauth_audience.
    public_url: str | None = attrs.field(
        default=None, validator=_check(_opt(lambda v: isinstance(v, str) and v.startswith(("https://", "http://")))),
        metadata=_expect("an http(s) URL"),
    )
    # Under OAuth the server holds no recovery phrase unless this is true (non-custodial by default).
    allow_server_keys: bool = attrs.field(default=False, validator=_check(lambda v: isinstance(v, bool)), metadata=_expect("true or false"))
    rate_limit_per_minute: int = attrs.field(
        default=600, validator=_check(lambda v: _is_int(v) and v > 0), metadata=_expect("a positive integer")
    )
    rate_limit_burst: int = attrs.field(
        default=60, validator=_check(lambda v: _is_int(v) and v > 0), metadata=_expect("a positive integer")
    )
    max_sessions_per_principal: int = attrs.field(
        default=10, validator=_check(lambda v: _is_int(v) and v > 0), metadata=_expect("a positive integer")
    )
    # Security (see SECURITY.md). Amount settings are "denom=amount" pairs; an empty string means no limit.
    never_confirm_on_real_networks: bool = attrs.field(
        default=False, validator=_check(lambda v: isinstance(v, bool)), metadata=_expect("true or false")
    )
    confirm_above: str = attrs.field(
        default="uscrt=10000000", validator=_check(_denom_amounts), metadata=_expect("denom=amount pairs")
    )
    spend_limit_per_tx: str = attrs.field(
        default="uscrt=100000000", validator=_check(_denom_amounts), metadata=_expect("denom=amount pairs")
    )
    spend_limit_daily: str = attrs.field(
        default="uscrt=1000000000", validator=_check(_denom_amounts), metadata=_expect("denom=amount pairs")
    )
    # Fee cap on every network: no fee above max_fee, nor (once above fee_ratio_floor) above the amount moved.
    max_fee: str = attrs.field(
        default="uscrt=2000000", validator=_check(_denom_amounts), metadata=_expect("denom=amount pairs")
    )
    fee_ratio_floor: str = attrs.field(
        default="uscrt=100000", validator=_check(_denom_amounts), metadata=_expect("denom=amount pairs")
    )
    limit_network_kinds: tuple[str, ...] = attrs.field(
        default=("mainnet", "custom"), converter=_to_tuple, validator=_check(_names), metadata=_expect("network kinds")
    )
    allowed_recipients: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check(_names), metadata=_expect("addresses")
    )
    confirm_ttl_seconds: int = attrs.field(
        default=300, validator=_check(lambda v: _is_int(v) and 30 <= v <= 3600), metadata=_expect("30 to 3600 seconds")
    )
    spending_log: Path | None = attrs.field(
        default=None, converter=_to_opt_path, validator=_check(_opt(lambda v: isinstance(v, Path))), metadata=_expect("a path")
    )


attrs.resolve_types(Config)
FIELDS: dict[str, attrs.Attribute] = {a.name: a for a in attrs.fields(Config)}


# --- cattrs: strict structuring of raw values (TOML types or environment strings)


def _structure_bool(value: Any, _t: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(value)


def _structure_int(value: Any, _t: Any) -> int:
    # int("3.7") fails but int(3.7) truncates silently; refuse floats and bools outright.
    if _is_int(value):
        return value
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError(value)


def _structure_float(value: Any, _t: Any) -> float:
    if _is_num(value):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise ValueError(value)


def _structure_str(value: Any, _t: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(value)


def _structure_tuple(value: Any, _t: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return _to_tuple(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(value)


def _structure_path(value: Any, _t: Any) -> Path:
    if isinstance(value, (str, os.PathLike)) and str(value):
        return Path(value).expanduser()
    raise ValueError(value)


def _structure_decimal(value: Any, _t: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(value)
    return Decimal(str(value).strip())


converter = cattrs.Converter()
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_tuple)  # a generic alias is no class: match it by predicate
converter.register_structure_hook(Path, _structure_path)
converter.register_structure_hook(Decimal, _structure_decimal)


def structure_value(key: str, value: Any) -> Any:
    """One raw value as the type of field `key`, or a ConfigError naming the key."""
    field = FIELDS.get(key)
    if field is None:
        raise _unknown(key, "is not a setting")
    try:
        return converter.structure(value, field.type)
    except Exception as exc:  # cattrs wraps hook errors in its own types; all mean "wrong value"
        raise _fail(field, value) from exc


def _unknown(key: str, what: str) -> ConfigError:
    close = difflib.get_close_matches(key, FIELDS, n=1)
    hint = [f"Did you mean '{close[0]}'?"] if close else []
    return ConfigError(key, what, hint + ["Known settings: " + ", ".join(FIELDS)])


# --- the three sources

_ENV_ALIASES = {"LCD_URL": "lcd_urls", "LCD_URLS": "lcd_urls"}
_LIST_FIELDS = {"lcd_urls", "sandbox_urls", "plugins", "exclude", "limit_network_kinds", "allowed_recipients",
                "lockdown_allow"}


def from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings found in `SECRET_MCP_*` variables, as raw strings keyed by field name."""
    out: dict[str, Any] = {}
    for var, value in env.items():
        if not var.startswith("SECRET_MCP_"):
            continue
        name = var[len("SECRET_MCP_"):]
        key = _ENV_ALIASES.get(name, name.lower())
        if key not in FIELDS:
            continue
        if value.strip() or key in _LIST_FIELDS:
            out[key] = value
    no_cache = env.get("SECRET_MCP_NO_CACHE", "").strip()
    if no_cache:
        try:
            out["cache"] = not _structure_bool(no_cache, bool)
        except ValueError:
            raise ConfigError("SECRET_MCP_NO_CACHE", f"must be true or false, got '{no_cache}'") from None
    return out


def from_file(path: Path, *, required: bool) -> dict[str, Any]:
    """The settings in a TOML file; a missing file is empty unless `required`."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        if required:
            raise ConfigError("config", f"file not found: {path}", ["Check SECRET_MCP_CONFIG / --config."]) from None
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{path} is not valid TOML: {exc}") from None
    for key in data:
        if key not in FIELDS:
            raise _unknown(key, f"unknown setting in {path}")
    return data


def config_path(env: Mapping[str, str]) -> tuple[Path, bool]:
    """The config file to read and whether it was asked for explicitly (then it must exist)."""
    explicit = env.get("SECRET_MCP_CONFIG", "").strip()
    if explicit:
        return Path(explicit).expanduser(), True
    return config_dir() / "config.toml", False


def load_config(
    cli: dict[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | str | None = None,
) -> Config:
    """Merge file < environment < CLI over the defaults and return a validated Config."""
    env = os.environ if env is None else env
    if path is not None:
        file_path, required = Path(path).expanduser(), True
    else:
        file_path, required = config_path(env)
    raw: dict[str, Any] = {}
    raw.update(from_file(file_path, required=required))
    raw.update(from_env(env))
    for key, value in (cli or {}).items():
        if value is not None:
            if key not in FIELDS:
                raise _unknown(key, "is not a setting")
            raw[key] = value
    return Config(**{key: structure_value(key, value) for key, value in raw.items()})
