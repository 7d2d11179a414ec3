"""The `waybill` command line: parse arguments, call the facade, print.  The only place that exits.

Each command group is a module here with a `register(commands, parents)`
that adds its subcommands; each subcommand sets `run(args, out) -> exit
status`.  `main` runs it and turns a CaptureError into its message and exit
code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from capture import __version__, logs
from capture.cli import db, orders, review, scan, serve, sources, upload, users, video
from capture.cli.common import make_parents
from capture.errors import BadArguments, CaptureError

EXIT_INTERRUPTED = 130
# The reader of our output went away (`waybill queue list | head`): what a
# shell reports for a writer killed by SIGPIPE, with no traceback.
EXIT_BROKEN_PIPE = 141

# In the order `waybill --help` lists them.
GROUPS = (
    scan,  # scan, decode
    orders,  # orders import|pull
    upload,  # upload; queue list|retry|cancel|export
    sources,  # watch, camera
    review,  # review, history, pair
    db,  # db current|upgrade
    serve,  # serve: the desk pages and the HTTP API
    users,  # users add|list|disable|enable|token
    video,  # video (packing videos), dispute
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waybill", description="Read waybill numbers off parcel-label photos and queue them for upload."
    )
    parser.add_argument("--version", action="version", version=f"waybill {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parents = make_parents()
    for group in GROUPS:
        group.register(commands, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # PostgreSQL sessions carry the command's name (pg_stat_activity): restore and /healthz look for them.
    os.environ.setdefault("PGAPPNAME", f"waybill {args.command}")
    logs.basic(args.verbose)
    try:
        return args.run(args, sys.stdout)
    except BadArguments as exc:
        parser.error(str(exc))
    except CaptureError as exc:
        print(f"waybill: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Python would also fail flushing stdout at exit: point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return 0
