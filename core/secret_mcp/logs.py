"""Logging set-up for `secret-mcp`: everything on stderr (stdout is the stdio transport), text or JSON lines.

`--log-format json` (`log_format`, SECRET_MCP_LOG_FORMAT) writes one JSON object per line: `ts` (UTC,
ISO 8601), `level`, `logger`, `msg`, any `extra=` fields of the call (`tool`, `duration_ms`, `outcome`,
`code` on the per-call line) and `exc` for a traceback. The redaction filter rewrites every record's
message before any handler sees it; the JSON formatter also redacts the extra fields and the traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import IO, Any

from .security.redact import install_log_filter, redact

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else on a record came from `extra=`.
# uvicorn's `color_message` is its message again with terminal colour codes: noise in a JSON line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName", "color_message"}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (json.dumps escapes newlines inside values)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": _timestamp(record.created), "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = _jsonable(value)
        if record.exc_info and record.exc_info[1] is not None:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(redact(out), ensure_ascii=False)


class _Handler(logging.StreamHandler):
    """Marks the handler this module installed, so configuring again replaces it instead of adding one."""


def configure(log_format: str = "text", level: str = "INFO", stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record to `stream` (stderr) in the given format; returns the handler installed."""
    install_log_filter()  # before the first record: the filter works when records are created
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    handler = _Handler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # warnings.warn output goes through the handler too (JSON in json mode)
    if level != "DEBUG":
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per LCD request is debug detail
    return handler


def console(log_format: str, message: str, *, logger: str = "secret_mcp", **fields: Any) -> None:
    """A line for the person starting the server (address, generated token), on stderr and never through
    the logging handlers (which may be shipped elsewhere). Follows the log format so stderr stays parseable."""
    if log_format == "json":
        line = json.dumps({"ts": _timestamp(datetime.now(timezone.utc).timestamp()), "level": "INFO", "logger": logger,
                           "msg": message.rstrip(":"), **fields}, ensure_ascii=False)
    else:
        line = f"secret-mcp: {message}" + "".join(f" {v}" for v in fields.values())
    print(line, file=sys.stderr, flush=True)
