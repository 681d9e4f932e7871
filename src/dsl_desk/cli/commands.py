"""`dsl-desk`: the GUI by default, and commands for scripted deployments and quick looks.

Passphrases are read from standard input (--passphrase-stdin), the DSL_DESK_PASSPHRASE variable or a
prompt — never from an argument, where they would show in the process list and shell history.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import time
from typing import Any

import dsl_desk
from dsl_desk import APP_NAME
from dsl_desk.cli.output import print_json, print_table
from dsl_desk.core.clock import Clock, SystemClock
from dsl_desk.services.context import AppContext
from dsl_desk.services.errors import ServiceError
from dsl_desk.store.errors import StoreError
from dsl_desk.store.instance_lock import InstanceLock
from dsl_desk.store.paths import DataPaths, ensure_writable, resolve_data_dir

COMMAND_MODULES = (
    "dsl_desk.cli.paperwork",
    "dsl_desk.cli.log",
    "dsl_desk.cli.backup",
    "dsl_desk.cli.learning",
    "dsl_desk.cli.access",
    "dsl_desk.cli.retention",
    "dsl_desk.cli.transfer",
)
PASSPHRASE_ENV = "DSL_DESK_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret


class CliError(Exception):
    """A problem with how the command was called; the message says how to call it."""


class _Version(argparse.Action):
    """--version, with the version read only when asked for (not on every start of the GUI)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(f"{APP_NAME} {dsl_desk.__version__}")  # on stdout, as argparse's own version action does
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dsl-desk", description=f"{APP_NAME}: safeguarding escalations for DSLs."
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument(
        "--data-dir", help="use this data folder instead of the usual one (also $DSL_DESK_DATA_DIR)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser(
        "init", help="set up a new database without the GUI (for scripted deployments)"
    )
    init.add_argument("--organisation", required=True, help="e.g. 'Penkford School'")
    init.add_argument("--agency-type", default="School")
    init.add_argument("--partnership", required=True, help="policy pack id, see `dsl-desk policy list`")
    init.add_argument(
        "--nation", default="england", choices=["england", "wales", "scotland", "northern_ireland"]
    )
    init.add_argument("--cutoff", default="17:00", help="daily deadline time, HH:MM (default 17:00)")
    init.add_argument("--username", required=True)
    init.add_argument("--display-name", required=True)
    init.add_argument("--role", default="Designated Safeguarding Lead")
    _passphrase_options(init)
    init.add_argument(
        "--recovery-key-file", help="also write the recovery key to this file (print it, then delete it)"
    )

    demo = commands.add_parser("demo", help="make a demo database of fictional children and open it")
    demo.add_argument("--no-gui", action="store_true", help="only create the demo database")
    demo.add_argument("--force", action="store_true", help="replace an existing demo database in that folder")

    cases = commands.add_parser("cases", help="list open escalations with their deadlines")
    _unlock_options(cases)
    cases.add_argument("--json", action="store_true")

    children = commands.add_parser("children", help="list children, or import them from the MIS")
    _unlock_options(children)
    children.add_argument("--json", action="store_true")
    from dsl_desk.cli.people import add_import_parser

    add_import_parser(children.add_subparsers(dest="children_command", metavar="ACTION"))

    policy = commands.add_parser("policy", help="the escalation policies this installation knows")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    listing = policy_commands.add_parser("list", help="list policy packs")
    listing.add_argument("--json", action="store_true")
    show = policy_commands.add_parser("show", help="show one policy pack's stages")
    show.add_argument("pack_id")
    show.add_argument("--json", action="store_true")

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser("verify", help="check that no audit row was edited or removed")
    _unlock_options(verify)
    verify.add_argument(
        "--against",
        nargs="+",
        default=[],
        metavar="PDF",
        help="also compare the trail with where it stood when these signed PDFs were signed",
    )
    for module in _command_modules():
        for name, handler in module.register(commands, unlock_options=_unlock_options).items():
            _HANDLERS[name] = handler
    return parser


def _command_modules() -> list[Any]:
    """Each area adds its commands from a module of its own (cli_documents, cli_backup, …).

    A module has `register(subparsers, *, unlock_options) -> {command name: handler}`; handlers take
    (args, paths, clock) and return the exit code. Modules keep heavy imports inside their handlers.
    """
    import importlib

    modules = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return modules


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help=f"read the passphrase from standard input (or set ${PASSPHRASE_ENV})",
    )


def _unlock_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", help="user name (needed only when the database has several accounts)")
    _passphrase_options(parser)


def read_passphrase(args: argparse.Namespace, prompt: str = "Passphrase: ", *, confirm: bool = False) -> str:
    if args.passphrase_stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliError("--passphrase-stdin was given but nothing came on standard input.")
        return line.rstrip("\r\n")
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Type it again: ") != first:
            raise CliError("The two passphrases did not match. Nothing was created.")
        return first
    raise CliError(f"No passphrase given. Pipe it in with --passphrase-stdin, or set {PASSPHRASE_ENV}.")


def hoist_data_dir(argv: list[str]) -> list[str]:
    """`--data-dir DIR` (or `--data-dir=DIR`) anywhere on the line, moved to the front where the parser takes
    it: `dsl-desk cases --data-dir DIR` was refused, though every command takes it. Nothing after `--` moves."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            rest.extend(argv[index:])
            break
        if word == "--data-dir" and index + 1 < len(argv):
            front.extend(argv[index : index + 2])
            index += 2
            continue
        (front if word.startswith("--data-dir=") else rest).append(word)
        index += 1
    return front + rest


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None) -> int:
    from dsl_desk import crash
    from dsl_desk.cli.types import check_arguments
    from dsl_desk.core import i18n

    args = build_parser().parse_args(hoist_data_dir(sys.argv[1:] if argv is None else list(argv)))
    clock = clock or SystemClock()
    paths: DataPaths | None = None
    if argv is None:  # the real process (in-process callers, such as tests, keep their own hooks)
        crash.install(lambda: paths.root if paths else None, _print_crash)
        i18n.install(i18n.system_language())  # the catalogue for the user's language; English without one
    try:
        check_arguments(args, CliError)
        paths = resolve_data_dir(args.data_dir)
        handler = _HANDLERS.get(args.command or "gui")
        assert handler is not None
        return handler(args, paths, clock)
    except (StoreError, ServiceError, CliError) as error:
        print(f"dsl-desk: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dsl-desk: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `dsl-desk cases | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # anything unexpected: a plain message and a crash report, never a traceback
        _print_crash(crash.handle(error, paths.root if paths else None, now=clock.now()))
        return crash.EX_SOFTWARE


def _print_crash(message: str) -> None:
    print(f"dsl-desk: {message}", file=sys.stderr)


def _gui(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.app import run_gui  # Qt is imported only when the GUI is wanted

    return run_gui(paths, clock)


def _init(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.services.desk.setup import (
        NewUser,
        OrganisationProfile,
        initialise,
        validate_new_user,
        validate_profile,
    )

    try:
        cutoff = time.fromisoformat(args.cutoff)
    except ValueError:
        raise CliError(f"--cutoff must be a time like 17:00, not “{args.cutoff}”.") from None
    profile = OrganisationProfile(
        args.organisation, args.agency_type, args.partnership, args.nation, cutoff=cutoff
    )
    passphrase = read_passphrase(args, "Choose a passphrase: ", confirm=True)
    user = NewUser(args.username, args.display_name, args.role, passphrase)
    packs = _packs(paths)
    validate_profile(profile, set(packs))  # before anything is made: a refused set-up leaves nothing behind
    validate_new_user(user)
    ensure_writable(paths)
    if paths.setup_unfinished():
        print("Set-up did not finish last time; starting it again.", file=sys.stderr)
    with InstanceLock(paths.lock_file):
        context, recovery_key = initialise(paths, profile, user, clock=clock, packs=packs)
        try:
            # The database now exists: the recovery key is shown before anything else can fail, or it is lost.
            print(f"Created an encrypted DSL Desk database in {paths.root}")
            print()
            print(
                "Your RECOVERY KEY (print it or write it down, and keep it locked away; it is shown only once):"
            )
            print(f"    {recovery_key}", flush=True)
            print("With it you can open the database if every passphrase is forgotten.")
            from dsl_desk.services.paperwork.signing_identity import ensure_signing_identity

            try:
                ensure_signing_identity(context)  # the certificate forms are signed with
            except (StoreError, ServiceError) as error:
                print(
                    f"dsl-desk: warning: {error} It will be made when you first sign a form.", file=sys.stderr
                )
        finally:
            context.close()
    if args.recovery_key_file:
        from pathlib import Path

        from dsl_desk.store.atomic import write_atomically

        try:
            write_atomically(Path(args.recovery_key_file), f"{recovery_key}\n".encode())
        except StoreError as error:
            print(f"dsl-desk: warning: the recovery key was not written to a file: {error}", file=sys.stderr)
            return 1
    return 0


def _demo(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.services.demo import DEMO_PASSPHRASE, DEMO_USERNAME, create_demo

    if args.data_dir is None and not os.environ.get("DSL_DESK_DATA_DIR"):
        # Never mix fictional data with a real database: the demo lives in a folder of its own.
        paths = DataPaths(paths.root.parent / f"{paths.root.name} Demo")
    ensure_writable(paths)
    with InstanceLock(paths.lock_file):
        summary = create_demo(paths, clock=clock, packs=_packs(paths), replace_existing=args.force)
    print(f"Demo database (fictional data) ready in {paths.root}: {summary}")
    print(f"Sign in as “{DEMO_USERNAME}” with the passphrase: {DEMO_PASSPHRASE}")
    if args.no_gui:
        return 0
    return _gui(args, paths, clock)


def _cases(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.services.escalations.dashboard import list_open_cases

    rows = with_context(args, paths, clock, list_open_cases)
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows,
            ["reference", "child", "stage_label", "deadline_words", "status_words", "open_checklist"],
            ["Ref", "Child", "Stage", "Deadline", "Status", "Open items"],
        )
    return 0


def _children(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.services.people.children import list_children

    if args.children_command == "import":
        from dsl_desk.cli.people import print_summary, run_import

        summary = with_context(args, paths, clock, lambda ctx: run_import(ctx, args))
        return print_summary(summary, as_json=args.json)

    rows = with_context(args, paths, clock, list_children)
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows,
            ["id", "name", "date_of_birth", "flags", "open_escalations"],
            ["Id", "Name", "Born", "Flags", "Open escalations"],
        )
    return 0


def _policy(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from dsl_desk.services.desk.policies import load_policies
    from dsl_desk.services.desk.policy_views import describe_pack, pack_summary

    result = load_policies(paths)
    for error in result.errors:
        print(f"dsl-desk: warning: {error}", file=sys.stderr)
    if args.policy_command == "list":
        rows = [pack_summary(pack) for pack in sorted(result.packs.values(), key=lambda p: p.name)]
        if args.json:
            print_json(rows)
        else:
            print_table(rows, ["id", "name", "stages", "version"], ["Id", "Partnership", "Stages", "Version"])
        return 0
    pack = result.packs.get(args.pack_id)
    if pack is None:
        known = ", ".join(sorted(result.packs))
        raise CliError(f"There is no policy pack “{args.pack_id}”. Known packs: {known}.")
    if args.json:
        print_json(pack)
    else:
        print(describe_pack(pack))
    return 0


def _audit(args: argparse.Namespace, paths: DataPaths, clock: Clock) -> int:
    from pathlib import Path

    from dsl_desk.services.audit.verify import check_signed_document, verify_audit_trail

    documents = []
    for name in args.against:
        try:
            documents.append((Path(name).name, Path(name).read_bytes()))
        except OSError as error:
            raise CliError(f"{name} cannot be read ({error.strerror or error}).") from None

    def work(context: AppContext) -> Any:
        report = verify_audit_trail(context)
        return report, [p for name, pdf in documents for p in check_signed_document(context, pdf, name)]

    report, against = with_context(args, paths, clock, work)
    if against and report.intact:  # the database and its checkpoints agree; the signed PDF does not
        print(
            "The audit trail has been TAMPERED WITH: it no longer holds what a signed PDF says it held. "
            "Keep this database as it is and tell your head teacher or data protection officer."
        )
    else:
        print(report.message)
    for problem in (*report.problems, *against):
        print(f"  {problem.line}")
    return 0 if report.intact and not against else 1


def with_context(
    args: argparse.Namespace, paths: DataPaths, clock: Clock, work: Callable[[AppContext], Any]
) -> Any:
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.store.keyring import load_keyring

    username = args.user
    if paths.setup_unfinished():
        raise CliError(
            "Set-up did not finish last time; start it again with `dsl-desk init` (or open DSL Desk)."
        )
    if not paths.database.exists():
        raise CliError(
            f"There is no DSL Desk database in {paths.root}. Run `dsl-desk` or `dsl-desk init` first."
        )
    if username is None:
        names = load_keyring(paths.keyring).usernames()
        if len(names) != 1:
            raise CliError(f"This database has several accounts ({', '.join(names)}): say which with --user.")
        username = names[0]
    passphrase = read_passphrase(args)
    with InstanceLock(paths.lock_file):
        context = sign_in(paths, username, passphrase, clock=clock, packs=_packs(paths))
        if context.store.read_only:
            print(f"dsl-desk: {context.store.read_only}", file=sys.stderr)
        try:
            return work(context)
        finally:
            context.close()


def _packs(paths: DataPaths) -> dict[str, Any]:
    from dsl_desk.services.desk.policies import load_policies  # not on the GUI's way to the unlock screen

    result = load_policies(paths)
    for error in result.errors:
        print(f"dsl-desk: warning: {error}", file=sys.stderr)
    return dict(result.packs)


_HANDLERS: dict[str, Callable[[argparse.Namespace, DataPaths, Clock], int]] = {
    "gui": _gui,
    "init": _init,
    "demo": _demo,
    "cases": _cases,
    "children": _children,
    "policy": _policy,
    "audit": _audit,
}


if __name__ == "__main__":
    sys.exit(main())
