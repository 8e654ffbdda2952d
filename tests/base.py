"""The named people of the test suite, and the small agency tree they work in.

    parliament ─ mazhilis                 (deputy Marat, delegate Dana)
    almaty (regional akimat) ─ bostandyk  (akim Aigerim heads almaty;
                                           operator Oskar at almaty)
    moderator Moira is platform-wide; Alice and Bob are citizens; Root is admin.

Every role holder except ``unenrolled`` has a TOTP authenticator, so they may act.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.models import Authenticator

from participation.models import Agency, Membership, Official, Region, Role, User
from tests.factories import AgencyFactory, OfficialFactory, UserFactory


@dataclass
class World:
    alice: User
    bob: User
    marat: User
    aigerim: User
    dana: User
    moira: User
    oskar: User
    root: User
    parliament: Agency
    mazhilis: Agency
    almaty: Agency
    bostandyk: Agency
    marat_official: Official
    aigerim_official: Official


def enrol_mfa(user: User) -> None:
    """Give the person a TOTP authenticator (a fixed secret: tests only)."""
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )


def make_moderator(display_name: str = "Nurlan", agency: Agency | None = None) -> User:
    """A second moderator, enrolled in MFA (platform-wide unless ``agency`` is given)."""
    user = UserFactory.create(display_name=display_name)
    Membership.objects.create(user=user, role=Role.MODERATOR, agency=agency)
    enrol_mfa(user)
    return user


def make_world() -> World:
    # get_or_create: transactional tests flush the regions that migration 0002 loads.
    region, _ = Region.objects.get_or_create(
        slug="almaty",
        defaults={"name_kk": "Алматы қаласы", "name_ru": "город Алматы", "name_en": "Almaty"},
    )
    parliament = AgencyFactory.create(
        kind=Agency.Kind.PARLIAMENT,
        slug="parliament",
        name_kk="Қазақстан Республикасының Парламенті",
        name_ru="Парламент Республики Казахстан",
        name_en="Parliament of the Republic of Kazakhstan",
    )
    mazhilis = AgencyFactory.create(
        kind=Agency.Kind.CHAMBER,
        parent=parliament,
        slug="mazhilis",
        name_kk="Мәжіліс",
        name_ru="Мажилис",
        name_en="Mazhilis",
    )
    almaty = AgencyFactory.create(
        kind=Agency.Kind.REGIONAL_AKIMAT,
        slug="almaty",
        region=region,
        name_kk="Алматы қаласының әкімдігі",
        name_ru="Акимат города Алматы",
        name_en="Akimat of Almaty",
    )
    bostandyk = AgencyFactory.create(
        kind=Agency.Kind.DISTRICT_AKIMAT,
        parent=almaty,
        slug="bostandyk",
        region=region,
        name_kk="Бостандық ауданының әкімдігі",
        name_ru="Акимат Бостандыкского района",
        name_en="Akimat of Bostandyk District",
    )
    alice = UserFactory.create(
        email="alice@example.kz", display_name="Alice", preferred_language="en"
    )
    bob = UserFactory.create(email="bob@example.kz", display_name="Bob", preferred_language="ru")
    marat = UserFactory.create(email="marat@example.kz", display_name="Marat")
    aigerim = UserFactory.create(email="aigerim@example.kz", display_name="Aigerim")
    dana = UserFactory.create(email="dana@example.kz", display_name="Dana")
    moira = UserFactory.create(email="moira@example.kz", display_name="Moira")
    oskar = UserFactory.create(email="oskar@example.kz", display_name="Oskar")
    root = UserFactory.create(email="root@example.kz", is_staff=True, is_superuser=True)
    marat_official = OfficialFactory.create(
        user=marat,
        agency=mazhilis,
        slug="marat-seitkali",
        name_kk="Марат Сейтқали",
        name_ru="Марат Сейткали",
        name_en="Marat Seitkali",
        position_kk="Мәжіліс депутаты",
        position_ru="Депутат Мажилиса",
        position_en="Deputy of the Mazhilis",
    )
    aigerim_official = OfficialFactory.create(
        user=aigerim,
        agency=almaty,
        slug="aigerim-nurlanova",
        is_head=True,
        name_kk="Әйгерім Нұрланова",
        name_ru="Айгерим Нурланова",
        name_en="Aigerim Nurlanova",
        position_kk="Алматы қаласының әкімі",
        position_ru="Аким города Алматы",
        position_en="Akim of Almaty",
    )
    memberships = [
        (marat, Role.OFFICIAL, mazhilis),
        (aigerim, Role.OFFICIAL, almaty),
        (dana, Role.DELEGATE, mazhilis),
        (moira, Role.MODERATOR, None),
        (oskar, Role.OPERATOR, almaty),
    ]
    for user, role, agency in memberships:
        Membership.objects.create(user=user, role=role, agency=agency)
    for user in (marat, aigerim, dana, moira, oskar, root):
        enrol_mfa(user)
    return World(
        alice=alice,
        bob=bob,
        marat=marat,
        aigerim=aigerim,
        dana=dana,
        moira=moira,
        oskar=oskar,
        root=root,
        parliament=parliament,
        mazhilis=mazhilis,
        almaty=almaty,
        bostandyk=bostandyk,
        marat_official=marat_official,
        aigerim_official=aigerim_official,
    )
