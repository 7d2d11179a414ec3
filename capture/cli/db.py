"""`waybill db current` and `waybill db upgrade`: the database's schema revision, and bringing it up to date."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from capture import api
from capture.api.pruning import prune
from capture.cli.common import Commands, Parents, load_settings

EXIT_OUTDATED = 1  # `db current` on a database that needs `db upgrade`
EXIT_BACKUP_DAMAGED = 7  # the copy failed SQLite's integrity_check (so would the database)


def register(commands: Commands, parents: Parents) -> None:
    """Add the `db` group (current, upgrade) to the `waybill` parser."""
    actions = commands.add_parser("db", help="the database's schema: show it, upgrade it").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    current = actions.add_parser(
        "current", parents=[parents.common], help="the schema revision the database is at, and this release's"
    )
    current.set_defaults(run=cmd_db_current)
    upgrade = actions.add_parser(
        "upgrade",
        parents=[parents.common],
        help="bring the database to this release's schema in place (keeps every row)",
    )
    upgrade.set_defaults(run=cmd_db_upgrade)
    backup = commands.add_parser(
        "backup",
        parents=[parents.common],
        help="a consistent copy of the database while scanners and workers run (SQLite backup API, pg_dump)",
    )
    backup.add_argument("target", metavar="PATH", help="the new file (never written over)")
    backup.set_defaults(run=cmd_backup)
    restore = commands.add_parser(
        "restore",
        parents=[parents.common],
        help="put a `waybill backup` file back as the database (refused while anything has it open)",
    )
    restore.add_argument("source", metavar="PATH", help="a file made by `waybill backup`")
    restore.set_defaults(run=cmd_restore)
    prune = commands.add_parser(
        "prune",
        parents=[parents.common],
        help="remove photos, evidence and audit rows older than keep_*_days (never what waits for review or upload)",
    )
    prune.add_argument(
        "folders", nargs="*", metavar="DIR", help="drop folders whose processed/ and failed/ photos are pruned"
    )
    prune.add_argument("--dry-run", action="store_true", help="say what would be removed; remove nothing")
    prune.set_defaults(run=cmd_prune)


def cmd_db_current(args: argparse.Namespace, out: TextIO) -> int:
    status = api.database_status(load_settings(args))
    found = status.schema
    print(f"database: {status.where}", file=out)
    if found.is_new:
        print(f"schema: none yet (a new database; its first use makes revision {found.head})", file=out)
        return 0
    print(f"schema revision: {found.current or 'none (made by release 166f131 or older)'}", file=out)
    print(f"this release's revision: {found.head}", file=out)
    if found.up_to_date:
        print("up to date", file=out)
        return 0
    print("older than this release: run `waybill db upgrade`", file=out)
    return EXIT_OUTDATED


def cmd_db_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    done = api.upgrade_database(load_settings(args))
    step = done.upgrade
    print(f"database: {done.where}", file=out)
    if done.backup is not None:
        print(f"copied first to {done.backup}", file=out)
    if step.stamped_baseline:
        print("recorded as the baseline schema (made by release 166f131)", file=out)
    if step.changed:
        print(f"upgraded from {step.before or 'no revision'} to {step.after}", file=out)
    else:
        print(f"already at {step.after}: nothing to do", file=out)
    return 0


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    done = api.backup_database(load_settings(args), Path(args.target))
    print(f"database: {done.where}", file=out)
    print(f"copied to {done.target} (integrity: {done.integrity})", file=out)
    return 0 if done.integrity in ("ok", "pg_dump") else EXIT_BACKUP_DAMAGED


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    done = api.restore_database(load_settings(args), Path(args.source))
    print(f"database: {done.where}", file=out)
    print(f"restored from {done.source}", file=out)
    if done.kept is not None:
        print(f"what it held before is kept in {done.kept}", file=out)
    found = done.schema
    if not found.up_to_date:
        print(
            f"schema revision {found.current or 'none'} is older than this release's: run `waybill db upgrade`",
            file=out,
        )
    return 0


def cmd_prune(args: argparse.Namespace, out: TextIO) -> int:
    done = prune(load_settings(args), [Path(f) for f in args.folders], args.dry_run)
    if done.nothing_set:
        print("keep_photos_days, keep_evidence_days and keep_audit_days are all 0: everything is kept", file=out)
        return 0
    verb = "would remove" if done.dry_run else "removed"
    for path in done.photos:
        print(f"{verb} photo {path}", file=out)
    for path in done.frames:
        print(f"{verb} evidence frame {path}", file=out)
    print(
        f"{verb}: {len(done.photos)} photo(s), {len(done.frames)} evidence frame(s), "
        f"{done.audit_rows} audit row(s), {done.scans} scan(s); evidence emptied on {done.evidence_cleared} scan(s); "
        f"{done.kept_waiting} old file(s) kept: still waiting for review or upload",
        file=out,
    )
    return 0
