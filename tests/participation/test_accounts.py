"""Sign-up, verification, login and password reset, all by code, through allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from participation.models import Notification, User

pytestmark = pytest.mark.django_db

PASSWORD = "Qz7!long-enough-passphrase"


def code_from(message: mail.EmailMessage) -> str:
    match = re.search(
        r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4}|[0-9]{6})\s*$", str(message.body), re.MULTILINE
    )
    assert match, message.body
    return match.group(1)


def sign_up(client, email: str, language: str = "en"):
    return client.post(
        f"/{language}/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_sign_up_sends_a_code_that_verifies_and_signs_in(client):
    response = sign_up(client, "new@example.kz")
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.kz"]
    user = User.objects.get(email="new@example.kz")
    assert not EmailAddress.objects.get(user=user).verified

    response = client.post(response["Location"], {"code": code_from(mail.outbox[0])})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/en/accounts/profile/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(client):
    response = sign_up(client, "new@example.kz")
    page = client.post(response["Location"], {"code": "WRONG1"})
    assert page.status_code == 200
    assert "Incorrect code" in page.content.decode()
    assert not EmailAddress.objects.get(email="new@example.kz").verified


def test_verification_sends_one_welcome_notification(client):
    response = sign_up(client, "new@example.kz")
    client.post(response["Location"], {"code": code_from(mail.outbox[0])})
    user = User.objects.get(email="new@example.kz")
    assert list(Notification.objects.filter(user=user).values_list("kind", flat=True)) == [
        "welcome"
    ]


def test_a_new_account_takes_the_language_it_signed_up_in(client):
    sign_up(client, "new@example.kz", language="ru")
    assert User.objects.get(email="new@example.kz").preferred_language == "ru"
    assert mail.outbox[0].subject.startswith("[Открытый диалог] ")
    assert "Вас приветствует Открытый диалог" in mail.outbox[0].body


def test_the_verification_mail_speaks_kazakh_by_default(client):
    sign_up(client, "new@example.kz", language="kk")
    message = mail.outbox[0]
    assert message.subject.startswith("[Ашық диалог] ")
    assert "Ашық диалог" in message.body
    assert "verification code" not in message.body


def test_login_by_code(client, world):
    response = client.post("/en/accounts/login/code/", {"email": world.alice.email})
    assert response.status_code == 302
    code = code_from(mail.outbox[-1])
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/en/"  # Alice prefers English
    assert client.get("/en/notifications/").status_code == 200


def test_login_lands_in_the_preferred_language(client, world):
    response = client.post(
        "/kk/accounts/login/",
        {"login": world.bob.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/ru/"


def test_password_reset_by_code(client, world):
    response = client.post("/en/accounts/password/reset/", {"email": world.alice.email})
    assert response.status_code == 302
    code = code_from(mail.outbox[-1])
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    response = client.post(response["Location"], {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password(PASSWORD)


def test_failed_logins_are_rate_limited(client, world):
    """After five wrong passwords, even the right one is refused for a while."""
    for _ in range(5):
        page = client.post("/en/accounts/login/", {"login": world.alice.email, "password": "x"})
        assert "not correct" in page.content.decode()
    page = client.post(
        "/en/accounts/login/",
        {"login": world.alice.email, "password": "correct horse battery staple"},
    )
    assert page.status_code == 200
    assert "Too many failed login attempts" in page.content.decode()


def test_role_holders_log_in_with_a_second_factor(client, world):
    response = client.post(
        "/en/accounts/login/",
        {"login": world.aigerim.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert "/accounts/2fa/authenticate/" in response["Location"]
    assert client.get("/en/accounts/profile/").status_code == 302  # not signed in yet


def test_the_profile_saves_public_and_private_fields(client, world):
    client.force_login(world.alice)
    response = client.post(
        "/en/accounts/profile/",
        {
            "display_name": "  Alice   from  Almaty ",
            "real_name": "Alice Smith",
            "region": "",
            "preferred_language": "en",
            "iin": "850101 300005",
        },
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.display_name == "Alice from Almaty"
    assert world.alice.iin == "850101300005"


def test_the_profile_refuses_an_iin_with_a_wrong_check_digit(client, world):
    client.force_login(world.alice)
    response = client.post(
        "/en/accounts/profile/",
        {"display_name": "Alice", "preferred_language": "en", "iin": "850101300006"},
    )
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.iin is None


def test_an_iin_belongs_to_one_account_only(client, world):
    User.objects.filter(pk=world.bob.pk).update(iin="850101300005")
    client.force_login(world.alice)
    response = client.post(
        "/en/accounts/profile/",
        {"display_name": "Alice", "preferred_language": "en", "iin": "850101300005"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
