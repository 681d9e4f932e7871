"""Subject access requests: the response deadline, the exemptions a DSL may rely on, and redaction of names.

The deadline follows the ICO's guidance on the right of access ("How long do we have to comply?",
ico.org.uk, checked through the SAR checklist page ico.org.uk/global/sar-checklist-for-smes/
i-need-to-complete-a-sar and the University of Edinburgh's summary of the same guidance):

- "calculate the time limit from the day you receive the request (whether it is a working day or not)
  until the corresponding calendar date in the next month" — since August 2019 the day of receipt is
  day one (it used to be the day after);
- if the next month has no corresponding date, the deadline is the last day of that month
  (a request received on 31 January is due on 28 February, or 29 February in a leap year);
- "if the corresponding date falls on a weekend or a public holiday, you have until the next working day";
- where the controller asked for proof of identity, the month runs from when it is received; this
  module takes that date as `identity_confirmed_on`;
- the period may be extended "by a further two months" where a request is complex (UK GDPR Art. 12(3)),
  telling the requester within the first month, with the reason.

The exemptions are those of the Data Protection Act 2018 a school's safeguarding file most often meets;
each reference was checked against legislation.gov.uk text: Sch. 2 Part 1 para 2 (crime and taxation:
general), Sch. 2 Part 3 para 16 (protection of the rights of others), Sch. 2 Part 4 para 19 (legal
professional privilege), Sch. 3 Part 2 (health data), Part 3 (social work data), Part 4 (education data;
the serious harm test is in para 17(2)) and Part 5 (child abuse data). The child abuse exemption's
paragraph number is not given here because it could not be checked; the Part is.

Redaction replaces a third party's name wherever it stands as a whole word (any case, "Smith's" too).
"""

from __future__ import annotations

import calendar as month_lengths
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from dsl_desk.core.calendar import WorkingCalendar
from dsl_desk.core.i18n import _

MAX_EXTENSION_MONTHS = 2
REDACTED = "[redacted: third party]"


# --- the deadline --------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The corresponding calendar date `months` later, or the last day of that month if it has none."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = month_lengths.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def clock_starts(received_on: date, identity_confirmed_on: date | None = None) -> date:
    """Day one: the day of receipt, or the day proof of identity arrived if that was later."""
    if identity_confirmed_on is not None and identity_confirmed_on > received_on:
        return identity_confirmed_on
    return received_on


def response_due(
    received_on: date,
    calendar: WorkingCalendar,
    *,
    identity_confirmed_on: date | None = None,
    extension_months: int = 0,
) -> date:
    """The last day to respond: one calendar month (plus any extension) from day one, moved off a
    weekend or bank holiday to the next working day.

    `calendar` should know the nation's bank holidays; a school's own closure days do not move an ICO
    deadline, so callers pass a calendar without them.
    """
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(
            _("An extension is of one or two further months, not {extension_months}").format(
                extension_months=extension_months
            )
        )
    due = add_months(clock_starts(received_on, identity_confirmed_on), 1 + extension_months)
    return due if calendar.is_working_day(due) else calendar.next_working_day(due)


# --- exemptions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exemption:
    key: str  # stored in the redaction log; never changes
    label: str  # plain English, shown to the DSL and (unless withheld silently) to the requester
    reference: str  # where it is in the Data Protection Act 2018
    explanation: str  # one line for the DSL choosing it


EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption(
        "third_party",
        "Information about another person",
        "DPA 2018 Sch. 2 Part 3 para 16",
        "It would identify someone else, who has not agreed, and disclosing it is not reasonable.",
    ),
    Exemption(
        "child_abuse",
        "Child abuse data",
        "DPA 2018 Sch. 3 Part 5",
        "A parent asked, and disclosing whether the child is or may be at risk of abuse would not be in "
        "the child's best interests (England, Wales and Northern Ireland).",
    ),
    Exemption(
        "serious_harm_education",
        "Serious harm (education record)",
        "DPA 2018 Sch. 3 Part 4",
        "Disclosing this part of the education record would be likely to cause serious harm to the "
        "physical or mental health of the child or someone else.",
    ),
    Exemption(
        "serious_harm_social_work",
        "Serious harm (social work information)",
        "DPA 2018 Sch. 3 Part 3",
        "Social care information whose disclosure would be likely to prejudice social work by causing "
        "serious harm to the child or someone else.",
    ),
    Exemption(
        "serious_harm_health",
        "Serious harm (health information)",
        "DPA 2018 Sch. 3 Part 2",
        "Health information whose disclosure would be likely to cause serious harm to the physical or "
        "mental health of the child or someone else (ask the health professional first).",
    ),
    Exemption(
        "crime",
        "Prevention or detection of crime",
        "DPA 2018 Sch. 2 Part 1 para 2",
        "Disclosing it would be likely to prejudice a police investigation or a prosecution.",
    ),
    Exemption(
        "legal_privilege",
        "Legal professional privilege",
        "DPA 2018 Sch. 2 Part 4 para 19",
        "Legal advice, or material prepared for legal proceedings.",
    ),
)
EXEMPTIONS_BY_KEY: Mapping[str, Exemption] = {e.key: e for e in EXEMPTIONS}


def exemption(key: str) -> Exemption:
    """The exemption for a stored key; an unknown key (a later version's) still reads sensibly."""
    return EXEMPTIONS_BY_KEY.get(key) or Exemption(key, key.replace("_", " ").capitalize(), "", "")


# --- redaction -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedactedText:
    text: str
    replacements: int
    by_term: Mapping[str, int]  # replacements per term, keyed by the term as given


def redact(text: str, terms: Iterable[str]) -> RedactedText:
    """Replace every whole-word occurrence of each term, in any case, with REDACTED.

    One pass over the text with all terms together (longest first, so "Ann Smith" wins over "Ann"),
    so the words of the replacement are never themselves redacted. A possessive ("Smith's") keeps its
    "'s": the name goes, the sentence still reads.
    """
    wanted = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
    if not wanted or not text:
        return RedactedText(text, 0, dict.fromkeys(wanted, 0))
    folded = {t.casefold(): t for t in reversed(wanted)}
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(_flexible(t) for t in wanted) + r")(?!\w)", re.IGNORECASE)
    counts = dict.fromkeys(wanted, 0)

    def replace(match: re.Match[str]) -> str:
        term = folded.get(match.group(0).casefold()) or _term_for(match.group(0), wanted)
        counts[term] += 1
        return REDACTED

    result = pattern.sub(replace, text)
    return RedactedText(result, sum(counts.values()), counts)


def _flexible(term: str) -> str:
    """The term as a pattern in which any run of spaces matches any run of white space."""
    return r"\s+".join(re.escape(word) for word in term.split())


def _term_for(matched: str, terms: list[str]) -> str:
    # Reached when white space or case folding differs from the term's ("Ann\nSmith" for "Ann Smith").
    return next((t for t in terms if re.fullmatch(_flexible(t), matched, re.IGNORECASE)), terms[0])
