"""The apps' HTML: each page is one self-contained document (styles, bridge and chart library inlined), built
once per process from the files in web/. Nothing is fetched when a host renders it."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from secret_mcp.api import web_asset

# <!-- inline: NAME --> in a page is replaced by web/NAME inside <style> or <script>. NAME "core:FILE" is the
# core's own web asset FILE (the review card the wallet signing page shows too), so both render one file.
_INLINE = re.compile(r"<!--\s*inline:\s*(core:)?([\w./-]+)\s*-->")
# What an ES module exports (the core's scripts are modules, as the signing page loads them).
_EXPORTED = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+(\w+)", re.MULTILINE)


def _web(name: str) -> str:
    return files(__package__).joinpath("web", name).read_text(encoding="utf-8")


def _module(name: str, text: str) -> str:
    """A core ES module as an inline module script whose exports land in one global named after the file
    (review.js -> SecretReview): an inline module cannot be imported, and the page's own scripts (modules too,
    so they run after it) would clash with its private names if pasted into theirs."""
    names = _EXPORTED.findall(text)
    if not names:
        raise ValueError(f"core web asset {name} exports nothing")
    scope = "Secret" + name.rsplit(".", 1)[0].capitalize()
    return f"<script type=\"module\">\n{text}\nglobalThis.{scope} = Object.freeze({{ {', '.join(names)} }});\n</script>"


def _inlined(match: re.Match[str]) -> str:
    core, name = match.group(1), match.group(2)
    text = web_asset(name) if core else _web(name)
    if "</script" in text.lower() or "</style" in text.lower():  # would end the element early
        raise ValueError(f"{'core ' if core else 'web/'}{name} cannot be inlined: it contains a closing tag")
    if name.endswith(".css"):
        return f"<style>\n{text}</style>"
    return _module(name, text) if core else f"<script>\n{text}</script>"


@lru_cache(maxsize=None)
def page(name: str) -> str:
    """web/NAME.html with its inline markers filled in."""
    return _INLINE.sub(_inlined, _web(f"{name}.html"))
