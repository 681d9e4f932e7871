"""Checking the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from dsl_desk.services import audit
from dsl_desk.services.context import AppContext
from dsl_desk.store.models import AuditEvent


@dataclass(frozen=True)
class AuditReport:
    rows: int
    problems: tuple[audit.AuditProblem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.intact:
            return f"The audit trail is intact: {self.rows} rows, none edited or removed."
        return (
            f"The audit trail has been TAMPERED WITH: {len(self.problems)} problem(s) in {self.rows} rows. "
            "Keep this database as it is and tell your head teacher or data protection officer."
        )


def verify_audit_trail(ctx: AppContext) -> AuditReport:
    with ctx.store.session() as session:
        rows = session.scalar(select(func.count(AuditEvent.id))) or 0
        problems = tuple(audit.verify_chain(session))
        audit.record(
            session,
            at=ctx.clock.now(),
            user_id=ctx.actor.user_id,
            action="audit_verified",
            detail={"rows": rows, "problems": len(problems)},
        )
    return AuditReport(rows, problems)
