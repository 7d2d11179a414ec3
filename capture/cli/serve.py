"""`waybill serve`: the packing desk and supervisor pages and the HTTP API, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import argparse
import logging
from typing import TextIO

from capture import api
from capture.api.backups import backups_while_running
from capture.cli.common import Commands, Parents, load_settings
from capture.errors import EngineUnavailable

DEFAULT_HOST = "127.0.0.1"  # the shop network reaches it through a TLS proxy (README), not directly
DEFAULT_PORT = 8765
SHUTDOWN_GRACE_S = 3
log = logging.getLogger(__name__)


def register(commands: Commands, parents: Parents) -> None:
    serve = commands.add_parser(
        "serve", parents=[parents.common, parents.engines], help="the desk and supervisor pages and the HTTP API"
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    serve.add_argument("--no-voice", action="store_true", help="tones only, no spoken prompts")
    serve.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    try:
        import uvicorn

        from capture.web.app import create_app
    except ImportError as exc:
        raise EngineUnavailable(
            f"the web extra is not installed ({exc.name})", "install it: uv sync --locked --extra web"
        ) from exc
    settings = load_settings(args)
    api.database(settings)  # a wrong --db fails here, in one line, before the server starts
    app = create_app(settings, with_voice=not args.no_voice)
    print(f"waybill serve: http://{args.host}:{args.port}/desk?station=A  (supervisor: /review)", file=out, flush=True)
    try:
        with backups_while_running(settings):
            uvicorn.run(
                app,
                host=args.host,
                port=args.port,
                log_level="info" if args.verbose else "warning",
                # Pages hold their event streams open: without a limit a stop would wait for every desk to close.
                timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
            )
    finally:
        api.close()
    return 0
