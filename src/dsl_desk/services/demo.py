"""A demo database of fictional children, agencies and escalations at every stage, for trying DSL Desk.

Every record is made through the real services, with a script clock walked back in time, so the demo obeys
the same rules as real use. Names are invented; the organisation and the unlock screen say "demo".
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from dsl_desk.core.clock import Clock, FixedClock, london
from dsl_desk.core.i18n import _
from dsl_desk.core.policy import PolicyPack
from dsl_desk.services.context import AppContext
from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
from dsl_desk.services.escalations.checklist_items import complete_checklist_item
from dsl_desk.services.escalations.closing import ResolutionInput, resolve, withdraw
from dsl_desk.services.escalations.reading import get_escalation
from dsl_desk.services.escalations.stages import StageOutcome, escalate
from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
from dsl_desk.services.people.agencies import add_professional
from dsl_desk.services.people.children import ChildDetails, add_child
from dsl_desk.store.errors import AlreadyInitialised
from dsl_desk.store.keyring import KdfParams, save_keyring
from dsl_desk.store.paths import DataPaths

DEMO_USERNAME = "demo.dsl"
DEMO_PASSPHRASE = "demo passphrase"  # noqa: S105 - published on purpose: the data is fictional

CHILDREN = (
    ChildDetails(
        "Zoë",
        "Łukasiewicz-Nguyễn",
        date(2014, 5, 2),
        "12 Larch Close, Penkford",
        "Minh Nguyễn (father)",
        child_protection_plan=True,
        continuum_of_need="Level 4 – child protection",
    ),
    ChildDetails(
        "Amir",
        "Haddad",
        date(2016, 9, 18),
        "3 Weaver Street, Penkford",
        "Layla Haddad (mother)",
        child_in_need=True,
        continuum_of_need="Level 3 – child in need",
    ),
    ChildDetails(
        "Rupa",
        "Chowdhury",
        date(2012, 1, 30),
        "48 Mill Lane, Penkford",
        "Anwar and Salma Chowdhury",
        ehcp=True,
        continuum_of_need="Level 2 – early help",
    ),
    ChildDetails(
        "Callum",
        "Brightwater",
        date(2013, 11, 11),
        "Flat 2, 7 Canal View, Penkford",
        "Dawn Brightwater (mother); Gary Pike (mother's partner)",
        looked_after=True,
        continuum_of_need="Level 4 – looked after",
    ),
    ChildDetails(
        "Ffion",
        "Rees-Amberley",
        date(2015, 7, 4),
        "19 Quarry Road, Penkford",
        "Siân Rees (mother)",
        continuum_of_need="Level 2 – early help",
    ),
    ChildDetails(
        "Tomasz",
        "Wiśniewski",
        date(2011, 3, 22),
        "5 Orchard Way, Penkford",
        "Agata Wiśniewska (mother)",
        child_protection_plan=True,
        continuum_of_need="Level 4 – child protection",
    ),
    ChildDetails(
        "Grace",
        "Okonkwo-Hale",
        date(2017, 12, 1),
        "66 Station Road, Penkford",
        "Chidi Okonkwo (father)",
        child_in_need=True,
        continuum_of_need="Level 3 – child in need",
    ),
    ChildDetails(
        "Harvey",
        "Lindqvist",
        date(2012, 8, 15),
        "2 The Crescent, Penkford",
        "Emma Lindqvist (mother)",
        continuum_of_need="Level 3 – child in need",
    ),
    ChildDetails(
        "Maisie",
        "Thornbury",
        date(2016, 2, 29),
        "31 Holly Bank, Penkford",
        "Kerry Thornbury (mother)",
        looked_after=True,
        continuum_of_need="Level 4 – looked after",
    ),
    ChildDetails(
        "Leo", "Fairbairn", date(2014, 10, 9), "8 Kestrel Drive, Penkford", "Jon and Priya Fairbairn"
    ),
)

PROFESSIONALS = (
    (
        "Sam Otterburn",
        "Social Worker",
        "Demo Borough Children's Social Care",
        "01632 960001",
        "s.otterburn@example.org",
    ),
    (
        "Dana Whitlock",
        "Team Manager",
        "Demo Borough Children's Social Care",
        "01632 960002",
        "d.whitlock@example.org",
    ),
    (
        "Priya Ramsay",
        "Health Visitor",
        "Demo Community Health NHS Trust",
        "01632 960101",
        "p.ramsay@example.org",
    ),
    ("DS Chris Kettering", "Detective Sergeant", "Demo Police Public Protection Unit", "01632 960201", ""),
    ("Morgan Achebe", "CAMHS Practitioner", "Demo CAMHS", "01632 960301", "m.achebe@example.org"),
)


@dataclass(frozen=True)
class DemoCase:
    child: int
    pack_id: str
    agency: str
    category_index: int
    problem: str
    outcome_sought: str
    opened_days_ago: int  # calendar days before now
    escalations: int  # how many stages past the first it has moved
    ending: str = "open"  # open | resolved | withdrawn
    immediate_risk: bool = False
    opened_hours_ago: int = 0


CASES = (
    DemoCase(
        0,
        "st_helens",
        "Demo Borough Children's Social Care",
        1,
        "Children's social care closed the referral after Zoë disclosed that her mother's partner hit her; "
        "school believes the threshold for a strategy discussion is met.",
        "A strategy discussion today and a section 47 enquiry.",
        0,
        0,
        immediate_risk=True,
        opened_hours_ago=1,
    ),
    DemoCase(
        1,
        "st_helens",
        "Demo Borough Children's Social Care",
        0,
        "The child in need plan has not been reviewed for four months despite school's referrals about "
        "neglect (hunger, poor hygiene).",
        "A child in need review meeting within two weeks.",
        12,
        0,
    ),
    DemoCase(
        2,
        "st_helens",
        "Demo Community Health NHS Trust",
        4,
        "Health have not shared the outcome of the paediatric assessment school asked about.",
        "The outcome shared with the school nurse and DSL.",
        5,
        2,
    ),
    DemoCase(
        3,
        "st_helens",
        "Demo Police Public Protection Unit",
        3,
        "Police did not attend the core group; actions from the plan are not progressing.",
        "Police attendance at core groups, or a written update before each.",
        14,
        4,
    ),
    DemoCase(
        4,
        "barnet",
        "Demo CAMHS",
        2,
        "CAMHS declined the referral for self-harm as 'not meeting threshold'.",
        "A CAMHS assessment within 10 working days.",
        2,
        1,
    ),
    DemoCase(
        5,
        "medway",
        "Demo Borough Children's Social Care",
        0,
        "Disagreement over the accuracy of the child protection conference minutes.",
        "Minutes corrected to record school's dissent.",
        16,
        2,
    ),
    DemoCase(
        6,
        "city_and_hackney",
        "Demo Borough Children's Social Care",
        1,
        "Social care and school disagree whether the case should step down to early help.",
        "The case stays open to social care until the home conditions improve.",
        20,
        3,
    ),
    DemoCase(
        7,
        "wigan",
        "Demo Community Health NHS Trust",
        2,
        "Health visitor and school disagree about who leads on the family's early help assessment.",
        "A named lead professional agreed in writing.",
        4,
        1,
    ),
    DemoCase(
        8,
        "st_helens",
        "Demo Borough Children's Social Care",
        0,
        "The looked-after child's placement move was not shared with school before it happened.",
        "School told of placement changes before they happen.",
        30,
        1,
        ending="resolved",
    ),
    DemoCase(
        9,
        "st_helens",
        "Demo CAMHS",
        2,
        "Concern that CAMHS had not seen Leo; it turned out an appointment had been offered and attended.",
        "Confirmation that Leo has been seen.",
        9,
        0,
        ending="withdrawn",
    ),
)


def create_demo(
    paths: DataPaths, *, clock: Clock, packs: Mapping[str, PolicyPack], replace_existing: bool = False
) -> str:
    """Make the demo database in `paths` and return a one-line summary of what it holds."""
    if paths.exists():
        if not replace_existing:
            raise AlreadyInitialised(
                _(
                    "There is already a database in {root}. Use --force to replace the demo, or choose another "
                    "folder with --data-dir."
                ).format(root=paths.root),
                path=paths.root,
            )
        _remove_demo(paths)
    script = FixedClock(clock.now() - timedelta(days=45))
    profile = OrganisationProfile("Penkford School (DEMO)", "School", "st_helens", "england", is_demo=True)
    user = NewUser(DEMO_USERNAME, "Alex Morgan (demo)", "Designated Safeguarding Lead", DEMO_PASSPHRASE)
    ctx, _recovery = initialise(paths, profile, user, clock=script, packs=packs, kdf=KdfParams())
    try:
        save_keyring(paths.keyring, replace(ctx.store.keyring, demo=True))
        child_ids = [add_child(ctx, child).id for child in CHILDREN]
        for name, role, agency, phone, email in PROFESSIONALS:
            add_professional(ctx, name, role, agency, phone=phone, email=email)
        escalation_ids = [_play(ctx, script, clock.now(), case, child_ids[case.child]) for case in CASES]
        _log_discussions(ctx, script, clock.now(), child_ids, escalation_ids)
        _records_work(ctx, script, clock.now(), child_ids)
    finally:
        ctx.close()
    return f"{len(CHILDREN)} fictional children, {len(PROFESSIONALS)} professionals, {len(CASES)} escalations"


def _remove_demo(paths: DataPaths) -> None:
    """Only ever deletes a folder whose keyring says it is a demo."""
    from dsl_desk.store.keyring import load_keyring

    if not load_keyring(paths.keyring).demo:
        raise AlreadyInitialised(
            _("{root} holds a real database, not a demo. Nothing was removed.").format(root=paths.root),
            path=paths.root,
        )
    for item in paths.root.iterdir():
        if item.name != paths.lock_file.name:
            shutil.rmtree(item) if item.is_dir() else item.unlink()


def _play(ctx: AppContext, script: FixedClock, now: datetime, case: DemoCase, child_id: int) -> int:
    opened = now - timedelta(days=case.opened_days_ago, hours=case.opened_hours_ago)
    if case.opened_days_ago:
        opened = london(opened).replace(hour=9, minute=30).astimezone(opened.tzinfo)
    script.set(opened)
    pack = ctx.pack(case.pack_id)
    detail = open_escalation(
        ctx,
        NewEscalation(
            child_id=child_id,
            other_agency=case.agency,
            category=pack.categories[case.category_index].key,
            problem=case.problem,
            outcome_sought=case.outcome_sought,
            immediate_risk=case.immediate_risk,
            policy_id=pack.id,
            contacted="Sam Otterburn, Social Worker" if case.child % 2 else "",
            other_agency_kind=_demo_agency_kind(case.agency),
        ),
    )
    span = (now - opened) / (case.escalations + 2) if case.escalations else timedelta(0)
    for _number in range(case.escalations):
        script.advance(span)
        _tick_current(ctx, detail.id)
        detail = get_escalation(ctx, detail.id)
        stage = next(s for s in detail.stages if s.state == "current")
        # The other agency answered an hour before the DSL moved on (nobody answers a stage inside the school).
        response = None
        if not pack.stage(stage.key).within_own_agency and stage.started_at is not None:
            response = max(stage.started_at, script.now() - timedelta(hours=1))
        due = stage.deadline
        late = due is not None and (response or script.now()) > due
        detail = escalate(
            ctx,
            detail.id,
            StageOutcome(
                outcome="Not resolved at this level; both agencies agreed to escalate.",
                contacted_next="Dana Whitlock, Team Manager",
                missed_reason="The other agency's manager was on leave." if late else "",
                response_received_at=response,
                not_done_reasons={
                    item.id: "Done by telephone; recorded in the discussion log."
                    for item in detail.open_checklist
                    if item.obligation == "must"
                },
            ),
        )
    if case.ending == "resolved":
        script.advance(timedelta(hours=2))
        resolve(
            ctx,
            detail.id,
            ResolutionInput(
                written_outcome="Social care agreed to tell school of any placement change at least two working days "
                "before it happens; confirmed by email from the team manager.",
                outcome_agreed_in_writing=True,
                main_reason="Communication",
                actions="Placement changes added to the care plan's communication section.",
                practitioners_informed="Class teacher, SENCo, virtual school head",
                lessons_learnt="Placement moves need a named person to tell school.",
                learning_referred_to_board=True,
                gaps_found="yes",
                debrief_held=True,
                parents_informed=False,
                parents_not_informed_reason="Looked after child: the social worker informed the carers.",
                child_situation_improved="yes",
                missed_reason="Waiting for the team manager's written confirmation.",
                overrun_reason="Waiting for the team manager's written confirmation.",
                manager_confirmed_child_safe=True,
                manager_name="Head teacher",
            ),
        )
    elif case.ending == "withdrawn":
        script.advance(timedelta(hours=3))
        withdraw(ctx, detail.id, "CAMHS confirmed Leo attended his appointment; the concern was unfounded.")
    script.set(now)
    return detail.id


def _demo_agency_kind(name: str) -> str:
    lowered = name.lower()
    for words, kind in (
        (("social care", "children's services"), "social_care"),
        (("health", "camhs", "nhs", "nurse", "gp"), "health"),
        (("police",), "police"),
        (("school", "academy", "college"), "education"),
    ):
        if any(word in lowered for word in words):
            return kind
    return "other"


def _log_discussions(
    ctx: AppContext, script: FixedClock, now: datetime, child_ids: list[int], escalation_ids: list[int]
) -> None:
    """A few contemporaneous records, one corrected and one a dissent at a meeting, so the log is not empty."""
    from dsl_desk.services.log.discussion_log import NewAction, NewEntry, amend_entry, log_discussion

    zoe, callum, tomasz = child_ids[0], child_ids[3], child_ids[5]
    script.set(now - timedelta(hours=3))
    disclosure = NewEntry(
        child_id=zoe,
        occurred_at=now - timedelta(hours=3, minutes=20),
        method="face_to_face",
        participants="Alex Morgan (DSL, Penkford School); Zoë Łukasiewicz-Nguyễn (pupil)",
        summary="Zoë came to the DSL office at morning break and said her mother's partner hit her on the arm "
        "last night. A bruise about 4 cm across was visible on her upper left arm.",
        child_views="“He grabbed me because I didn't put my plate away. I don't want to go home tonight.”",
        opinion="Zoë seemed frightened and kept looking at the door.",
        decisions="Refer to children's social care today: a disclosure of physical harm with a visible injury.",
        escalation_id=escalation_ids[0],
    )
    first = log_discussion(ctx, disclosure)
    script.advance(timedelta(minutes=40))
    # A correction repeats the record with the one fact put right, and says why (the original stays visible).
    corrected = disclosure.summary.replace("upper left arm", "upper RIGHT arm")
    amend_entry(
        ctx,
        first.id,
        replace(disclosure, summary=corrected),
        "The bruise is on her right arm, not the left; checked with the class teacher.",
    )
    script.advance(timedelta(minutes=20))
    log_discussion(
        ctx,
        NewEntry(
            child_id=zoe,
            occurred_at=script.now() - timedelta(minutes=10),
            method="telephone",
            participants="Alex Morgan (DSL); Sam Otterburn (Social Worker, Demo Borough Children's Social Care)",
            summary="Rang the duty social worker. Told the referral will be closed as 'below threshold' without a visit.",
            decisions="Disagree: escalate the same working day under the immediate-risk rule.",
            escalation_id=escalation_ids[0],
            actions=(NewAction("Speak to the Team Manager before 15:00", "Alex Morgan, DSL", now.date()),),
        ),
    )
    script.set(now - timedelta(days=6))
    log_discussion(
        ctx,
        NewEntry(
            child_id=tomasz,
            occurred_at=now - timedelta(days=6, hours=2),
            method="child_protection_conference",
            kind="dissent",
            participants="Conference chair; Dana Whitlock (Team Manager); Alex Morgan (DSL); Priya Ramsay (Health Visitor)",
            summary="At the review conference the chair proposed ending the child protection plan. School dissented: "
            "attendance has fallen and Tomasz has twice arrived hungry this half term.",
            decisions="School's dissent noted in the minutes; school to activate the escalation policy.",
            escalation_id=escalation_ids[5],
        ),
    )
    script.set(now - timedelta(days=2))
    log_discussion(
        ctx,
        NewEntry(
            child_id=callum,
            occurred_at=now - timedelta(days=2, hours=1),
            method="email",
            participants="Alex Morgan (DSL); DS Chris Kettering (Demo Police Public Protection Unit)",
            summary="Emailed the police to ask for attendance at the next core group or a written update before it.",
            escalation_id=escalation_ids[3],
            actions=(
                NewAction("Chase the police reply", "Alex Morgan, DSL", (now - timedelta(days=1)).date()),
            ),
        ),
    )
    script.set(now)


def _records_work(ctx: AppContext, script: FixedClock, now: datetime, child_ids: list[int]) -> None:
    """A subject access request part-way through its month and a file sent to a new school with no receipt
    yet, so the dashboard and Transfers & requests show what they do."""
    from dsl_desk.services.records.subject_access import NewRequest, record_request
    from dsl_desk.services.records.transfers import Destination, export_bundle, mark_sent
    from dsl_desk.services.scratch import discard, scratch_subfolder

    amir, last = child_ids[1], child_ids[-1]
    script.set(now - timedelta(days=20))
    received = london(script.now()).date()
    record_request(ctx, NewRequest(amir, "Layla Haddad", "Mother", received, identity_confirmed=True))
    script.set(now - timedelta(days=10))
    oakfield = Destination("Oakfield Academy (demo)", "Ruth Ndlovu", "dsl@oakfield.example", "Secure email")
    # The files themselves are not needed for the demo: written in the private temporary folder, then removed.
    folder = scratch_subfolder(ctx.store.paths, "demo-transfer")
    try:
        exported = export_bundle(ctx, last, oakfield, folder)
        mark_sent(ctx, exported.transfer_id)
    finally:
        discard(folder)
    script.set(now)


def _tick_current(ctx: AppContext, escalation_id: int) -> None:
    for item in get_escalation(ctx, escalation_id).open_checklist:
        complete_checklist_item(ctx, item.id, "Done (demo)")
