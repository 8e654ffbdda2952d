import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from participation.access import has_mfa
from participation.models import Agency, Membership, Official, Role, User

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "agencies": Agency.objects.count(),
        "officials": Official.objects.count(),
        "memberships": Membership.objects.count(),
        "emails": EmailAddress.objects.count(),
    }


def test_the_demo_loads_once_however_often_it_runs():
    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first


def test_the_demo_has_the_promised_bodies_and_people():
    call_command("seed_demo", verbosity=0)
    kinds = set(Agency.objects.values_list("kind", flat=True))
    assert {"parliament", "chamber", "ministry", "regional_akimat", "city_akimat"} <= kinds
    assert {"district_akimat"} <= kinds
    assert Agency.objects.get(slug="mazhilis").parent == Agency.objects.get(slug="parliament")
    assert Agency.objects.filter(kind="regional_akimat").count() == 3
    assert Agency.objects.filter(kind="ministry").count() == 2
    for role in Role:
        assert Membership.objects.filter(role=role).exists(), role
    assert User.objects.filter(memberships__isnull=True, is_staff=False).count() >= 5


def test_every_demo_role_holder_can_act_at_once():
    call_command("seed_demo", verbosity=0)
    for membership in Membership.objects.select_related("user"):
        assert has_mfa(membership.user), membership.user


def test_demo_accounts_sign_in_with_the_documented_password(client):
    call_command("seed_demo", verbosity=0)
    response = client.post(
        "/en/accounts/login/", {"login": "citizen1@demo.kz", "password": "demo-pass-2026"}
    )
    assert response.status_code == 302
    assert client.get("/en/accounts/profile/").status_code == 200
