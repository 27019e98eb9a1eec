"""Debian's nginx in front of `serve --http` workers, with the compose example's config (examples/compose/
nginx-oauth.conf), as the README's OAuth deployment runs it.

2026-era requests (`MCP-Protocol-Version: 2026-...`) go round robin: any worker serves them. Handshake-era
traffic (`initialize`, which carries no version header, and the requests of its session, stamped with a
2024/2025 version) sticks to one worker by a consistent hash of the Authorization header, since the session
lives in that worker's memory: open-source nginx cannot learn which worker minted a session id. A worker that
refuses connections is skipped for the next. Everything lives in a temp directory: config, pid, logs, temp files.
Without the binary the tests skip locally and fail under CI, like tests/redis_server.py (.ci/run installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.redis_server import stop_server

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "compose" / "nginx-oauth.conf"
CONFIG = """\
{user}worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  include {dir}/site.conf;
}}
"""


def site_config(port: int, upstream_ports: list[int]) -> str:
    """The compose example's nginx config, with these workers and this loopback port."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for i, upstream in enumerate(upstream_ports, start=1):
        text = text.replace(f"worker-{i}:8000", f"127.0.0.1:{upstream}")
    assert not re.search(r"worker-\d+:", text), "the example names more workers than the test runs"
    return text.replace("listen 8080;", f"listen 127.0.0.1:{port};")


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if path is None:
        reason = "nginx is not installed (Debian package: nginx)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI must run the nginx deployment test: {reason}")
        pytest.skip(reason)
    return path


GATEWAY = """\
server {{
  listen 127.0.0.1:{port};
  location / {{
    proxy_pass http://127.0.0.1:{upstream};
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header Connection "";
    proxy_set_header Authorization "Bearer {token}";
    proxy_buffering off;
    proxy_read_timeout 300s;
  }}
}}
"""


ROUND_ROBIN = """\
upstream workers {{
{servers}
}}
server {{
  listen 127.0.0.1:{port};
  location / {{
    proxy_pass http://workers;
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header Connection "";
    proxy_buffering off;
    proxy_read_timeout 300s;
  }}
}}
"""


def round_robin_config(port: int, upstreams: list[int]) -> str:
    """Every request to the next worker in turn, whatever its protocol era."""
    return ROUND_ROBIN.format(port=port, servers="\n".join(f"  server 127.0.0.1:{p};" for p in upstreams))


def gateway_config(port: int, upstream: int, token: str) -> str:
    """A gateway that adds the bearer token to every request, for a client that cannot send one."""
    return GATEWAY.format(port=port, upstream=upstream, token=token)


class Nginx:
    """nginx on 127.0.0.1:`port` with `site` (http-context directives) as its configuration."""

    def __init__(self, port: int, site: str) -> None:
        self.dir = tempfile.mkdtemp(prefix="secret-mcp-nginx-")
        self.port = port
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers can then use the private temp directory
        conf = Path(self.dir, "nginx.conf")
        Path(self.dir, "site.conf").write_text(site)
        conf.write_text(CONFIG.format(user=user, dir=self.dir))
        self.proc = subprocess.Popen([nginx_binary(), "-p", self.dir, "-c", str(conf), "-g", "daemon off;"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.proc.communicate()[0][-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start listening")

    def stop(self) -> None:
        stop_server(self.proc, self.dir)
