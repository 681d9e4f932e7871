"""The signing certificates this desk knows, in a small JSON file beside the database.

Two kinds: the certificates of this desk's own users (added whenever a user's signing identity is made or
used, services/signing_identity.py) and certificates a DSL marked as trusted after comparing the fingerprint
by telephone with the person it names (services/trusted_certificates.py; audited in the database).

Why a file and not a table: `dsl-desk verify` must say whether a signer is known WITHOUT the passphrase, and
a fingerprint is not secret (it is printed on every export and read out over the phone). The file holds only
fingerprints, the names in the certificates and when they were added — no child's data. It is not protected
against someone who can write to the data folder (they could as well replace the program); every trust
decision is also in the hash-chained audit trail, and a transfer import (made unlocked) counts an entry
only when the audit trail agrees (services/trusted_certificates.py `known_signer`). `dsl-desk verify`, with
no passphrase, has only this file to go on.
"""

from __future__ import annotations

import json
import string
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from dsl_desk.core.clock import london
from dsl_desk.core.dates_in_words import day_month_year
from dsl_desk.store.atomic import write_atomically

KNOWN_FORMAT = 1
Kind = Literal["desk", "trusted"]
_MAX_FILE = 4 << 20


@dataclass(frozen=True)
class KnownCertificate:
    fingerprint: str  # "AB:CD:…", SHA-256 of the DER certificate
    subject: str  # the name in the certificate, "Jane Smith (DSL, Penkford School)"
    kind: Kind
    added_at: datetime
    note: str = ""  # desk: the username; trusted: who confirmed it, and how

    def describe(self) -> str:
        when = london(self.added_at)
        if self.kind == "desk":
            return f"the certificate of {self.subject}, a user of this desk"
        return f"trusted on {day_month_year(when)}, after its fingerprint was confirmed by telephone"


@dataclass(frozen=True)
class KnownCertificates:
    certificates: tuple[KnownCertificate, ...] = ()
    problem: str = ""  # a plain message when the file could not be read (then nothing is known)

    def lookup(self) -> dict[str, str]:
        """Fingerprint -> how this desk knows it (a user's own certificate wins over a trusted one)."""
        ordered = sorted(self.certificates, key=lambda c: c.kind != "trusted")
        return {certificate.fingerprint: certificate.describe() for certificate in ordered}

    def find(self, fingerprint: str) -> KnownCertificate | None:
        return next((c for c in self.certificates if c.fingerprint == fingerprint), None)


def normalise_fingerprint(text: str) -> str:
    """'ab cd:EF…' as read over the phone -> 'AB:CD:EF:…'; "" when it is not 64 hex digits."""
    digits = "".join(ch for ch in text.upper() if ch not in " :-\t\r\n")
    if len(digits) != 64 or any(ch not in string.hexdigits for ch in digits):
        return ""
    return ":".join(digits[i : i + 2] for i in range(0, 64, 2))


def load_known_certificates(path: Path) -> KnownCertificates:
    try:
        if path.stat().st_size > _MAX_FILE:
            raise ValueError("too large")
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or not isinstance(raw.get("certificates"), list):
            raise ValueError("no list of certificates")
        if type(raw.get("format")) is not int or raw["format"] > KNOWN_FORMAT:
            raise ValueError("written by a newer version")
        return KnownCertificates(tuple(_parse(item) for item in raw["certificates"]))
    except FileNotFoundError:
        return KnownCertificates()
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        return KnownCertificates(
            problem=f"The list of known certificates ({path.name}) could not be read ({error}), so no signer "
            "is treated as known. Sign a form or trust a certificate again to rebuild it."
        )


def add_known_certificate(path: Path, certificate: KnownCertificate) -> bool:
    """Add it (once); True when it was not there before. A damaged list is replaced by a fresh one."""
    current = load_known_certificates(path)
    existing = current.find(certificate.fingerprint)
    if existing is not None and existing.kind in (certificate.kind, "desk"):
        return False
    others = tuple(c for c in current.certificates if c.fingerprint != certificate.fingerprint)
    _save(path, (*others, certificate))
    return existing is None


def remove_known_certificate(path: Path, fingerprint: str) -> KnownCertificate | None:
    """Forget a trusted certificate; a user's own certificate stays known. Returns what was removed."""
    current = load_known_certificates(path)
    found = current.find(fingerprint)
    if found is None or found.kind != "trusted":
        return None
    _save(path, tuple(c for c in current.certificates if c.fingerprint != fingerprint))
    return found


def _save(path: Path, certificates: tuple[KnownCertificate, ...]) -> None:
    payload = {
        "format": KNOWN_FORMAT,
        "certificates": [
            {**asdict(c), "added_at": c.added_at.isoformat()} for c in sorted(certificates, key=_order)
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8"))


def _order(certificate: KnownCertificate) -> tuple[str, datetime]:
    return certificate.kind, certificate.added_at


def _parse(item: dict[str, object]) -> KnownCertificate:
    fingerprint = normalise_fingerprint(str(item["fingerprint"]))
    kind = item["kind"]
    added_at = datetime.fromisoformat(str(item["added_at"]))
    if not fingerprint or kind not in ("desk", "trusted") or added_at.tzinfo is None:
        raise ValueError("an entry is not a certificate fingerprint")
    return KnownCertificate(
        fingerprint=fingerprint,
        subject=str(item.get("subject", "")),
        kind=kind,  # type: ignore[arg-type]
        added_at=added_at,
        note=str(item.get("note", "")),
    )
