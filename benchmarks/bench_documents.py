"""How long a signed Escalation Notice takes, against a bare one-page ReportLab document in the same run.

    python benchmarks/bench_documents.py [--runs N]

A throw-away encrypted database with one fictional child and escalation is made in a temporary folder.
Each figure is the median of N runs after one warm-up (fonts registered, the DSL's signing key made).
The ratio to the bare document is what to compare between machines; the milliseconds depend on the machine.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

FORM = "st_helens_escalation_notice"


def one_page_reportlab() -> bytes:
    """The baseline: one A4 page of title and paragraphs, with ReportLab's own fonts and nothing else."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    story = [Paragraph("Escalation notice", styles["Title"])]
    story += [
        Paragraph("A paragraph of ordinary text on a single page. " * 6, styles["Normal"]) for _ in range(8)
    ]
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def timed(work: Callable[[], object], runs: int) -> float:
    work()  # warm-up: imports, font registration, first-use caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _context(root: Path):  # -> (AppContext, escalation id)
    from dsl_desk.core.clock import SystemClock
    from dsl_desk.services.desk.policies import load_policies
    from dsl_desk.services.desk.setup import NewUser, OrganisationProfile, initialise
    from dsl_desk.services.escalations.workflow import NewEscalation, open_escalation
    from dsl_desk.services.people.children import ChildDetails, add_child
    from dsl_desk.store.keyring import KdfParams
    from dsl_desk.store.paths import DataPaths

    packs = dict(load_policies().packs)
    ctx, _recovery = initialise(
        DataPaths(root / "data"),
        OrganisationProfile("Penkford School (benchmark)", "School", "st_helens", "england"),
        NewUser("bench.dsl", "Bench Marker", "Designated Safeguarding Lead", "benchmark passphrase words"),
        clock=SystemClock(),
        packs=packs,
        kdf=KdfParams(time_cost=1, memory_kib=8192, parallelism=1),
    )
    child = add_child(ctx, ChildDetails("Zoë", "Łukasiewicz-Nguyễn", date(2014, 5, 2), "12 Larch Close"))
    detail = open_escalation(
        ctx,
        NewEscalation(
            child_id=child.id,
            other_agency="Demo Borough Children's Social Care",
            category=packs["st_helens"].categories[0].key,
            problem="The referral was closed without a home visit. " * 12,
            outcome_sought="A Child and Family Assessment.",
            policy_id="st_helens",
        ),
    )
    return ctx, detail.id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)

    from dsl_desk.documents.signing import sign_pdf
    from dsl_desk.services.paperwork.exports import export_form, prepare_form
    from dsl_desk.services.paperwork.signing_identity import ensure_signing_identity

    with tempfile.TemporaryDirectory() as folder:
        ctx, escalation_id = _context(Path(folder))
        try:
            started = time.perf_counter()
            identity = ensure_signing_identity(ctx)
            key_ms = (time.perf_counter() - started) * 1000
            prepared = prepare_form(ctx, escalation_id, FORM, signed_look=True)
            rendered = prepared.render()

            def sign() -> bytes:
                return sign_pdf(
                    rendered, identity, reason="benchmark", location="here", signer_name="Bench Marker",
                    timestamp=ctx.clock.now(),
                )  # fmt: skip

            figures = [
                ("bare one-page ReportLab document (baseline)", timed(one_page_reportlab, args.runs)),
                ("render the Escalation Notice", timed(prepared.render, args.runs)),
                ("sign it (PAdES, RSA-3072)", timed(sign, args.runs)),
                ("render + sign", timed(lambda: sign_pdf(prepared.render(), identity, reason="b", location="h", signer_name="B", timestamp=ctx.clock.now()), args.runs)),
                ("export_form: fill, render, sign, record, audit", timed(lambda: export_form(ctx, escalation_id, FORM, sign=True), args.runs)),
            ]  # fmt: skip
        finally:
            ctx.close()
    baseline = figures[0][1]
    print(f"median of {args.runs} runs after one warm-up (Python {sys.version.split()[0]})")
    for name, value in figures:
        print(f"  {name:<52} {value:8.1f} ms   {value / baseline:5.1f}x baseline")
    print(f"  (the DSL's signing key, made once per user and kept: {key_ms:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
