"""The apps' HTML: each page is one self-contained document (styles, bridge and chart library inlined), built
once per process from the files in web/. Nothing is fetched when a host renders it."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

# <!-- inline: NAME --> in a page is replaced by web/NAME inside <style> or <script>.
_INLINE = re.compile(r"<!--\s*inline:\s*([\w./-]+)\s*-->")


def _web(name: str) -> str:
    return files(__package__).joinpath("web", name).read_text(encoding="utf-8")


def _inlined(match: re.Match[str]) -> str:
    name = match.group(1)
    text = _web(name)
    if "</script" in text.lower() or "</style" in text.lower():  # would end the element early
        raise ValueError(f"web/{name} cannot be inlined: it contains a closing tag")
    return f"<style>\n{text}</style>" if name.endswith(".css") else f"<script>\n{text}</script>"


@lru_cache(maxsize=None)
def page(name: str) -> str:
    """web/NAME.html with its inline markers filled in."""
    return _INLINE.sub(_inlined, _web(f"{name}.html"))
