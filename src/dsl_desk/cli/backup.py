"""`dsl-desk backup` and `dsl-desk restore FILE`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dsl_desk.core.clock import Clock
from dsl_desk.core.dates_in_words import at_time, iso_date, long_date, with_time
from dsl_desk.store.paths import DataPaths

Handler = Callable[[argparse.Namespace, DataPaths, Clock], int]


def register(
    subparsers: Any, *, unlock_options: Callable[[argparse.ArgumentParser], None]
) -> dict[str, Handler]:
    backup = subparsers.add_parser(
        "backup", help="make an encrypted backup now (to the data folder and the second backup folder)"
    )
    unlock_options(backup)
    backup.add_argument("--list", action="store_true", help="list the backups kept instead of making one")
    restore = subparsers.add_parser(
        "restore", help="replace the database with a backup (the current one is backed up first)"
    )
    restore.add_argument("file", help="the backup's .db file (its .keyring.json must be beside it)")
    restore.add_argument("--yes", action="store_true", help="do not ask before replacing the database")
    unlock_options(restore)
    return {"backup": _backup, "restore": _restore}


def _backup(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import with_context
    from dsl_desk.services.records.backups import backup_status, list_available_backups, make_backup

    if args.list:
        for backup in with_context(args, paths, clock, list_available_backups):
            print(f"{with_time(backup.made_at, iso_date)}  {backup.meta.kind:<14} {backup.path}")
        return 0

    def work(ctx: Any) -> tuple[Any, Any]:
        return make_backup(ctx, "manual"), backup_status(ctx)

    outcome, status = with_context(args, paths, clock, work)
    print(outcome.message)
    if outcome.second_folder_problem:
        print(f"dsl-desk: warning: {outcome.second_folder_problem}", file=sys.stderr)
    return 0 if status.ok or not outcome.second_folder_problem else 1


def _restore(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.cli.commands import CliError, read_passphrase
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.services.records.backups import describe_backup
    from dsl_desk.services.records.restore import restore_backup, restore_damaged_database
    from dsl_desk.store.errors import DatabaseCorrupt
    from dsl_desk.store.instance_lock import InstanceLock

    source = Path(args.file).expanduser().resolve()
    if not paths.keyring.exists():
        raise CliError(f"There is no DSL Desk database in {paths.root} to restore into.")
    username = args.user or _only_user(paths, CliError)
    passphrase = read_passphrase(args)  # read once: stdin cannot be read twice if the database is damaged
    with InstanceLock(paths.lock_file):
        try:
            ctx = sign_in(paths, username, passphrase, clock=clock)
        except DatabaseCorrupt as error:
            print(f"dsl-desk: {error}", file=sys.stderr)
            _confirm(args, CliError)
            ctx = restore_damaged_database(paths, source, username, passphrase, clock=clock)
            ctx.close()
            print(f"Restored {source.name}. A copy of the damaged database was kept in {paths.backups}.")
            return 0
        try:
            print(describe_summary(describe_backup(ctx, source)))
            _confirm(args, CliError)
            result = restore_backup(ctx, source)
        finally:
            ctx.close()
    print(result.message)
    return 0


def _only_user(paths: DataPaths, cli_error: type[Exception]) -> str:
    from dsl_desk.store.keyring import load_keyring

    names = load_keyring(paths.keyring).usernames()
    if len(names) != 1:
        raise cli_error(f"This database has several accounts ({', '.join(names)}): say which with --user.")
    return str(names[0])


def _confirm(args: argparse.Namespace, cli_error: type[Exception]) -> None:
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise cli_error("Restoring replaces the database. Add --yes to confirm. Nothing was changed.")
    answer = input("Replace the current database with this backup? (The current one is kept.) [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise cli_error("Not restored. Nothing was changed.")


def describe_summary(summary: Any) -> str:
    contents = summary.contents
    newest = with_time(contents.newest_entry_at) if contents.newest_entry_at else "none"
    facts = [
        ("Backup", str(summary.backup.path)),
        ("Made", at_time(summary.made_at, long_date)),
        ("Children", str(contents.children)),
        ("Escalations", str(contents.escalations)),
        ("Discussion entries", str(contents.entries)),
        ("Newest entry", newest),
    ]
    return "\n".join(f"{label + ':':<20}{value}" for label, value in facts)
