"""Prompts as MCP serves them, with argument errors a client can act on.

The SDK turns every prompt failure into a bare ValueError, which reaches the client as "Internal server error"
(-32603) or, in the handshake era, code 0, and logs a traceback. A prompt's failures are the caller's
arguments (a prompt only builds text), so they become JSON-RPC "invalid params" (-32602) naming the prompt,
the argument and what to do, in both eras; an unknown prompt name too (as the MCP spec asks). Anything else
a prompt raises is a bug: -32603 with no details, the traceback in the server log only.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from mcp import MCPError
from mcp.server.mcpserver.prompts.base import Prompt
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS, GetPromptRequestParams, TextContent
from pydantic import Field, ValidationError

from .errors import SecretMCPError, shorten

log = logging.getLogger("secret_mcp.prompts")


def _invalid(message: str, **data: Any) -> MCPError:
    from .security.redact import redact

    return MCPError(INVALID_PARAMS, shorten(redact(message)), redact({k: v for k, v in data.items() if v is not None}))


class CheckedPrompt(Prompt):
    """A prompt whose argument problems are `-32602` errors naming the argument (see the module docstring)."""

    # Applied to each text message: the core keeps it to the tools this server offers (offered.prompt_text).
    rewrite: Callable[[str], str] | None = Field(None, exclude=True)

    async def render(self, arguments: dict[str, Any] | None, context: Any) -> Any:
        args = dict(arguments or {})
        declared = {a.name: a for a in self.arguments or []}
        takes = ", ".join(declared) or "none"
        unknown = sorted(set(args) - set(declared))
        if unknown:
            raise _invalid(f"Prompt {self.name!r} has no argument {', '.join(map(repr, unknown))}; its arguments: "
                           f"{takes}. Drop or rename it and ask again.", prompt=self.name, unknown=unknown,
                           arguments=list(declared))
        missing = [a for a in declared.values() if a.required and a.name not in args]
        if missing:
            what = "; ".join(f"{a.name!r} ({a.description})" if a.description else repr(a.name) for a in missing)
            raise _invalid(f"Prompt {self.name!r} needs the argument {what}. Pass it in the prompt's arguments and "
                           "ask again.", prompt=self.name, missing=[a.name for a in missing])
        try:
            messages = await super().render(args, context)
        except MCPError:
            raise
        except ValueError as exc:  # the SDK wraps what the prompt function raised
            raise self._explain(exc.__cause__ or exc) from None
        if self.rewrite is not None and isinstance(messages, list):
            for message in messages:
                if isinstance(message.content, TextContent):
                    message.content = TextContent(type="text", text=self.rewrite(message.content.text))
        return messages

    def _explain(self, cause: BaseException) -> MCPError:
        if isinstance(cause, ValidationError):
            problems, names = [], []
            for err in cause.errors(include_url=False, include_input=False):
                name = ".".join(str(p) for p in err["loc"]) or "arguments"
                names.append(name)
                problems.append(f"{name!r}: {err['msg']}")
            return _invalid(f"Invalid argument for prompt {self.name!r}: {'; '.join(problems)}. Correct it and ask "
                            "again.", prompt=self.name, arguments=names)
        if isinstance(cause, SecretMCPError):  # the prompt checked a value itself (e.g. an address)
            field = cause.details.get("field") if isinstance(cause.details, dict) else None
            hint = f" {' '.join(cause.suggestions)}" if cause.suggestions else ""
            return _invalid(f"Invalid argument for prompt {self.name!r}: {cause.message}{hint}", prompt=self.name,
                            argument=field, code=cause.code, suggestions=cause.suggestions or None)
        log.error("prompt %s failed to render", self.name, exc_info=cause)
        return MCPError(INTERNAL_ERROR, f"Prompt {self.name!r} failed to render; the server log has the details.")


def add(server: Any, spec: Any, rewrite: Callable[[str], str] | None = None) -> None:
    """Register one PromptSpec (registry.py) on the MCPServer; `rewrite` is applied to its text messages."""
    prompt = CheckedPrompt.from_function(spec.fn, name=spec.name, title=spec.title, description=spec.description)
    prompt.rewrite = rewrite
    server.add_prompt(prompt)


def install(server: Any) -> None:
    """Answer prompts/get for an unknown name with -32602 and the names there are (the SDK: a bare ValueError)."""

    lowlevel = server.lowlevel  # the SDK's low-level server, reached through the adapter (server.py) only
    sdk_get = lowlevel.get_request_handler("prompts/get").handler

    async def get_prompt(ctx: Any, params: GetPromptRequestParams) -> Any:
        known = sorted(p.name for p in await server.list_prompts())
        if params.name not in known:
            raise _invalid(f"Unknown prompt {params.name!r}. Prompts on this server: {', '.join(known) or 'none'}.",
                           prompt=params.name, available=known)
        return await sdk_get(ctx, params)

    lowlevel.add_request_handler("prompts/get", GetPromptRequestParams, get_prompt)
