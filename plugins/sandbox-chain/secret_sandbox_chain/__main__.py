"""`python -m secret_sandbox_chain` (or `secret-sandbox-chain`): run the sandbox chain in the foreground."""

from __future__ import annotations

import argparse
import threading

from . import launch


def serve_forever(host: str, port: int, state_dir: str | None, block_time: int, echo=print) -> None:
    # The whole run is inside the try: a Ctrl-C right after the URL is printed (before the wait) stops cleanly too.
    try:
        with launch(host=host, port=port, state_dir=state_dir, block_time_ms=block_time) as server:
            echo(f"Sandbox chain {server.chain.chain_id} (simulated; tokens are worthless) at {server.url}")
            echo("Press Ctrl-C to stop.")
            threading.Event().wait()
    except KeyboardInterrupt:
        echo("Stopping.")


def main(argv: list[str] | None = None, prog: str = "python -m secret_sandbox_chain") -> None:
    parser = argparse.ArgumentParser(prog=prog, description="Run the sandbox chain in the foreground.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1317)
    parser.add_argument("--state-dir", default=None, help="keep the chain in this directory across restarts")
    parser.add_argument("--block-time", type=int, default=0, metavar="MS", help="block interval; 0 = instant")
    args = parser.parse_args(argv)
    serve_forever(args.host, args.port, args.state_dir, args.block_time)


if __name__ == "__main__":
    main()
