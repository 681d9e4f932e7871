"""Fictional values for every built-in form: used by the tests and to draw docs/forms/*.png.

Every person, school and case here is invented. Run `python tests/documents/documents_samples.py OUT_DIR`
to write one PDF per form (the reference renderings are made from these with pdftoppm).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from dsl_desk.documents.forms import builtin_forms_dir, load_forms  # noqa: E402
from dsl_desk.documents.render import RenderMeta, SignatureBlock, render_form  # noqa: E402

PARTNERSHIP_NAMES = {
    "st_helens": "St Helens Safeguarding Children Board",
    "medway": "Medway Safeguarding Children Partnership",
    "wigan": "Wigan Safeguarding Children Board",
    "any": "City & Hackney Safeguarding Children Partnership",
}

CONCERN = (
    "On 14 October 2026 the school made a referral to Children's Social Care after Zoë disclosed that "
    "she had been left alone overnight with her two younger brothers on three occasions in the past fortnight. "
    "The referral was closed on 16 October as 'no further action – below threshold' without a home visit.\n"
    "We disagree with that decision: attendance has fallen to 71%, Zoë arrives hungry most mornings and "
    "she has told her class teacher that 'Mum goes out and doesn't come back till morning'. "
    "We are asking for a Child and Family Assessment and a strategy discussion."
)

SAMPLES: dict[str, dict[str, str]] = {
    "st_helens_escalation_notice": {
        "agency_issuing": "Penkford School (fictional)",
        "agency_receiving": "Children's Social Care – Assessment Team",
        "child_name": "Zoë Łukasiewicz-Nguyễn",
        "child_dob": "2016-03-09",
        "information_of_concern": CONCERN,
        "role": "Designated Safeguarding Lead",
        "dated": "2026-10-21",
        "copy_to_lscb": "LSCB Business Manager, Alas House, Corporation Street, St Helens",
        "copy_to_lscb_date": "2026-10-21",
        "date_of_resolution": "2026-10-27",
        "level_of_resolution": "Stage Three – line managers",
        "issues_raised": "Threshold applied to repeated reports of a child left without adult supervision.",
        "lessons_learnt": "Home visit before closing a referral that describes children left alone at night.",
    },
    "st_helens_resolution_template": {
        "child_name": "Zoë Łukasiewicz-Nguyễn",
        "parents": "Marta Łukasiewicz (mother); father not involved",
        "lead_practitioner": "Priya Anand, Social Worker – Children's Social Care",
        "continuum_of_need": "Level 3 – complex needs",
        "procedures_case_managed": "Child in Need",
        "stage_of_escalation": "Stage Three",
        "stage_escalation_resolved": "Stage Three",
        "timescales_stage_1": "yes",
        "timescales_stage_2": "yes",
        "timescales_stage_3": "no",
        "timescales_stage_3_reason": "Team Manager on leave; covered by Service Manager on day 7.",
        "main_reason": "Threshold Conflict; Need for Action",
        "action": "Child and Family Assessment opened 27 Oct 2026; home visit completed 28 Oct 2026.",
        "name_of_referrer": "Jane Smith, DSL",
        "practitioners_informed": "Class teacher; school nurse; Priya Anand (Social Worker)",
        "date_form_completed": "2026-10-29",
        "method_of_delivery": "Secure email",
    },
    "medway_stage3_escalation_form": {
        "date_of_stage_3_alert": "2026-11-02",
        "from": "Jane Smith, Designated Safeguarding Lead",
        "from_service": "Riverside Primary School (fictional)",
        "to": "Tom Okafor, Head of Service",
        "to_service": "Children's Social Care – Front Door",
        "child_name": "Kacper Nowak-Hughes",
        "child_dob": "2015-07-22",
        "practitioner": "Amy Lister, Class Teacher",
        "practitioner_service": "Riverside Primary School",
        "line_manager": "Jane Smith, DSL",
        "stage_1_date_raised": "2026-10-19",
        "stage_1_managers": "Sam Patel, Service Manager",
        "stage_1_date_response": "2026-10-23",
        "stage_2_date_raised": "2026-10-26",
        "stage_2_dsl": "Tom Okafor, Head of Service",
        "stage_2_date_response": "2026-10-30",
        "stage_3_summary": "The child protection plan has made no progress for 12 weeks and no contingency "
        "action has been taken; core group meetings have not taken place within timescales.",
        "stage_3_requested_action": "Convene a review child protection conference within 15 working days.",
        "stage_3_contact": "Dr Helen Marsh, Assistant Director",
        "stage_3_response": "",
        "resolution_of_alert": "",
        "date_of_response": "",
        "form_sent_to_mscp": "yes",
        "date_sent": "2026-11-02",
        "stage_4_summary": "",
    },
    "medway_partnership_practice_alert": {
        "informer": "Jane Smith, Designated Safeguarding Lead",
        "service": "Riverside Primary School (fictional)",
        "contact_details": "dsl@riverside.example.org · 01632 960123",
        "date_of_alert": "2026-11-05",
        "summary": "Between 1 September and 31 October 2026 four strategy meeting invitations reached "
        "schools after the meeting had taken place (8 Sep, 22 Sep, 6 Oct and 20 Oct).",
        "measures_taken": "Raised with the Front Door team manager on 7 October; agreed a shared inbox.",
        "contributory_causes": "Invitations sent to staff e-mail addresses that are not monitored daily.",
        "good_practice": "Minutes now shared within 24 hours.",
        "recommended_action": "Send invitations to each school's safeguarding inbox listed in the directory.",
    },
    "wigan_appendix3_agency_report": {
        "child_name": "Aisha Rahman",
        "child_dob": "2012-11-30",
        "child_address": "14 Fictional Terrace, Exampletown EX1 2AB",
        "practitioner": "Jane Smith, Designated Safeguarding Lead, Hillview High School (fictional)",
        "disagreement": "Disagreement over whether a strategy discussion was needed after Aisha "
        "reported being pressured to carry parcels for older young people.",
        "level_1_responded": "no",
        "level_2_individual": "Mark Evans, Team Manager, Children's Duty Social Care",
        "level_2_outcome": "Strategy discussion held on 4 November 2026; referral to the exploitation hub.",
        "level_3_referred": "no",
        "parents_informed": "yes",
    },
    "wigan_appendix4_proforma": {
        "child_name": "Aisha Rahman",
        "child_dob": "2012-11-30",
        "child_address": "14 Fictional Terrace, Exampletown EX1 2AB",
        "board_members": "Service Manager, Education Support (for schools); Service Manager, "
        "Partnerships and Safeguarding",
        "disagreement": "Threshold for a strategy discussion where criminal exploitation was suspected.",
        "methodology": "Telephone discussion between agency representatives, then a joint case review.",
        "lessons_learned": "yes",
        "lessons_detail": "Exploitation screening tool to be used by the duty team for every school referral.",
        "staff_training": "yes",
        "new_protocol": "no",
        "inform_commissioner": "no",
        "sub_group": "yes",
        "sub_group_which": "Learning and Improvement Sub Group",
        "board_executive": "no",
    },
    "general_escalation_record": {
        "child_name": "Sami Haddad",
        "child_dob": "2014-05-17",
        "child_plan": "Child in Need plan",
        "our_agency": "Brookside Academy (fictional)",
        "other_agency": "Early Help Hub",
        "nature": "Level of need; Progression of plans",
        "problem": "The Early Help plan has not been reviewed for 14 weeks while concerns about neglect "
        "have grown.",
        "outcome_sought": "A multi-agency review of the plan and a decision on a statutory assessment.",
        "stage_reached": "Stage Three – senior managers",
        "chronology": "3 Nov – DSL spoke to the key worker (Stage 1).\n"
        "5 Nov – line managers met (Stage 2).\n10 Nov – senior managers discussed (Stage 3).",
        "chair_or_iro_notified": "no",
        "actions_to_date": "",
        "icsc_rationale": "",
        "date_of_resolution": "2026-11-12",
        "stage_resolved": "Stage Three",
        "agreed_outcome": "Review meeting held 12 Nov; statutory assessment agreed.",
        "outstanding_issues": "No outstanding issues.",
        "key_learning": "Set review dates in every Early Help plan.",
        "learning_referred": "yes",
        "role": "Designated Safeguarding Lead",
        "date_signed": "2026-11-12",
    },
}

META_TIME = datetime(2026, 11, 3, 14, 2, tzinfo=UTC)


def sample_meta(partnership: str, *, demo: bool = True) -> RenderMeta:
    return RenderMeta(
        partnership_name=PARTNERSHIP_NAMES[partnership],
        policy_pack_label=f"{PARTNERSHIP_NAMES[partnership]} escalation policy, pack v2026-01",
        reference="ESC-2026-0007",
        organisation="Penkford School (fictional)",
        exported_at=META_TIME,
        author="Jane Smith",
        demo=demo,
    )


SIGNATURE = SignatureBlock(
    name="Jane Smith", role="Designated Safeguarding Lead", signed_on=date(2026, 11, 3)
)


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for form_id, form in load_forms(builtin_forms_dir()).items():
        pdf = render_form(form, SAMPLES[form_id], sample_meta(form.partnership), signature=SIGNATURE)
        (out_dir / f"{form_id}.pdf").write_bytes(pdf)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
