"""Fuzzing the API from its own OpenAPI schema (schemathesis): no input, valid or not,
gets a server error (5xx), and every answer matches the schema."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from reception import actions
from reception.models import Appeal
from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db


# The schema as the app serves it. (schemathesis.pytest.from_fixture, which would load
# it inside a test, does not work with pytest 9 yet: it reads a removed attribute.)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def fuzz_world(world, settings_for_fuzzing):
    """A world with a published appeal, so that reads find something."""
    actions.do_submit_appeal(
        citizen=world.bob, kind=Appeal.Kind.QUESTION, subject="Published", text="Text",
        is_public=True, official=world.aigerim_official,
    )  # fmt: skip
    return world


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the connection when a request ends; its test client stops that, but
    schemathesis calls the WSGI app directly. On PostgreSQL that would close the test's
    own transaction under it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def settings_for_fuzzing(settings):
    settings.API_RATE_LIMITS = {}  # a limit would answer 429 and hide the rest
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    settings.MODERATION_RATE_LIMITS = {"user": [], "ip": []}


@pytest.fixture
def token(fuzz_world):
    return token_for(fuzz_world.alice)


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_gets_a_server_error(case, token):
    """Every check schemathesis has, but "a schema-valid request is accepted": an
    opaque cursor cannot be described in a schema, nor "an agency or an official,
    exactly one", so those requests rightly get a 400 or 422."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
