"""`python -m secret_mcp_sandbox`: the sandbox chain in the foreground (as `python -m secret_sandbox_chain`)."""

from __future__ import annotations

from secret_sandbox_chain.__main__ import main

if __name__ == "__main__":
    main(prog="python -m secret_mcp_sandbox")
