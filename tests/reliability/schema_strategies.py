"""Hypothesis strategies from a tool's JSON input schema (the subset pydantic emits), plus wrong-typed junk.

`arguments(schema, hints)` draws whole argument objects: mostly schema-valid ones (types, enums, bounds,
required/optional fields, $ref/$defs, anyOf), some with one field replaced by junk, a required field dropped
or an unknown field added, and some that are junk throughout. String fields also draw from `hints` (values
that get past validation into the tool's real work: known addresses, amounts, hashes), chosen by field name.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from hypothesis import strategies as st

HUGE = "x" * 100_000
# Strings that tend to break parsers, loggers and formatters.
ODD_STRINGS = ["", " ", "\x00", "\n\t", "💥🔑", "ＳＣＲＴ", "a" * 300, HUGE, "'; DROP TABLE x; --", "{}", "[]",
               "%s%n%x", "{0}", "../../../etc/passwd", "null", "-1", "0", "1e308", "NaN", "0x", "secret1",
               "ibc/", "\u202e", "\\"]
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text(max_size=20),
                      st.floats(allow_nan=False, allow_infinity=False))
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                    max_leaves=8)
JUNK = st.one_of(JSON, st.just(HUGE), st.integers(min_value=10**30, max_value=10**40), st.sampled_from(ODD_STRINGS),
                 st.lists(st.sampled_from(ODD_STRINGS), min_size=1, max_size=3))
MAX_TEXT = 120
MAX_ITEMS = 4


def _hint_strings(name: str, hints: Mapping[str, Sequence[Any]]) -> list[Any]:
    """Hint values whose key is part of the field name ("address" serves "address" and "source_address")."""
    out: list[Any] = []
    for key, values in hints.items():
        if key in name.lower():
            out.extend(values)
    return out


class Converter:
    def __init__(self, schema: Mapping[str, Any], hints: Mapping[str, Sequence[Any]]) -> None:
        self.defs = dict(schema.get("$defs") or {})
        self.hints = hints

    def value(self, schema: Mapping[str, Any], name: str = "") -> st.SearchStrategy:
        if "$ref" in schema:
            return self.value(self.defs[schema["$ref"].rsplit("/", 1)[-1]], name)
        if "anyOf" in schema or "oneOf" in schema:
            return st.one_of([self.value(s, name) for s in schema.get("anyOf") or schema["oneOf"]])
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.value({**schema, "type": k}, name) for k in kind])
        make = {"string": self._string, "integer": self._integer, "number": self._number, "boolean": self._boolean,
                "null": self._null, "array": self._array, "object": self._object}.get(kind)
        return make(schema, name) if make else JSON

    def _string(self, schema: Mapping[str, Any], name: str) -> st.SearchStrategy:
        low = int(schema.get("minLength", 0))
        high = max(low, min(int(schema.get("maxLength", MAX_TEXT)), MAX_TEXT))
        options = [st.text(min_size=low, max_size=high)]
        hinted = [h for h in _hint_strings(name, self.hints) if isinstance(h, str)]
        if hinted:
            options += [st.sampled_from(hinted)] * 3  # weighted: most draws reach the tool's real work
        return st.one_of(options)

    def _bounds(self, schema: Mapping[str, Any], step: int | float) -> tuple[Any, Any]:
        low = schema.get("minimum")
        if "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + step
        high = schema.get("maximum")
        if "exclusiveMaximum" in schema:
            high = schema["exclusiveMaximum"] - step
        return low, high

    def _integer(self, schema: Mapping[str, Any], name: str) -> st.SearchStrategy:
        low, high = self._bounds(schema, 1)
        options = [st.integers(min_value=low, max_value=high)]
        small = [h for h in _hint_strings(name, self.hints) if isinstance(h, int) and not isinstance(h, bool)]
        small = [h for h in small if (low is None or h >= low) and (high is None or h <= high)]
        if small:
            options += [st.sampled_from(small)] * 2
        if low is not None:
            options.append(st.just(low))
        if high is not None:
            options.append(st.just(high))
        return st.one_of(options)

    def _number(self, schema: Mapping[str, Any], name: str) -> st.SearchStrategy:
        low, high = self._bounds(schema, 1e-9)
        return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)

    def _boolean(self, schema: Mapping[str, Any], name: str) -> st.SearchStrategy:
        return st.booleans()

    def _null(self, schema: Mapping[str, Any], name: str) -> st.SearchStrategy:
        return st.none()

    def _array(self, schema: Mapping[str, Any], name: str) -> st.SearchStrategy:
        low = int(schema.get("minItems", 0))
        high = max(low, min(int(schema.get("maxItems", MAX_ITEMS)), MAX_ITEMS))
        items = self.value(schema.get("items") or {}, name)
        return st.lists(items, min_size=low, max_size=high)

    def _object(self, schema: Mapping[str, Any], name: str) -> st.SearchStrategy:
        props = schema.get("properties") or {}
        if not props:  # a free-form object (a contract message): hinted shapes or any JSON object
            hinted = [h for h in _hint_strings(name, self.hints) if isinstance(h, dict)]
            free = st.dictionaries(st.text(max_size=12), JSON, max_size=3)
            return st.one_of([free] + ([st.sampled_from(hinted)] * 2 if hinted else []))
        required = set(schema.get("required") or [])
        return st.fixed_dictionaries(
            {k: self.value(v, k) for k, v in props.items() if k in required},
            optional={k: self.value(v, k) for k, v in props.items() if k not in required},
        )


def _mutations(schema: Mapping[str, Any], valid: dict) -> st.SearchStrategy:
    """From one valid argument object: one field junk, a required field missing, or an unknown field."""
    props = list((schema.get("properties") or {}).keys())
    required = list(schema.get("required") or [])
    options: list[st.SearchStrategy] = [st.builds(lambda j: {**valid, "unexpected_field": j}, JUNK)]
    if props:
        options.append(st.builds(lambda k, j: {**valid, k: j}, st.sampled_from(props), JUNK))
    if required:
        options.append(st.sampled_from(required).map(lambda k: {f: v for f, v in valid.items() if f != k}))
    return st.one_of(options)


def arguments(schema: Mapping[str, Any], hints: Mapping[str, Sequence[Any]]) -> st.SearchStrategy:
    """Argument objects for a tool with this input schema: valid, mutated, or junk."""
    valid = Converter(schema, hints).value({**schema, "type": "object"})
    return st.one_of(
        valid, valid, valid,  # weighted towards calls that get past validation
        valid.flatmap(lambda args: _mutations(schema, args)),
        st.dictionaries(st.text(max_size=10), JUNK, max_size=3),
    )
