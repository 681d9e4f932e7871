"""What a transfer out is made of, shared by the transfers service and the export: where it goes, what came
back, how long our copy is kept (see services/records/transfers.py for why a year)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from dsl_desk.core.i18n import _
from dsl_desk.services import bounds
from dsl_desk.services.errors import ValidationError

KEEP_COPY_YEARS = 1
MAX_FIELD = 200


@dataclass(frozen=True)
class Destination:
    """Where the file goes, and how. Only the school is required."""

    school: str
    dsl: str = ""
    contact: str = ""  # email or phone
    method: str = ""  # "Secure email", "By hand to the DSL", …


@dataclass(frozen=True)
class ExportedTransfer:
    transfer_id: int
    bundle_path: Path
    summary_path: Path
    password: str  # shown once and given by phone; never stored
    bundle_id: str
    fingerprint: str
    keep_copy_until: date


def default_keep_copy_until(sent_on: date) -> date:
    """KEEP_COPY_YEARS after sending (see the module docstring for why)."""
    try:
        return sent_on.replace(year=sent_on.year + KEEP_COPY_YEARS)
    except ValueError:  # 29 February
        return sent_on.replace(year=sent_on.year + KEEP_COPY_YEARS, day=28)


def check_destination(destination: Destination) -> Destination:
    bounds.check_texts(destination, default=MAX_FIELD)
    cleaned = Destination(**{f.name: getattr(destination, f.name).strip() for f in fields(Destination)})
    if not cleaned.school:
        raise ValidationError(_("Enter the school the child is moving to."), field="school")
    for f in fields(Destination):
        if len(getattr(cleaned, f.name)) > MAX_FIELD:
            raise ValidationError(
                _("That is too long (at most {MAX_FIELD} characters).").format(MAX_FIELD=MAX_FIELD),
                field=f.name,
            )
    return cleaned
