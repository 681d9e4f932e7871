"""`python -m dsl_desk` against a damaged key file or a huge failure count: a plain message, never a traceback."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from tests.conftest import PASSPHRASE


def _run(data_paths, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DSL_DESK_PASSPHRASE": passphrase, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "dsl_desk", "--data-dir", str(data_paths.root), "cases"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _damage(data_paths, how: str) -> None:
    raw = json.loads(data_paths.keyring.read_text())
    wrapped = raw["users"][0]["wrapped"]
    if how == "ciphertext altered":
        flipped = bytearray(base64.b64decode(wrapped["ciphertext"]))
        flipped[7] ^= 0x10
        wrapped["ciphertext"] = base64.b64encode(bytes(flipped)).decode()
    elif how == "nonce not base64":
        wrapped["nonce"] = "!!not base64!!"
    else:
        del wrapped["salt"]
    data_paths.keyring.write_text(json.dumps(raw))


@pytest.mark.parametrize("how", ["ciphertext altered", "nonce not base64", "salt missing"])
def test_a_damaged_key_file_is_a_plain_message_and_not_counted(ctx, data_paths, how):
    ctx.close()
    _damage(data_paths, how)
    result = _run(data_paths)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("dsl-desk: The key file")
    assert "damaged" in result.stderr
    assert "passphrase is not right" not in result.stderr
    assert not data_paths.unlock_state.exists()


def test_forty_nine_failures_are_a_plain_wait_not_a_traceback(ctx, data_paths):
    ctx.close()
    now = datetime.now(UTC).isoformat()
    data_paths.unlock_state.write_text(json.dumps({"failures": 49, "last_failure_at": now}))
    result = _run(data_paths)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "Please wait" in result.stderr
    assert "seconds" in result.stderr
