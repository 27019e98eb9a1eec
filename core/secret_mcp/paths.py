"""Where secret-mcp keeps its files, following the XDG base-directory spec.

`SECRET_MCP_HOME` puts everything under one directory (config/, cache/, data/, state/), which is
what tests and portable installs want. Otherwise each kind follows its XDG variable, falling back to
the spec's default under the home directory. Asking for a path creates nothing: callers create what
they write to, with the private helpers below (directories 0700, files 0600).
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "secret-mcp"


def _base(kind: str, xdg_var: str, default: str) -> Path:
    home = os.environ.get("SECRET_MCP_HOME")
    if home:
        return Path(home).expanduser() / kind
    xdg = os.environ.get(xdg_var)
    # The spec says a relative XDG value is invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / APP
    return Path.home() / default / APP


def config_dir() -> Path:
    """Settings (config.toml). Default ~/.config/secret-mcp."""
    return _base("config", "XDG_CONFIG_HOME", ".config")


def cache_dir() -> Path:
    """Disposable chain-query cache. Default ~/.cache/secret-mcp."""
    return _base("cache", "XDG_CACHE_HOME", ".cache")


def data_dir() -> Path:
    """Data worth keeping (e.g. encrypted wallets). Default ~/.local/share/secret-mcp."""
    return _base("data", "XDG_DATA_HOME", ".local/share")


def state_dir() -> Path:
    """State such as the audit log. Default ~/.local/state/secret-mcp."""
    return _base("state", "XDG_STATE_HOME", ".local/state")


# Everything secret-mcp writes is its user's alone: directories 0700, files 0600. Modes are set explicitly after
# creating (mkdir and open apply the umask, which may be 022), and `tighten` fixes what older versions left.
DIR_MODE, FILE_MODE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents, each with mode 0700; an existing directory is left as it is."""
    missing = []
    p = Path(path)
    while not p.is_dir():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)
        except FileExistsError:
            continue  # another process made it first: its creator set the mode
        os.chmod(d, DIR_MODE)
    return Path(path)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND) -> int:
    """os.open with mode 0600 whatever the umask (a file that already exists keeps its content)."""
    private_dir(Path(path).parent)
    fd = os.open(path, flags | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:  # not the owner (a shared file someone else made): leave it
        pass
    return fd


def write_private(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write `text` to `path` atomically, mode 0600: a crash leaves the old file (or none), never half of one.

    exclusive: fail with FileExistsError if `path` exists, atomically (the new file is linked in, and a link
    never replaces), so two processes creating the same entry cannot overwrite each other.
    """
    import tempfile

    path = Path(path)
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def app_dirs() -> list[Path]:
    """The directories secret-mcp writes to: SECRET_MCP_HOME itself when set, else the four XDG ones."""
    home = os.environ.get("SECRET_MCP_HOME")
    if home:
        return [Path(home).expanduser()]
    return [config_dir(), cache_dir(), data_dir(), state_dir()]


def tighten() -> None:
    """At start: make every existing directory under the app's directories 0700 and every file 0600."""
    for root in app_dirs():
        if not root.is_dir() or root.is_symlink():
            continue
        _chmod(root, DIR_MODE)
        for dirpath, dirnames, filenames in os.walk(root):
            for d in dirnames:
                _chmod(Path(dirpath) / d, DIR_MODE)
            for f in filenames:
                _chmod(Path(dirpath) / f, FILE_MODE)


def tighten_files(directory: Path) -> None:
    """Mode 0600 for the files directly in `directory` (those a library created with the umask)."""
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False):
            _chmod(Path(entry.path), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink() and (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)
    except OSError:  # gone meanwhile, or not ours: nothing to tighten
        pass
