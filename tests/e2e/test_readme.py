"""README's tool table is `secret-mcp tools --markdown`, regenerated with `--update README.md`; stale fails here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from secret_mcp.testing import plugin_host

BIN = Path(sys.executable).parent / "secret-mcp"
README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- tools:start -->", "<!-- tools:end -->"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    # What `secret-mcp tools` builds, in-process (one App instead of one interpreter per check).
    from secret_mcp.cli import describe_tools
    from secret_mcp.config import load_config

    config = load_config({})
    return describe_tools(plugin_host(*(config.plugins or ()), exclude=config.exclude), config, full=True)


@pytest.fixture(scope="module")
def table(rows) -> str:
    from secret_mcp.cli import tools_markdown

    return tools_markdown(rows)


def test_readme_tool_table_is_current(table):
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    current = text[text.index(START) + len(START):text.index(END)].strip("\n") + "\n"
    assert current == table, "README.md's tool table is stale: run `secret-mcp tools --markdown --update README.md`"


def test_markdown_rows_follow_the_tool_specs(rows, table):
    lines = table.splitlines()
    assert lines[0] == "| Pack | Tool | Title | Effect | Description |" and len(lines) == 2 + len(rows)
    by_name = {line.split(" | ")[1].strip("`"): line for line in lines[2:]}
    assert set(by_name) == {r["name"] for r in rows}
    assert by_name["secret_get_block"].startswith("| blockchain | `secret_get_block` | Get block | `reads` (read-only) | ")
    assert "| `moves_funds` (destructive, needs a wallet) |" in by_name["secret_send_tokens"]
    assert "| `local` (idempotent, this server only) |" in by_name["secret_configure_network"]
    assert "| `local` (this server only, sandbox only) |" in by_name["secret_sandbox_faucet"]  # paid by the sandbox
    # One line per tool: the description's first paragraph only, with no raw newline or unescaped pipe.
    assert all(line.count(" | ") == 4 for line in lines)


def test_update_rewrites_only_between_the_markers(tmp_path, table):
    from secret_mcp.cli import _update_between_markers

    doc = tmp_path / "doc.md"
    doc.write_text(f"# Tools\n\n{START}\nold table\n{END}\n\nAfter.\n", encoding="utf-8")
    proc = subprocess.run([str(BIN), "tools", "--markdown", "--update", str(doc)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    assert doc.read_text(encoding="utf-8") == f"# Tools\n\n{START}\n{table}{END}\n\nAfter.\n"
    doc.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(click.UsageError, match="tools:start"):
        _update_between_markers(str(doc), table)
    assert doc.read_text(encoding="utf-8") == "no markers here\n"
