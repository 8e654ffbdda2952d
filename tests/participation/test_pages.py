import pytest

from participation.models import User

pytestmark = pytest.mark.django_db


def test_the_root_redirects_to_the_default_language(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/kk/"


@pytest.mark.parametrize(
    ("language", "text"),
    [("kk", "Ашық диалог"), ("ru", "Открытый диалог"), ("en", "Open Dialogue")],
)
def test_the_home_page_speaks_each_language(client, world, language, text):
    page = client.get(f"/{language}/").content.decode()
    assert f'<html lang="{language}">' in page
    assert text in page


def test_the_directory_shows_the_agency_tree(client, world):
    page = client.get("/en/agencies/").content.decode()
    assert page.index("Parliament of the Republic") < page.index("Mazhilis")
    assert page.index("Akimat of Almaty") < page.index("Akimat of Bostandyk District")


def test_the_directory_finds_an_agency_by_its_name_in_any_language(client, world):
    page = client.get("/en/agencies/", {"q": "Бостандық"}).content.decode()
    assert "Akimat of Bostandyk District" in page
    assert "Mazhilis" not in page
    page = client.get("/kk/agencies/", {"q": "мажилис"}).content.decode()
    assert "Мәжіліс" in page


def test_the_directory_finds_an_agency_by_its_officials_name(client, world):
    page = client.get("/ru/agencies/", {"q": "Нурланова"}).content.decode()
    assert "Акимат города Алматы" in page


def test_the_directory_filters_by_kind(client, world):
    page = client.get("/en/agencies/", {"kind": "district_akimat"}).content.decode()
    assert "Akimat of Bostandyk District" in page
    assert 'href="/en/agencies/almaty/"' not in page


def test_an_unknown_kind_is_ignored_not_an_error(client, world):
    assert client.get("/en/agencies/", {"kind": "<script>"}).status_code == 200


def test_the_agency_page_shows_superiors_officials_and_subordinates(client, world):
    page = client.get("/en/agencies/almaty/").content.decode()
    assert "Aigerim Nurlanova" in page
    assert "Akimat of Bostandyk District" in page
    page = client.get("/ru/agencies/bostandyk/").content.decode()
    assert "Акимат города Алматы" in page  # the superior body


def test_the_official_page_shows_the_reception_room(client, world):
    page = client.get("/kk/officials/marat-seitkali/").content.decode()
    assert "Марат Сейтқали" in page
    assert "/kk/reception/marat-seitkali/" in page
    assert client.get("/kk/reception/marat-seitkali/").status_code == 200


def test_missing_pages_are_404_in_the_sites_look(client, world):
    response = client.get("/en/agencies/no-such-agency/")
    assert response.status_code == 404
    assert client.get("/en/officials/nobody/").status_code == 404


def test_private_fields_never_reach_public_pages(client, world):
    official = world.aigerim
    User.objects.filter(pk=official.pk).update(real_name="Айгерим Секретовна", iin="850101300005")
    for url in [
        "/en/",
        "/en/agencies/",
        "/en/agencies/almaty/",
        "/en/officials/aigerim-nurlanova/",
        "/en/reception/aigerim-nurlanova/",
    ]:
        page = client.get(url).content.decode()
        for secret in ("Секретовна", "850101300005", official.email):
            assert secret not in page, (url, secret)


def test_pages_carry_a_strict_content_security_policy(client, world):
    policy = client.get("/en/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_switcher_changes_language_and_remembers_it(client, world):
    client.force_login(world.alice)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/en/agencies/almaty/"})
    assert response.status_code == 302
    assert response["Location"] == "/ru/agencies/almaty/"
    world.alice.refresh_from_db()
    assert world.alice.preferred_language == "ru"


def test_the_switcher_refuses_to_redirect_off_site(client, world):
    response = client.post("/i18n/setlang/", {"language": "kk", "next": "https://evil.example/"})
    assert response["Location"] == "/kk/"


def test_health_reports_the_database_and_the_worker(client, db):
    body = client.get("/health/").json()
    assert body == {"database": "ok", "worker_last_beat": None, "worker_ok": False}
