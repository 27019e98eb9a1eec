"""What tools/list says about each tool's arguments: pydantic's JSON schema, made small.

Every byte of tools/list is read by the model on every conversation, so by default (`full_schemas = false`)
the advertised input schema keeps what a caller needs to build a valid call (types, enums, required,
informative defaults, field descriptions) and drops what pydantic adds for its own bookkeeping or what the
server enforces anyway:

* `title` keywords (pydantic derives them from the field names; a property *named* title stays);
* `anyOf: [X, {type: null}]` with `default: null` becomes X: the argument may simply be left out
  (the server still accepts an explicit null); other `anyOf`s stay (a list of types is shorter, but clients
  that map schemas onto a single-`type` dialect, such as Gemini's, may reject it);
* `additionalProperties: true` (the JSON Schema default) and empty-string defaults;
* numeric, length and item-count bounds: the server validates them and answers INVALID_INPUT naming the
  field and the bound, so a model that overshoots learns the limit from one error;
* `$defs` used by a single `$ref` are inlined.

Arguments are still validated against the tool's full pydantic model; only the advertisement changes.
`full_schemas = true` advertises pydantic's schema minus the titles, and output schemas too.
"""

from __future__ import annotations

from typing import Any

BOUNDS = frozenset({
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems",
})
_NULL = {"type": "null"}
_DEFS = "#/$defs/"


def strip_titles(node: Any) -> Any:
    """A copy without pydantic's `title` keywords (keys of `properties` are names, never keywords)."""
    if isinstance(node, list):
        return [strip_titles(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: strip_titles(sub) for name, sub in value.items()}
        else:
            out[key] = strip_titles(value)
    return out


def _compact(node: Any) -> Any:
    if isinstance(node, list):
        return [_compact(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in BOUNDS or (key == "title" and isinstance(value, str)):
            continue
        if key == "additionalProperties" and value is True:
            continue
        if key == "default" and value == "":
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: _compact(sub) for name, sub in value.items()}
        else:
            out[key] = _compact(value)
    options = out.get("anyOf")
    if isinstance(options, list) and _NULL in options and "default" in out and out["default"] is None:
        rest = [option for option in options if option != _NULL]
        del out["anyOf"], out["default"]
        out = {**rest[0], **out} if len(rest) == 1 else {"anyOf": rest, **out}
    return out


def _refs(node: Any, counts: dict[str, int]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_DEFS):
            counts[ref[len(_DEFS):]] = counts.get(ref[len(_DEFS):], 0) + 1
        for value in node.values():
            _refs(value, counts)
    elif isinstance(node, list):
        for item in node:
            _refs(item, counts)


def _inline(node: Any, defs: dict[str, Any], once: set[str]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs, once) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS) and ref[len(_DEFS):] in once:
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return {**_inline(defs[ref[len(_DEFS):]], defs, once), **_inline(siblings, defs, once)}
    return {key: _inline(value, defs, once) for key, value in node.items()}


def inline_single_use_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """Replace each `$ref` to a definition used exactly once with the definition itself."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict) or not defs:
        return schema
    counts: dict[str, int] = {}
    _refs(schema, counts)
    once = {name for name in defs if counts.get(name) == 1}
    if not once:
        return schema
    body = _inline({k: v for k, v in schema.items() if k != "$defs"}, defs, once)
    kept = {name: _inline(d, defs, once) for name, d in defs.items() if name not in once}
    return {"$defs": kept, **body} if kept else body


def input_schema(schema: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """The input schema tools/list advertises (see the module docstring)."""
    if full:
        return strip_titles(schema)
    return inline_single_use_defs(_compact(schema))


def output_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """The output schema advertised with `full_schemas = true` (pydantic's, without titles)."""
    return None if schema is None else strip_titles(schema)
