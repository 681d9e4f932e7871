"""An import killed with SIGKILL mid-way leaves the live database whole with nothing of the import in it,
and the backup taken before it whole; the same file then imports completely."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from dsl_desk.documents.transfer_bundle import TransferKdf
from dsl_desk.services.audit.trail import verify_chain
from dsl_desk.services.desk.setup import sign_in
from dsl_desk.services.people.children import add_child
from dsl_desk.services.records import backups as bs
from dsl_desk.services.records import transfers as tr
from dsl_desk.store import backup as bk
from dsl_desk.store.models import Attachment, DiscussionEntry
from tests.conftest import PASSPHRASE, fictional_child
from tests.services.transfer_world import receiving_school

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ATTACHMENTS, ATTACHMENT_BYTES = 48, 1 << 20
IMPORTER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from dsl_desk.core.clock import FixedClock
    from dsl_desk.services.desk.setup import sign_in
    from dsl_desk.services.records.transfers import import_bundle
    from dsl_desk.store.paths import DataPaths

    ctx = sign_in(DataPaths(Path(sys.argv[1])), "r.ndlovu", sys.argv[2],
                  clock=FixedClock(datetime(2026, 1, 8, 9, 0, tzinfo=UTC)))
    print("start", flush=True)
    result = import_bundle(ctx, Path(sys.argv[3]), sys.argv[4], confirmed_fingerprint=sys.argv[5])
    print("done", result.child_id, flush=True)
    """
)


def _big_child(ctx) -> int:
    """A child with many entries, each with a 1 MB attachment of random bytes (written directly, for speed)."""
    child = add_child(ctx, fictional_child()).id
    now = ctx.clock.now()
    with ctx.store.session() as session:
        for n in range(ATTACHMENTS):
            entry = DiscussionEntry(
                child_id=child,
                occurred_at=now - timedelta(hours=n + 1),
                recorded_at=now,
                author_id=ctx.actor.user_id,
                method="telephone",
                summary=f"Call {n} about the referral.",
            )
            session.add(entry)
            session.flush()
            content = os.urandom(ATTACHMENT_BYTES)
            session.add(
                Attachment(
                    entry_id=entry.id,
                    file_name=f"scan-{n}.pdf",
                    media_type="application/pdf",
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    content=content,
                    added_at=now,
                    added_by_id=ctx.actor.user_id,
                )
            )
    return child


def _wal(paths) -> Path:
    return Path(f"{paths.database}-wal")


def _scalar(ctx, sql: str) -> object:
    with ctx.store.engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def test_sigkill_mid_import_leaves_database_and_last_backup_whole(ctx, clock, packs, tmp_path):
    child = _big_child(ctx)
    exported = tr.export_bundle(
        ctx, child, tr.Destination("Oakfield Academy"), tmp_path / "out", kdf=TransferKdf(1, 64, 1)
    )
    ctx.close()
    oakfield = receiving_school(tmp_path / "oakfield", clock, packs)
    paths = oakfield.store.paths
    add_child(oakfield, fictional_child("Amir", "Haddad"))  # Oakfield's own child, before the import
    before = bs.make_backup(oakfield).backup
    key = oakfield.store.db_key_copy()
    oakfield.close()
    wal_before = _wal(paths).stat().st_size if _wal(paths).exists() else 0

    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            IMPORTER,
            str(paths.root),
            PASSPHRASE,
            str(exported.bundle_path),
            exported.password,
            exported.fingerprint,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("start")
    # Wait (busy, not sleeping) until the import's transaction has written a good part of itself to the WAL.
    caught_midway = False
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        wal = _wal(paths)
        if wal.exists() and wal.stat().st_size > wal_before + 12 * ATTACHMENT_BYTES:
            caught_midway = process.poll() is None
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    rest = process.stdout.read()
    assert caught_midway and "done" not in rest, "never caught the import mid-way"

    # The live database is whole and holds nothing of the import …
    reopened = sign_in(paths, "r.ndlovu", PASSPHRASE, clock=clock)
    assert _scalar(reopened, "PRAGMA integrity_check") == "ok"
    assert _scalar(reopened, "SELECT count(*) FROM children") == 1
    assert _scalar(reopened, "SELECT count(*) FROM attachments") == 0
    assert _scalar(reopened, "SELECT count(*) FROM case_transfers") == 0
    with reopened.store.session() as session:
        assert verify_chain(session) == []
    # … the backup taken before is whole …
    assert bk.damage_without_key(before) == ""
    connection = bk.open_backup(before.path, key)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert connection.execute("SELECT count(*) FROM children").fetchone() == (1,)
    connection.close()
    # … and the same file then imports completely.
    result = tr.import_bundle(
        reopened, exported.bundle_path, exported.password, confirmed_fingerprint=exported.fingerprint
    )
    assert _scalar(reopened, "SELECT count(*) FROM attachments") == ATTACHMENTS
    assert (
        _scalar(reopened, f"SELECT count(*) FROM discussion_entries WHERE child_id = {result.child_id}")
        == ATTACHMENTS
    )
    reopened.close()
