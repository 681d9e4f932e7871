"""Read every page of a SQLCipher 4 database file decrypted, free pages and unused space included.

sqlcipher3's build has no `sqlite_dbpage` table, and SQL only shows live rows, so a test that must prove a
deleted name is nowhere in the file decrypts the pages itself. SQLCipher 4's page format (its defaults, which
DSL Desk keeps): 4096-byte pages, each ending in 80 reserved bytes — a 16-byte IV, then a 64-byte HMAC-SHA512 —
and the rest encrypted with AES-256-CBC under the database key (a raw key is used as is; no KDF runs). The
first 16 bytes of page 1 are the salt, in clear, in place of "SQLite format 3\\0".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE_SIZE = 4096
RESERVED = 80  # IV (16) + HMAC-SHA512 (64)
SALT = 16
WAL_HEADER = 32
WAL_FRAME_HEADER = 24


def decrypt_page(page: bytes, db_key: bytes, *, first: bool) -> bytes:
    start = SALT if first else 0
    end = PAGE_SIZE - RESERVED
    iv = page[end : end + 16]
    decryptor = Cipher(algorithms.AES(db_key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start:end]) + decryptor.finalize()


def database_pages(path: Path, db_key: bytes) -> Iterator[bytes]:
    raw = path.read_bytes()
    assert len(raw) % PAGE_SIZE == 0, "not whole SQLCipher pages"
    for number in range(len(raw) // PAGE_SIZE):
        page = raw[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
        yield decrypt_page(page, db_key, first=number == 0)


def wal_pages(path: Path, db_key: bytes) -> Iterator[bytes]:
    """The page images in a write-ahead log (each frame: a 24-byte header, then one encrypted page)."""
    if not path.exists():
        return
    raw = path.read_bytes()
    offset = WAL_HEADER
    while offset + WAL_FRAME_HEADER + PAGE_SIZE <= len(raw):
        number = int.from_bytes(raw[offset : offset + 4], "big")
        page = raw[offset + WAL_FRAME_HEADER : offset + WAL_FRAME_HEADER + PAGE_SIZE]
        yield decrypt_page(page, db_key, first=number == 1)
        offset += WAL_FRAME_HEADER + PAGE_SIZE


def everything_decrypted(database: Path, db_key: bytes) -> bytes:
    """The plaintext of every page of the file and of its write-ahead log, end to end."""
    wal = Path(f"{database}-wal")
    return b"".join([*database_pages(database, db_key), *wal_pages(wal, db_key)])


def looks_like_sqlite(database: Path, db_key: bytes) -> bool:
    """Page 1 decrypted carries SQLite's header fields (page size 4096, payload fractions 64/32/32)."""
    first = next(database_pages(database, db_key))
    header = first  # offsets below are SQLite's, less the 16 bytes of salt
    return header[0:2] == b"\x10\x00" and header[5:8] == b"\x40\x20\x20"
