"""Hole 12: every spelling of one address shares one lockout counter of five.

Sign-in matches the address whatever its capitals and ignores spaces around it, so the
lockout counts the same normalised name: a wrong password typed as ``ARI@…`` counts against
``ari@…``, and so does `` ari@… `` with spaces.
"""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client

from retrust.core.lockout import lockout_username, normalise_username
from tests.conftest import PASSWORD

VARIANTS = [
    "ari@example.org",
    "ARI@EXAMPLE.ORG",
    "Ari@Example.org",
    "  ari@example.org",
    "ari@example.org   ",
    "  aRi@ExAmPlE.oRg ",
]


def sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"username": email, "password": password})


def is_locked(response) -> bool:
    return response.status_code == 429 and "too many wrong passwords" in html.unescape(
        response.content.decode()
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_spelling_signs_in_before_any_mistake(partner_a, variant):
    client = Client()
    assert sign_in(client, variant, PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("locked_as", VARIANTS)
def test_five_wrong_passwords_across_spellings_lock_every_spelling(partner_a, locked_as):
    # Each wrong guess uses a different spelling, from a different browser: one counter.
    assert settings.AXES_FAILURE_LIMIT == 5
    for variant in VARIANTS[: settings.AXES_FAILURE_LIMIT]:
        sign_in(Client(), variant, "a wrong guess")
    client = Client()
    assert is_locked(sign_in(client, locked_as, PASSWORD))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("variant", VARIANTS)
def test_five_wrong_passwords_in_one_spelling_lock_the_others(partner_a, variant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), variant, "a wrong guess")
    for other in VARIANTS:
        assert is_locked(sign_in(Client(), other, PASSWORD)), other


def test_four_wrong_passwords_across_spellings_still_let_the_right_one_in(partner_a):
    for variant in VARIANTS[: settings.AXES_FAILURE_LIMIT - 1]:
        sign_in(Client(), variant, "a wrong guess")
    client = Client()
    assert sign_in(client, " Ari@Example.org ", PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_the_lockout_name_is_the_trimmed_lower_case_address():
    assert normalise_username("  Sam@Example.ORG ") == "sam@example.org"
    assert normalise_username(None) == ""
    assert lockout_username(None, {"username": " SAM@example.org"}) == "sam@example.org"
