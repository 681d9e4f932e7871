"""Gentle prompts toward a good record: facts apart from opinion, the child's own words, full names and
roles, the reason for each decision. Prompts never block saving: a hurried note is better than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dsl_desk.core.i18n import _

# Capitals that are agencies or roles, not a person's initials.
KNOWN_ABBREVIATIONS = frozenset(
    {
        "DSL", "DDSL", "CSC", "GP", "CAMHS", "MASH", "NHS", "PPU", "CP", "CIN", "CPP", "LADO", "SW", "SENCO",
        "EHCP", "LAC", "CLA", "IRO", "ICPC", "RCPC", "UK", "PE", "TA", "ED", "A&E", "AE", "FGM", "CSE", "CCE",
        "MARAC", "MAPPA", "LSCB", "LSCP", "SCR", "CSPR", "OK", "TV", "ID", "PDF", "EHA", "EH", "DV", "DA",
        "HV", "SN", "ADHD", "ASD", "SEN", "SEND", "PCSO", "DC", "DS", "DI", "PC", "BBC", "AM", "PM",
    }
)  # fmt: skip
_INITIALS = re.compile(r"\b(?:[A-Z]\.){2,3}|\b[A-Z]{2,3}\b")
_OPINION = re.compile(
    r"\b(I think|I feel|I believe|in my (?:view|opinion)|seems?|seemed|probably|appears?|appeared|"
    r"obviously|clearly|I suspect|likely)\b",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(because|since|so that|due to|reasons?|given that|in order to|owing to|as a result|therefore)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Prompt:
    field: str  # which box it is about
    text: str


def record_prompts(
    *, summary: str, participants: str, child_views: str, decisions: str, opinion: str = ""
) -> list[Prompt]:
    prompts: list[Prompt] = []
    initials = _initials_in(" ".join((summary, participants, decisions, opinion)))
    if initials:
        prompts.append(
            Prompt(
                "participants",
                _(
                    "“{initials}” looks like initials: write full names and roles "
                    "(for example “Dawn Brightwater, social worker, Demo CSC”)."
                ).format(initials=initials[0]),
            )
        )
    if not participants.strip():
        prompts.append(Prompt("participants", _("Who took part? Give full names, roles and agencies.")))
    match = _OPINION.search(summary)
    if match:
        prompts.append(
            Prompt(
                "summary",
                _(
                    "The facts include an opinion (“{group}…”): keep facts in “What was discussed” "
                    "and put your view under “Professional opinion”."
                ).format(group=match.group(0)),
            )
        )
    if not child_views.strip():
        prompts.append(
            Prompt("child_views", _("What does the child say? Record their own words, in quotation marks."))
        )
    if decisions.strip() and not _REASON.search(decisions):
        prompts.append(Prompt("decisions", _("Give the reason for each decision (“… because …”).")))
    return prompts


def _initials_in(text: str) -> list[str]:
    found = []
    for match in _INITIALS.finditer(text):
        token = match.group(0).replace(".", "")
        if token not in KNOWN_ABBREVIATIONS:
            found.append(match.group(0).strip())
    return found
