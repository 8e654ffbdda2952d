import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser

from participation.access import (
    AccessDenied,
    MFARequired,
    access_notification_by_id,
    check_role,
    holds_role,
    must_use_mfa,
)
from participation.actions import do_notify
from participation.models import Role
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_a_membership_covers_its_agency_and_those_below(world):
    assert holds_role(world.aigerim, Role.OFFICIAL, world.almaty)
    assert holds_role(world.aigerim, Role.OFFICIAL, world.bostandyk)
    assert not holds_role(world.aigerim, Role.OFFICIAL, world.mazhilis)
    assert not holds_role(world.marat, Role.OFFICIAL, world.parliament)


def test_a_global_moderator_covers_every_agency(world):
    other = AgencyFactory.create()
    assert holds_role(world.moira, Role.MODERATOR, world.almaty)
    assert holds_role(world.moira, Role.MODERATOR, other)
    assert holds_role(world.moira, Role.MODERATOR, None)
    assert not holds_role(world.moira, Role.OFFICIAL, world.almaty)


def test_citizens_hold_no_role_and_need_no_mfa(world):
    assert not holds_role(world.alice, Role.DELEGATE, world.mazhilis)
    assert not must_use_mfa(world.alice)
    assert not must_use_mfa(AnonymousUser())
    with pytest.raises(AccessDenied):
        check_role(world.alice, Role.DELEGATE, world.mazhilis)
    with pytest.raises(AccessDenied):
        check_role(AnonymousUser(), Role.DELEGATE, world.mazhilis)


def test_a_role_holder_cannot_act_before_enrolling_in_mfa(world):
    check_role(world.dana, Role.DELEGATE, world.mazhilis)
    Authenticator.objects.filter(user=world.dana).delete()
    dana = type(world.dana).objects.get(pk=world.dana.pk)  # a fresh object: no cached answers
    with pytest.raises(MFARequired):
        check_role(dana, Role.DELEGATE, world.mazhilis)


def test_recovery_codes_alone_are_not_a_second_factor(world):
    Authenticator.objects.filter(user=world.dana).delete()
    Authenticator.objects.create(
        user=world.dana, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00"}
    )
    dana = type(world.dana).objects.get(pk=world.dana.pk)  # a fresh object: no cached answers
    with pytest.raises(MFARequired):
        check_role(dana, Role.DELEGATE, world.mazhilis)


def test_someone_elses_notification_reads_as_missing(world):
    notification = do_notify(world.alice, kind="welcome")
    assert access_notification_by_id(world.alice, notification.pk) == notification
    with pytest.raises(AccessDenied):
        access_notification_by_id(world.bob, notification.pk)
    with pytest.raises(AccessDenied):
        access_notification_by_id(world.alice, notification.pk + 1000)


def test_staff_without_mfa_are_sent_to_enrol_before_the_admin(client, world):
    Authenticator.objects.filter(user=world.root).delete()
    client.force_login(world.root)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/2fa/")


def test_staff_with_mfa_reach_the_admin(client, world):
    client.force_login(world.root)
    assert client.get("/admin/").status_code == 200


def test_role_holders_without_mfa_see_a_banner(client, world):
    Authenticator.objects.filter(user=world.oskar).delete()
    client.force_login(world.oskar)
    assert "two-factor" in client.get("/en/").content.decode()
    client.force_login(world.alice)
    assert "two-factor" not in client.get("/en/").content.decode()


def test_the_admins_own_password_form_is_closed(client, world):
    """Staff sign in through allauth, which asks for the second factor."""
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = client.post("/admin/login/", {"username": world.root.email, "password": "x"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
