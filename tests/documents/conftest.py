"""Fixtures for the documents layer: built-in forms, fictional values, and one signing identity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from documents_samples import SAMPLES, sample_meta

from dsl_desk.documents.forms import FormDefinition, builtin_forms_dir, load_forms
from dsl_desk.documents.render import RenderMeta
from dsl_desk.documents.signing import SigningIdentity, create_identity


@pytest.fixture(scope="session")
def forms() -> dict[str, FormDefinition]:
    return load_forms(builtin_forms_dir())


@pytest.fixture
def samples() -> dict[str, dict[str, str]]:
    return SAMPLES


@pytest.fixture
def meta() -> RenderMeta:
    return sample_meta("st_helens", demo=False)


@pytest.fixture(scope="session")
def identity() -> SigningIdentity:
    # RSA key generation is the slow part of signing: one identity serves the whole session.
    return create_identity(
        "Jane Smith", "Penkford School", valid_from=datetime(2026, 1, 1, tzinfo=UTC), role="DSL"
    )
