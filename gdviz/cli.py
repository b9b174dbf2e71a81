"""The ``gdviz`` command: ``gdviz serve [--port N] [--address A]`` starts the lecture page.

The page is the repository's app.py (``streamlit run app.py``). The package carries it as
``gdviz/page.py3``, a symlink to ../app.py in the repository whose content the wheel holds, so there
is one page to maintain; Streamlit runs ``.py3`` files as it runs ``.py`` ones, and the odd suffix
keeps pytest's doctest collection and tests/test_imports.py from importing the page as a module of
gdviz. Likewise ``gdviz/streamlit_config.toml`` is ../.streamlit/config.toml (the production
settings: theme, upload limit, error details), passed to Streamlit as command-line options so the
installed command serves what ``streamlit run app.py`` serves from the repository.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGE = HERE / "page.py3"
CONFIG = HERE / "streamlit_config.toml"


def page() -> Path:
    """The lecture page's file: the packaged copy, or app.py beside the package in a checkout where
    git wrote the symlink as a one-line file (Windows without symlinks)."""
    if PAGE.is_file() and PAGE.stat().st_size > 200:
        return PAGE
    beside = HERE.parent / "app.py"
    if beside.is_file():
        return beside
    raise SystemExit(f"gdviz: the page is missing from the installed package ({PAGE}); reinstall gdviz.")


def runnable(path: Path) -> Path:
    """The page as Streamlit can serve it. app.py defines an ASGI app (``st.App``: the page and the
    class's routes), which ``streamlit run`` serves by importing the file as a module named after it;
    ``page.py3`` cannot be imported, so it runs as a copy, ``gdviz_page.py``, in a folder named by its
    content (made once per version of the page)."""
    if path.suffix == ".py":
        return path
    text = path.read_bytes()
    folder = Path(tempfile.gettempdir()) / f"gdviz-page-{hashlib.sha256(text).hexdigest()[:16]}"
    copy = folder / "gdviz_page.py"
    if not (copy.is_file() and copy.read_bytes() == text):
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".gdviz_page.{os.getpid()}"
        partial.write_bytes(text)
        partial.replace(copy)  # whole or absent, even with two servers starting at once
    return copy


def config_options(path: Path = CONFIG) -> list[str]:
    """Streamlit's config file as command-line options: ``[server] headless = true`` → ``--server.headless true``.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "config.toml"
    >>> _ = f.write_text('[server]\\nheadless = true\\nmaxUploadSize = 20\\n[theme]\\nbase = "light"\\n')
    >>> config_options(f)
    ['--server.headless', 'true', '--server.maxUploadSize', '20', '--theme.base', 'light']
    """
    if not path.is_file():
        return []
    options = []
    for section, table in tomllib.loads(path.read_text(encoding="utf-8")).items():
        for key, value in table.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            options += [f"--{section}.{key}", text]
    return options


def serve_command(port: int | None = None, address: str | None = None, extra: list[str] = ()) -> list[str]:
    """The Streamlit command ``gdviz serve`` runs; ``extra`` (any ``--section.key value`` of Streamlit)
    overrides the packaged config."""
    given = {option.split("=")[0] for option in extra if option.startswith("--")}
    options = config_options()
    pairs = [options[i:i + 2] for i in range(0, len(options), 2)]
    chosen = {"--server.headless": "true"}
    if port is not None:
        chosen["--server.port"] = str(port)
    if address is not None:
        chosen["--server.address"] = address
    args = [a for name, value in pairs if name not in chosen and name not in given for a in (name, value)]
    args += [a for name, value in chosen.items() if name not in given for a in (name, value)]
    return [sys.executable, "-m", "streamlit", "run", str(runnable(page())), *args, *extra]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdviz", description="gdviz: gradient descent on linear regression, step by step, for teaching.",
        epilog="In Python or a notebook: import gdviz; gdviz.show(gdviz.PageState(lr=0.3)).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="start the lecture page (Streamlit) and serve it over HTTP",
        description="Start the lecture page with Streamlit. Any further --section.key value is passed to "
                    "Streamlit (e.g. --theme.base dark).")
    serve.add_argument("--port", type=int, default=None, help="the port to listen on (Streamlit's default: 8501)")
    serve.add_argument("--address", default=None, help="the address to listen on, e.g. 127.0.0.1 or 0.0.0.0")
    serve.add_argument("--dry-run", action="store_true", help="print the Streamlit command instead of running it")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        parser.print_help()
        return 1
    if args.port is not None and not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is not a port number (1 to 65535)")
    stray = [a for a in extra if (a.startswith("-") and not a.startswith("--")) or (a.startswith("--") and "." not in a)]
    if stray:
        parser.error(f"unrecognized arguments: {' '.join(stray)} (Streamlit's own options look like --server.port)")
    command = serve_command(args.port, args.address, extra)
    if args.dry_run:
        print(" ".join(command))
        return 0
    sys.stdout.flush()
    if os.name == "posix":  # Streamlit takes this process's place: stopping gdviz stops the server
        os.execv(sys.executable, command)
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
