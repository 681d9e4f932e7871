"""Policy packs as the CLI and the screens show them."""

from __future__ import annotations

from dataclasses import dataclass

from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack, Timescale


@dataclass(frozen=True)
class PackSummary:
    id: str
    name: str
    short_name: str
    version: str
    stages: int


def pack_summary(pack: PolicyPack) -> PackSummary:
    return PackSummary(pack.id, pack.name, pack.short_name, pack.version, len(pack.stages))


def timescale_words(timescale: Timescale | None) -> str:
    if timescale is None or timescale.kind == "none":
        return timescale.text if timescale and timescale.text else _("no timescale set by the policy")
    if timescale.text:
        return timescale.text
    if timescale.kind == "same_working_day":
        return _("the same working day")
    return f"within {timescale.days} working day{'s' if timescale.days != 1 else ''}"


def describe_pack(pack: PolicyPack) -> str:
    """A readable outline of a pack: what a DSL would want on one screen."""
    lines = [
        pack.name,
        f"{pack.document.title} ({pack.document.dates})",
        _("Pack version {version}").format(version=pack.version),
        "",
    ]
    if pack.immediate_risk:
        lines += [
            _("If a child is at immediate risk of significant harm:"),
            f"  {pack.immediate_risk.instruction}",
            "",
        ]
    if pack.overall_timescale:
        lines += [f"Overall: {timescale_words(pack.overall_timescale)}", ""]
    for step in pack.pre_steps:
        lines.append(
            _("Before the stages — {title} ({timescale_words})").format(
                title=step.title, timescale_words=timescale_words(step.timescale)
            )
        )
    if pack.pre_steps:
        lines.append("")
    for stage in pack.stages:
        lines.append(f"{stage.display_name}  [{timescale_words(stage.timescale)}]")
        lines.append(f"    Us: {stage.our_side}")
        lines.append(f"    Them: {stage.their_side}")
        lines.extend(f"    • {req.text}" for req in stage.requirements)
        if stage.prerequisite_text:
            lines.append(
                _("    Before this stage: {prerequisite_text}").format(
                    prerequisite_text=stage.prerequisite_text
                )
            )
    lines += ["", f"Partnership: {pack.board.name}"]
    if pack.board.email:
        lines.append(f"    {pack.board.email}")
    if pack.board.postal_address:
        lines.append(f"    {pack.board.postal_address}")
    return "\n".join(lines)
