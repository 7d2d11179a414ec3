"""`waybill users add|list|disable|enable|token`: who may sign in to `waybill serve`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from capture.accounts import UserRole
from capture.api import users
from capture.cli.common import Commands, Parents, load_settings, print_json
from capture.errors import AccountError


def register(commands: Commands, parents: Parents) -> None:
    group = commands.add_parser("users", parents=[parents.common], help="people and scripts that may use waybill serve")
    actions = group.add_subparsers(dest="users_action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        parents=[parents.common],
        help="add a user; the password is asked on a terminal, else read as one line from stdin",
    )
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in UserRole])
    add.set_defaults(run=cmd_add)

    listing = actions.add_parser("list", parents=[parents.common], help="every user, role and state (never a secret)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)

    for name, disabled, text in (("disable", True, "may no longer sign in"), ("enable", False, "may sign in again")):
        action = actions.add_parser(name, parents=[parents.common], help=f"the user {text}")
        action.add_argument("name")
        action.set_defaults(run=cmd_disable, disabled=disabled)

    token = actions.add_parser(
        "token", parents=[parents.common], help="a new API token for scripts (printed once; replaces the old one)"
    )
    token.add_argument("name")
    token.set_defaults(run=cmd_token)


def read_password(stdin: TextIO = sys.stdin) -> str:
    """Asked twice on a terminal; otherwise the first line of stdin, so scripts and tests can pipe it."""
    if stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise AccountError("the two passwords differ", "type the same password twice")
        return first
    line = stdin.readline()
    if not line:
        raise AccountError("no password on standard input", 'pipe one line: echo "$PASSWORD" | waybill users add ...')
    return line.rstrip("\r\n")


def cmd_add(args: argparse.Namespace, out: TextIO) -> int:
    settings = load_settings(args)
    made = users.add_user(args.name, args.role, read_password(), settings)
    print(f"user {made.name} added as {made.role}", file=out)
    return 0


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    found = users.list_users(load_settings(args))
    for u in found:
        if args.json:
            print_json(
                {
                    "name": u.name,
                    "role": u.role,
                    "disabled": u.disabled,
                    "has_token": u.has_token,
                    "created_at": u.created_at.isoformat(),
                },
                out,
            )
        else:
            state = "disabled" if u.disabled else "active"
            token = "  token" if u.has_token else ""
            print(f"{u.name:<20} {u.role:<11} {state}{token}", file=out)
    return 0


def cmd_disable(args: argparse.Namespace, out: TextIO) -> int:
    done = users.disable_user(args.name, load_settings(args), args.disabled)
    print(f"user {done.name} {'disabled' if done.disabled else 'enabled'}", file=out)
    return 0


def cmd_token(args: argparse.Namespace, out: TextIO) -> int:
    token = users.issue_token(args.name, load_settings(args))
    print(token, file=out)
    print("this token is shown once; keep it in the script's secret store", file=sys.stderr)
    return 0
