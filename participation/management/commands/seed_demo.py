"""Load demo data: an agency tree, officials, office staff and citizens.

``python manage.py seed_demo`` is idempotent: running it again updates the same
rows (keyed on slugs and e-mail addresses) and never duplicates anything. It
also resets every demo account's password to the demo password. All names of
people are fictional.

Every account's password is ``demo-pass-2026`` and its e-mail address is
already verified. Role holders and the admin must use two-factor
authentication, so each of them is enrolled in TOTP with the same base32
secret ``JBSWY3DPEHPK3PXP`` (add it to any authenticator app, or compute a code
with ``oathtool --totp -b JBSWY3DPEHPK3PXP``) and has recovery codes
(``seed_demo -v 2`` prints them). An account that already had an authenticator
keeps it.

Demo logins:

============================= ========= ==============================
e-mail                        role      agency
============================= ========= ==============================
admin@demo.kz                 admin     —
moderator@demo.kz             moderator — (whole platform)
operator@demo.kz              operator  almaty-akimat
delegate.almaty@demo.kz       delegate  almaty-akimat
delegate.mazhilis@demo.kz     delegate  mazhilis
mazhilis.chair@demo.kz        official  mazhilis (head)
mazhilis.deputy1@demo.kz      official  mazhilis
mazhilis.deputy2@demo.kz      official  mazhilis
senate.chair@demo.kz          official  senate (head)
senate.deputy1@demo.kz        official  senate
minister.health@demo.kz       official  ministry-of-health (head)
minister.education@demo.kz    official  ministry-of-education (head)
akim.almaty@demo.kz           official  almaty-akimat (head)
akim.karaganda-region@demo.kz official  karaganda-region-akimat (head)
akim.turkistan-region@demo.kz official  turkistan-region-akimat (head)
akim.karaganda-city@demo.kz   official  karaganda-city-akimat (head)
akim.bostandyk@demo.kz        official  bostandyk-akimat (head)
akim.turkistan-city@demo.kz   official  turkistan-city-akimat (head)
citizen1@demo.kz              citizen   —
citizen2@demo.kz              citizen   —
citizen3@demo.kz              citizen   —
citizen4@demo.kz              citizen   —
citizen5@demo.kz              citizen   —
============================= ========= ==============================

Agency tree (slugs)::

    parliament
        mazhilis
        senate
    ministry-of-health
    ministry-of-education
    almaty-akimat                       (region almaty)
        bostandyk-akimat
        medeu-akimat
    karaganda-region-akimat             (region karaganda)
        karaganda-city-akimat
            bokeikhan-district-akimat
        temirtau-akimat
        bukhar-zhyrau-akimat
    turkistan-region-akimat             (region turkistan)
        turkistan-city-akimat
        sairam-akimat
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from participation.actions import do_grant_role
from participation.iin import make_iin
from participation.models import Agency, Official, Region, Role, Topic, User

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credential
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - published demo credential
LANGUAGES = ("kk", "ru", "en")

# (kk, ru, en)
Tri = tuple[str, str, str]


def _tri(field: str, values: Tri) -> dict[str, str]:
    """``{"<field>_kk": ..., "<field>_ru": ..., "<field>_en": ...}``."""
    return {f"{field}_{code}": value for code, value in zip(LANGUAGES, values, strict=True)}


# --------------------------------------------------------------------------- topics

TOPICS: dict[str, Tri] = {
    "healthcare": ("Денсаулық сақтау", "Здравоохранение", "Healthcare"),
    "education": ("Білім беру", "Образование", "Education"),
    "housing": ("Тұрғын үй", "Жильё", "Housing"),
    "roads-transport": ("Жолдар және көлік", "Дороги и транспорт", "Roads and transport"),
    "utilities": ("Коммуналдық қызметтер", "Коммунальные услуги", "Utilities"),
    "social-protection": ("Әлеуметтік қорғау", "Социальная защита", "Social protection"),
    "ecology": (
        "Экология және қоршаған орта",
        "Экология и окружающая среда",
        "Ecology and environment",
    ),
    "land": ("Жер қатынастары", "Земельные отношения", "Land relations"),
    "public-safety": ("Қоғамдық қауіпсіздік", "Общественная безопасность", "Public safety"),
    "legislation": ("Заңнама", "Законодательство", "Legislation"),
}

PARLIAMENT_TOPICS = ("legislation",)
REGIONAL_TOPICS = (
    "housing",
    "roads-transport",
    "utilities",
    "land",
    "ecology",
    "social-protection",
    "public-safety",
)
CITY_TOPICS = ("housing", "roads-transport", "utilities", "land", "ecology", "social-protection")
DISTRICT_TOPICS = ("housing", "roads-transport", "utilities", "land")


# --------------------------------------------------------------------------- agencies


@dataclass(frozen=True)
class AgencySeed:
    slug: str
    kind: Agency.Kind
    parent: str | None
    region: str | None
    names: Tri
    descriptions: Tri
    topics: tuple[str, ...]
    website: str = ""


# Parents come before their children.
AGENCIES: tuple[AgencySeed, ...] = (
    AgencySeed(
        slug="parliament",
        kind=Agency.Kind.PARLIAMENT,
        parent=None,
        region=None,
        names=(
            "Қазақстан Республикасының Парламенті",
            "Парламент Республики Казахстан",
            "Parliament of the Republic of Kazakhstan",
        ),
        descriptions=(
            "Қазақстан Республикасының заң шығару қызметін жүзеге асыратын ең жоғары өкілді "
            "органы. Екі палатадан тұрады: Мәжіліс және Сенат.",
            "Высший представительный орган Республики Казахстан, осуществляющий "
            "законодательные функции. Состоит из двух палат: Мажилиса и Сената.",
            "The highest representative body of the Republic of Kazakhstan, exercising "
            "legislative power. It has two chambers: the Mazhilis and the Senate.",
        ),
        topics=PARLIAMENT_TOPICS,
        website="https://www.parlam.kz",
    ),
    AgencySeed(
        slug="mazhilis",
        kind=Agency.Kind.CHAMBER,
        parent="parliament",
        region=None,
        names=(
            "Қазақстан Республикасы Парламентінің Мәжілісі",
            "Мажилис Парламента Республики Казахстан",
            "Mazhilis of the Parliament of the Republic of Kazakhstan",
        ),
        descriptions=(
            "Парламенттің төменгі палатасы. Мәжіліс депутаттары заң жобаларын қарайды және "
            "сайлаушылардың өтініштерін қабылдайды.",
            "Нижняя палата Парламента. Депутаты Мажилиса рассматривают законопроекты и "
            "принимают обращения избирателей.",
            "The lower chamber of Parliament. Members of the Mazhilis consider draft laws and "
            "receive appeals from voters.",
        ),
        topics=PARLIAMENT_TOPICS,
        website="https://www.parlam.kz",
    ),
    AgencySeed(
        slug="senate",
        kind=Agency.Kind.CHAMBER,
        parent="parliament",
        region=None,
        names=(
            "Қазақстан Республикасы Парламентінің Сенаты",
            "Сенат Парламента Республики Казахстан",
            "Senate of the Parliament of the Republic of Kazakhstan",
        ),
        descriptions=(
            "Парламенттің жоғарғы палатасы. Сенат депутаттары облыстарды, республикалық "
            "маңызы бар қалаларды және астананы білдіреді.",
            "Верхняя палата Парламента. Депутаты Сената представляют области, города "
            "республиканского значения и столицу.",
            "The upper chamber of Parliament. Senators represent the regions, the cities of "
            "republican significance and the capital.",
        ),
        topics=PARLIAMENT_TOPICS,
        website="https://www.parlam.kz",
    ),
    AgencySeed(
        slug="ministry-of-health",
        kind=Agency.Kind.MINISTRY,
        parent=None,
        region=None,
        names=(
            "Қазақстан Республикасының Денсаулық сақтау министрлігі",
            "Министерство здравоохранения Республики Казахстан",
            "Ministry of Health of the Republic of Kazakhstan",
        ),
        descriptions=(
            "Денсаулық сақтау саласындағы мемлекеттік саясатты әзірлейтін және іске асыратын "
            "орталық атқарушы орган: медициналық көмек, дәрі-дәрмекпен қамтамасыз ету, "
            "санитариялық-эпидемиологиялық саламаттылық.",
            "Центральный исполнительный орган, разрабатывающий и реализующий государственную "
            "политику в области здравоохранения: медицинская помощь, лекарственное "
            "обеспечение, санитарно-эпидемиологическое благополучие.",
            "The central executive body that shapes and carries out state policy on "
            "healthcare: medical care, access to medicines, and sanitary and epidemiological "
            "safety.",
        ),
        topics=("healthcare",),
        website="https://www.gov.kz/memleket/entities/dsm",
    ),
    AgencySeed(
        slug="ministry-of-education",
        kind=Agency.Kind.MINISTRY,
        parent=None,
        region=None,
        names=(
            "Қазақстан Республикасының Оқу-ағарту министрлігі",
            "Министерство просвещения Республики Казахстан",
            "Ministry of Education of the Republic of Kazakhstan",
        ),
        descriptions=(
            "Мектепке дейінгі тәрбие, орта, техникалық және кәсіптік білім беру және "
            "балалардың құқықтарын қорғау саласындағы орталық атқарушы орган.",
            "Центральный исполнительный орган в сфере дошкольного воспитания, среднего, "
            "технического и профессионального образования и защиты прав детей.",
            "The central executive body for preschool, secondary, technical and vocational "
            "education and the protection of children's rights.",
        ),
        topics=("education",),
        website="https://www.gov.kz/memleket/entities/edu",
    ),
    # Almaty: a city of republican significance, so its akimat is at the regional level.
    AgencySeed(
        slug="almaty-akimat",
        kind=Agency.Kind.REGIONAL_AKIMAT,
        parent=None,
        region="almaty",
        names=("Алматы қаласының әкімдігі", "Акимат города Алматы", "Akimat of Almaty"),
        descriptions=(
            "Алматы қаласының жергілікті атқарушы органы: қала шаруашылығы, қоғамдық көлік, "
            "тұрғын үй және коммуналдық қызметтер, жер қатынастары. Халыққа қызмет көрсету "
            "орталықтарында азаматтардың өтініштерін қабылдайды.",
            "Местный исполнительный орган города Алматы: городское хозяйство, общественный "
            "транспорт, жильё и коммунальные услуги, земельные отношения. Принимает "
            "обращения граждан в центрах обслуживания населения.",
            "The local executive body of Almaty: city services, public transport, housing "
            "and utilities, land relations. It also takes appeals in person at public "
            "service centres.",
        ),
        topics=REGIONAL_TOPICS,
    ),
    AgencySeed(
        slug="bostandyk-akimat",
        kind=Agency.Kind.DISTRICT_AKIMAT,
        parent="almaty-akimat",
        region="almaty",
        names=(
            "Алматы қаласы Бостандық ауданының әкімдігі",
            "Акимат Бостандыкского района города Алматы",
            "Akimat of Bostandyk District, Almaty",
        ),
        descriptions=(
            "Алматы қаласы Бостандық ауданының жергілікті атқарушы органы: аулаларды "
            "абаттандыру, аудандық жолдар, тұрғындарды қабылдау.",
            "Местный исполнительный орган Бостандыкского района города Алматы: "
            "благоустройство дворов, районные дороги, приём жителей.",
            "The local executive body of Bostandyk District, Almaty: courtyard improvement, "
            "local roads, receiving residents.",
        ),
        topics=DISTRICT_TOPICS,
    ),
    AgencySeed(
        slug="medeu-akimat",
        kind=Agency.Kind.DISTRICT_AKIMAT,
        parent="almaty-akimat",
        region="almaty",
        names=(
            "Алматы қаласы Медеу ауданының әкімдігі",
            "Акимат Медеуского района города Алматы",
            "Akimat of Medeu District, Almaty",
        ),
        descriptions=(
            "Алматы қаласы Медеу ауданының жергілікті атқарушы органы: тау бөктеріндегі "
            "шағын аудандар, аулаларды абаттандыру, аудандық жолдар.",
            "Местный исполнительный орган Медеуского района города Алматы: предгорные "
            "микрорайоны, благоустройство дворов, районные дороги.",
            "The local executive body of Medeu District, Almaty: the foothill neighbourhoods, "
            "courtyard improvement, local roads.",
        ),
        topics=DISTRICT_TOPICS,
    ),
    AgencySeed(
        slug="karaganda-region-akimat",
        kind=Agency.Kind.REGIONAL_AKIMAT,
        parent=None,
        region="karaganda",
        names=(
            "Қарағанды облысының әкімдігі",
            "Акимат Карагандинской области",
            "Akimat of Karaganda Region",
        ),
        descriptions=(
            "Қарағанды облысының жергілікті атқарушы органы. Облыстың қалалары мен "
            "аудандарының әкімдіктеріне жетекшілік етеді.",
            "Местный исполнительный орган Карагандинской области. Руководит акиматами "
            "городов и районов области.",
            "The local executive body of Karaganda Region, over the akimats of the region's "
            "cities and districts.",
        ),
        topics=REGIONAL_TOPICS,
    ),
    AgencySeed(
        slug="karaganda-city-akimat",
        kind=Agency.Kind.CITY_AKIMAT,
        parent="karaganda-region-akimat",
        region="karaganda",
        names=("Қарағанды қаласының әкімдігі", "Акимат города Караганды", "Akimat of Karaganda"),
        descriptions=(
            "Қарағанды қаласының жергілікті атқарушы органы: қала шаруашылығы, қоғамдық "
            "көлік, жылумен және сумен жабдықтау.",
            "Местный исполнительный орган города Караганды: городское хозяйство, "
            "общественный транспорт, тепло- и водоснабжение.",
            "The local executive body of the city of Karaganda: city services, public "
            "transport, heating and water supply.",
        ),
        topics=CITY_TOPICS,
    ),
    AgencySeed(
        slug="bokeikhan-district-akimat",
        kind=Agency.Kind.DISTRICT_AKIMAT,
        parent="karaganda-city-akimat",
        region="karaganda",
        names=(
            "Қарағанды қаласы Әлихан Бөкейхан ауданының әкімдігі",
            "Акимат района имени Алихана Бокейхана города Караганды",
            "Akimat of Alikhan Bokeikhan District, Karaganda",
        ),
        descriptions=(
            "Қарағанды қаласы Әлихан Бөкейхан ауданының жергілікті атқарушы органы: "
            "аулаларды абаттандыру, аудандық жолдар, тұрғындарды қабылдау.",
            "Местный исполнительный орган района имени Алихана Бокейхана города Караганды: "
            "благоустройство дворов, районные дороги, приём жителей.",
            "The local executive body of Alikhan Bokeikhan District in Karaganda: courtyard "
            "improvement, local roads, receiving residents.",
        ),
        topics=DISTRICT_TOPICS,
    ),
    AgencySeed(
        slug="temirtau-akimat",
        kind=Agency.Kind.CITY_AKIMAT,
        parent="karaganda-region-akimat",
        region="karaganda",
        names=("Теміртау қаласының әкімдігі", "Акимат города Темиртау", "Akimat of Temirtau"),
        descriptions=(
            "Теміртау қаласының жергілікті атқарушы органы: қала шаруашылығы, ауа сапасы, "
            "тұрғын үй және коммуналдық қызметтер.",
            "Местный исполнительный орган города Темиртау: городское хозяйство, качество "
            "воздуха, жильё и коммунальные услуги.",
            "The local executive body of the city of Temirtau: city services, air quality, "
            "housing and utilities.",
        ),
        topics=CITY_TOPICS,
    ),
    AgencySeed(
        slug="bukhar-zhyrau-akimat",
        kind=Agency.Kind.DISTRICT_AKIMAT,
        parent="karaganda-region-akimat",
        region="karaganda",
        names=(
            "Қарағанды облысы Бұқар жырау ауданының әкімдігі",
            "Акимат района Бухар-Жырау Карагандинской области",
            "Akimat of Bukhar-Zhyrau District, Karaganda Region",
        ),
        descriptions=(
            "Бұқар жырау ауданының жергілікті атқарушы органы: ауылдық елді мекендер, жер "
            "қатынастары, аудандық жолдар.",
            "Местный исполнительный орган района Бухар-Жырау: сельские населённые пункты, "
            "земельные отношения, районные дороги.",
            "The local executive body of Bukhar-Zhyrau District: rural settlements, land "
            "relations, local roads.",
        ),
        topics=DISTRICT_TOPICS,
    ),
    AgencySeed(
        slug="turkistan-region-akimat",
        kind=Agency.Kind.REGIONAL_AKIMAT,
        parent=None,
        region="turkistan",
        names=(
            "Түркістан облысының әкімдігі",
            "Акимат Туркестанской области",
            "Akimat of Turkistan Region",
        ),
        descriptions=(
            "Түркістан облысының жергілікті атқарушы органы. Облыс орталығы — Түркістан қаласы.",
            "Местный исполнительный орган Туркестанской области. Областной центр — город "
            "Туркестан.",
            "The local executive body of Turkistan Region, whose centre is the city of Turkistan.",
        ),
        topics=REGIONAL_TOPICS,
    ),
    AgencySeed(
        slug="turkistan-city-akimat",
        kind=Agency.Kind.CITY_AKIMAT,
        parent="turkistan-region-akimat",
        region="turkistan",
        names=("Түркістан қаласының әкімдігі", "Акимат города Туркестан", "Akimat of Turkistan"),
        descriptions=(
            "Түркістан қаласының жергілікті атқарушы органы: қала құрылысы, туризм "
            "инфрақұрылымы, коммуналдық қызметтер.",
            "Местный исполнительный орган города Туркестан: градостроительство, "
            "туристическая инфраструктура, коммунальные услуги.",
            "The local executive body of the city of Turkistan: urban development, tourism "
            "infrastructure, utilities.",
        ),
        topics=CITY_TOPICS,
    ),
    AgencySeed(
        slug="sairam-akimat",
        kind=Agency.Kind.DISTRICT_AKIMAT,
        parent="turkistan-region-akimat",
        region="turkistan",
        names=(
            "Түркістан облысы Сайрам ауданының әкімдігі",
            "Акимат Сайрамского района Туркестанской области",
            "Akimat of Sairam District, Turkistan Region",
        ),
        descriptions=(
            "Сайрам ауданының жергілікті атқарушы органы: ауыл шаруашылығы жерлері, суармалы "
            "су, аудандық жолдар.",
            "Местный исполнительный орган Сайрамского района: сельскохозяйственные угодья, "
            "поливная вода, районные дороги.",
            "The local executive body of Sairam District: farmland, irrigation water, local roads.",
        ),
        topics=DISTRICT_TOPICS,
    ),
)


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class OfficialSeed:
    email: str
    slug: str
    agency: str
    is_head: bool
    language: str
    region: str | None
    names: Tri
    positions: Tri
    bios: Tri


@dataclass(frozen=True)
class StaffSeed:
    email: str
    role: Role
    agency: str | None
    display_name: str
    real_name: str
    language: str
    region: str | None


@dataclass(frozen=True)
class CitizenSeed:
    email: str
    display_name: str
    real_name: str
    language: str
    region: str
    iin: str | None = None


_MAZHILIS_MEMBER: Tri = ("Мәжіліс депутаты", "Депутат Мажилиса", "Member of the Mazhilis")

OFFICIALS: tuple[OfficialSeed, ...] = (
    OfficialSeed(
        email="mazhilis.chair@demo.kz",
        slug="nurlan-abdikadyrov",
        agency="mazhilis",
        is_head=True,
        language="kk",
        region="astana",
        names=("Нұрлан Әбдіқадыров", "Нурлан Абдикадыров", "Nurlan Abdikadyrov"),
        positions=("Мәжіліс Төрағасы", "Председатель Мажилиса", "Chair of the Mazhilis"),
        bios=(
            "Заңгер, заң ғылымдарының кандидаты. Мәжіліс депутаты болып үшінші рет сайланды.",
            "Юрист, кандидат юридических наук. Избран депутатом Мажилиса в третий раз.",
            "Lawyer with a doctorate in law, elected to the Mazhilis for the third time.",
        ),
    ),
    OfficialSeed(
        email="mazhilis.deputy1@demo.kz",
        slug="aigerim-seitova",
        agency="mazhilis",
        is_head=False,
        language="kk",
        region="almaty",
        names=("Әйгерім Сейітова", "Айгерим Сеитова", "Aigerim Seitova"),
        positions=_MAZHILIS_MEMBER,
        bios=(
            "Педагог, бұрын Алматыдағы мектептің директоры болған. Әлеуметтік-мәдени даму "
            "комитетінің мүшесі.",
            "Педагог, бывший директор школы в Алматы. Член Комитета по социально-культурному "
            "развитию.",
            "Teacher and former school principal in Almaty. Member of the Committee on Social "
            "and Cultural Development.",
        ),
    ),
    OfficialSeed(
        email="mazhilis.deputy2@demo.kz",
        slug="kairat-omarov",
        agency="mazhilis",
        is_head=False,
        language="ru",
        region="karaganda",
        names=("Қайрат Омаров", "Кайрат Омаров", "Kairat Omarov"),
        positions=_MAZHILIS_MEMBER,
        bios=(
            "Құрылысшы инженер, Қарағанды облысынан сайланған. Экономикалық реформа және "
            "өңірлік даму комитетінің мүшесі.",
            "Инженер-строитель, избран от Карагандинской области. Член Комитета по "
            "экономической реформе и региональному развитию.",
            "Civil engineer elected from Karaganda Region. Member of the Committee on "
            "Economic Reform and Regional Development.",
        ),
    ),
    OfficialSeed(
        email="senate.chair@demo.kz",
        slug="serik-bekmukhambetov",
        agency="senate",
        is_head=True,
        language="kk",
        region="astana",
        names=("Серік Бекмұхамбетов", "Серик Бекмухамбетов", "Serik Bekmukhambetov"),
        positions=("Сенат Төрағасы", "Председатель Сената", "Chair of the Senate"),
        bios=(
            "Экономист, мемлекеттік қызметте 25 жылдан астам жұмыс істейді.",
            "Экономист, более 25 лет на государственной службе.",
            "Economist with more than 25 years in public service.",
        ),
    ),
    OfficialSeed(
        email="senate.deputy1@demo.kz",
        slug="gulnar-zhakypova",
        agency="senate",
        is_head=False,
        language="kk",
        region="turkistan",
        names=("Гүлнар Жақыпова", "Гульнар Жакыпова", "Gulnar Zhakypova"),
        positions=("Сенат депутаты", "Депутат Сената", "Senator"),
        bios=(
            "Дәрігер, Түркістан облысын білдіреді. Әлеуметтік-мәдени даму және ғылым "
            "комитетінің мүшесі.",
            "Врач, представляет Туркестанскую область. Член Комитета по социально-культурному "
            "развитию и науке.",
            "Physician representing Turkistan Region. Member of the Committee on Social and "
            "Cultural Development and Science.",
        ),
    ),
    OfficialSeed(
        email="minister.health@demo.kz",
        slug="dinara-kassymova",
        agency="ministry-of-health",
        is_head=True,
        language="ru",
        region="astana",
        names=("Динара Қасымова", "Динара Касымова", "Dinara Kassymova"),
        positions=(
            "Қазақстан Республикасының Денсаулық сақтау министрі",
            "Министр здравоохранения Республики Казахстан",
            "Minister of Health of the Republic of Kazakhstan",
        ),
        bios=(
            "Эпидемиолог дәрігер, бұрын облыстық денсаулық сақтау басқармасын басқарған.",
            "Врач-эпидемиолог, ранее руководила областным управлением здравоохранения.",
            "Epidemiologist who previously headed a regional health department.",
        ),
    ),
    OfficialSeed(
        email="minister.education@demo.kz",
        slug="askar-mukanov",
        agency="ministry-of-education",
        is_head=True,
        language="kk",
        region="astana",
        names=("Асқар Мұқанов", "Аскар Муканов", "Askar Mukanov"),
        positions=(
            "Қазақстан Республикасының Оқу-ағарту министрі",
            "Министр просвещения Республики Казахстан",
            "Minister of Education of the Republic of Kazakhstan",
        ),
        bios=(
            "Математика пәнінің мұғалімі болып бастаған, кейін университет ректоры болған.",
            "Начинал учителем математики, затем был ректором университета.",
            "Started as a mathematics teacher and later served as a university rector.",
        ),
    ),
    OfficialSeed(
        email="akim.almaty@demo.kz",
        slug="bakhytzhan-ospanov",
        agency="almaty-akimat",
        is_head=True,
        language="ru",
        region="almaty",
        names=("Бақытжан Оспанов", "Бахытжан Оспанов", "Bakhytzhan Ospanov"),
        positions=("Алматы қаласының әкімі", "Аким города Алматы", "Akim of Almaty"),
        bios=(
            "Қала құрылысы маманы, бұрын Алматы қаласы әкімінің орынбасары болған.",
            "Специалист по градостроительству, ранее заместитель акима города Алматы.",
            "Urban planner, formerly deputy akim of Almaty.",
        ),
    ),
    OfficialSeed(
        email="akim.karaganda-region@demo.kz",
        slug="talgat-yermekov",
        agency="karaganda-region-akimat",
        is_head=True,
        language="ru",
        region="karaganda",
        names=("Талғат Ермеков", "Талгат Ермеков", "Talgat Yermekov"),
        positions=(
            "Қарағанды облысының әкімі",
            "Аким Карагандинской области",
            "Akim of Karaganda Region",
        ),
        bios=(
            "Тау-кен инженері, өнеркәсіпте және жергілікті басқаруда жұмыс істеген.",
            "Горный инженер, работал в промышленности и местном управлении.",
            "Mining engineer with a career in industry and local government.",
        ),
    ),
    OfficialSeed(
        email="akim.turkistan-region@demo.kz",
        slug="galymzhan-tursynbayev",
        agency="turkistan-region-akimat",
        is_head=True,
        language="kk",
        region="turkistan",
        names=("Ғалымжан Тұрсынбаев", "Галымжан Турсынбаев", "Galymzhan Tursynbayev"),
        positions=(
            "Түркістан облысының әкімі",
            "Аким Туркестанской области",
            "Akim of Turkistan Region",
        ),
        bios=(
            "Аграрлық экономист, бұрын Сайрам ауданының әкімі болған.",
            "Экономист-аграрий, ранее аким Сайрамского района.",
            "Agricultural economist, formerly akim of Sairam District.",
        ),
    ),
    OfficialSeed(
        email="akim.karaganda-city@demo.kz",
        slug="meirambek-akhmetov",
        agency="karaganda-city-akimat",
        is_head=True,
        language="ru",
        region="karaganda",
        names=("Мейрамбек Ахметов", "Мейрамбек Ахметов", "Meirambek Akhmetov"),
        positions=("Қарағанды қаласының әкімі", "Аким города Караганды", "Akim of Karaganda"),
        bios=(
            "Энергетик, қаланың жылу желілерін жаңғырту бағдарламасын басқарған.",
            "Энергетик, руководил программой модернизации тепловых сетей города.",
            "Power engineer who led the city's heating network upgrade programme.",
        ),
    ),
    OfficialSeed(
        email="akim.bostandyk@demo.kz",
        slug="zhanar-nurgaliyeva",
        agency="bostandyk-akimat",
        is_head=True,
        language="kk",
        region="almaty",
        names=("Жанар Нұрғалиева", "Жанар Нургалиева", "Zhanar Nurgaliyeva"),
        positions=(
            "Алматы қаласы Бостандық ауданының әкімі",
            "Аким Бостандыкского района города Алматы",
            "Akim of Bostandyk District, Almaty",
        ),
        bios=(
            "Экономист, бұрын аудандық тұрғын үй-коммуналдық шаруашылық бөлімін басқарған.",
            "Экономист, ранее руководила районным отделом жилищно-коммунального хозяйства.",
            "Economist who previously ran the district housing and utilities department.",
        ),
    ),
    OfficialSeed(
        email="akim.turkistan-city@demo.kz",
        slug="murat-issayev",
        agency="turkistan-city-akimat",
        is_head=True,
        language="kk",
        region="turkistan",
        names=("Мұрат Исаев", "Мурат Исаев", "Murat Issayev"),
        positions=("Түркістан қаласының әкімі", "Аким города Туркестан", "Akim of Turkistan"),
        bios=(
            "Сәулетші, қаланың тарихи орталығын қалпына келтіру жобаларына жетекшілік еткен.",
            "Архитектор, руководил проектами реставрации исторического центра города.",
            "Architect who led the restoration projects in the city's historic centre.",
        ),
    ),
)

STAFF: tuple[StaffSeed, ...] = (
    StaffSeed(
        email="moderator@demo.kz",
        role=Role.MODERATOR,
        agency=None,
        display_name="Мадина (модератор)",
        real_name="Мадина Ержанова",
        language="ru",
        region="astana",
    ),
    StaffSeed(
        email="operator@demo.kz",
        role=Role.OPERATOR,
        agency="almaty-akimat",
        display_name="Ержан, ХҚКО операторы",
        real_name="Ержан Қалиев",
        language="kk",
        region="almaty",
    ),
    StaffSeed(
        email="delegate.almaty@demo.kz",
        role=Role.DELEGATE,
        agency="almaty-akimat",
        display_name="Алия Тоқтарова",
        real_name="Алия Тоқтарова",
        language="kk",
        region="almaty",
    ),
    StaffSeed(
        email="delegate.mazhilis@demo.kz",
        role=Role.DELEGATE,
        agency="mazhilis",
        display_name="Данияр Бекенов",
        real_name="Данияр Бекенов",
        language="ru",
        region="astana",
    ),
)

CITIZENS: tuple[CitizenSeed, ...] = (
    CitizenSeed(
        email="citizen1@demo.kz",
        display_name="Әсел",
        real_name="Әсел Жанабаева",
        language="kk",
        region="almaty",
        iin=make_iin(dt.date(1990, 3, 14), female=True, serial=1234),
    ),
    CitizenSeed(
        email="citizen2@demo.kz",
        display_name="Дмитрий К.",
        real_name="Дмитрий Ковалёв",
        language="ru",
        region="karaganda",
        iin=make_iin(dt.date(1985, 11, 2), female=False, serial=4321),
    ),
    CitizenSeed(
        email="citizen3@demo.kz",
        display_name="Arman Z.",
        real_name="Arman Zhaksylykov",
        language="en",
        region="astana",
    ),
    CitizenSeed(
        email="citizen4@demo.kz",
        display_name="Гүлмира",
        real_name="Гүлмира Әбенова",
        language="kk",
        region="turkistan",
    ),
    CitizenSeed(
        email="citizen5@demo.kz",
        display_name="Ольга Ким",
        real_name="Ольга Ким",
        language="ru",
        region="karaganda",
    ),
)

ADMIN_EMAIL = "admin@demo.kz"


# --------------------------------------------------------------------------- the command


class Command(BaseCommand):
    help = (
        "Load demo data (agencies, topics, officials, staff, citizens). Idempotent; every "
        f"account's password is {DEMO_PASSWORD!r}, staff TOTP secret {DEMO_TOTP_SECRET}."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity: int = options["verbosity"]
        with transaction.atomic():
            regions = self._regions()
            topics = self._topics()
            agencies = self._agencies(regions, topics)
            logins = self._people(regions, agencies)
            from reception.demo import seed_appeals, seed_history, seed_live_sessions

            appeals = seed_appeals()
            appeals += seed_history()  # months of it, for the transparency trends
            live = seed_live_sessions()
            from forums.demo import seed_forums
            from participation.petition_demo import seed_petitions

            forums = seed_forums()
            petitions = seed_petitions()
        if verbosity >= 1:
            self.stdout.write(f"Demo appeals created: {appeals}\n")
            self.stdout.write(f"Demo live sessions created: {live}\n")
            self.stdout.write(f"Demo forum threads and draft laws created: {forums}\n")
            self.stdout.write(f"Demo petitions created: {petitions}\n")
            self._print_logins(logins)
        if verbosity >= 2:
            self._print_recovery_codes([email for email, _role, _agency in logins])

    # ------------------------------------------------------------------ data

    def _regions(self) -> dict[str, Region]:
        regions = {region.slug: region for region in Region.objects.all()}
        wanted = {agency.region for agency in AGENCIES if agency.region}
        people: tuple[OfficialSeed | StaffSeed | CitizenSeed, ...] = (*OFFICIALS, *STAFF, *CITIZENS)
        wanted |= {person.region for person in people if person.region}
        missing = wanted - set(regions)
        if missing:
            raise CommandError(
                f"regions {sorted(missing)} are missing: run `manage.py migrate` first"
            )
        return regions

    def _topics(self) -> dict[str, Topic]:
        topics = {}
        for slug, names in TOPICS.items():
            topic, _created = Topic.objects.update_or_create(
                slug=slug, defaults=_tri("name", names)
            )
            topics[slug] = topic
        return topics

    def _agencies(self, regions: dict[str, Region], topics: dict[str, Topic]) -> dict[str, Agency]:
        agencies: dict[str, Agency] = {}
        for seed in AGENCIES:
            agency, _created = Agency.objects.update_or_create(
                slug=seed.slug,
                defaults={
                    "kind": seed.kind,
                    "parent": agencies[seed.parent] if seed.parent else None,
                    "region": regions[seed.region] if seed.region else None,
                    "website": seed.website,
                    **_tri("name", seed.names),
                    **_tri("description", seed.descriptions),
                },
            )
            agency.topics.set([topics[slug] for slug in seed.topics])
            agencies[seed.slug] = agency
        return agencies

    def _people(
        self, regions: dict[str, Region], agencies: dict[str, Agency]
    ) -> list[tuple[str, str, str]]:
        """Create every account; returns the login table rows (e-mail, role, agency)."""
        logins: list[tuple[str, str, str]] = []

        admin = _account(
            ADMIN_EMAIL,
            display_name="Әкімші",
            real_name="Demo Administrator",
            preferred_language="en",
            region=regions["astana"],
            is_staff=True,
            is_superuser=True,
        )
        _enrol_mfa(admin)
        logins.append((admin.email, "admin", "—"))

        for staff in STAFF:
            user = _account(
                staff.email,
                display_name=staff.display_name,
                real_name=staff.real_name,
                preferred_language=staff.language,
                region=regions[staff.region] if staff.region else None,
            )
            agency = agencies[staff.agency] if staff.agency else None
            do_grant_role(user, role=staff.role, agency=agency)
            _enrol_mfa(user)
            logins.append((user.email, str(staff.role), staff.agency or "— (whole platform)"))

        for seed in OFFICIALS:
            language_index = LANGUAGES.index(seed.language)
            user = _account(
                seed.email,
                display_name=seed.names[language_index],
                real_name=seed.names[language_index],
                preferred_language=seed.language,
                region=regions[seed.region] if seed.region else None,
            )
            agency = agencies[seed.agency]
            Official.objects.update_or_create(
                slug=seed.slug,
                defaults={
                    "user": user,
                    "agency": agency,
                    "is_head": seed.is_head,
                    **_tri("name", seed.names),
                    **_tri("position", seed.positions),
                    **_tri("bio", seed.bios),
                },
            )
            do_grant_role(user, role=Role.OFFICIAL, agency=agency)
            _enrol_mfa(user)
            head = " (head)" if seed.is_head else ""
            logins.append((user.email, str(Role.OFFICIAL), f"{seed.agency}{head}"))

        for citizen in CITIZENS:
            user = _account(
                citizen.email,
                display_name=citizen.display_name,
                real_name=citizen.real_name,
                preferred_language=citizen.language,
                region=regions[citizen.region],
                iin=citizen.iin,
            )
            logins.append((user.email, "citizen", "—"))

        return logins

    # ------------------------------------------------------------------ output

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        header = ("e-mail", "role", "agency")
        widths = tuple(max(len(row[i]) for row in (header, *logins)) for i in range(3))
        rule = " ".join("=" * width for width in widths)
        lines = [rule, _row(header, widths), rule]
        lines += [_row(login, widths) for login in logins]
        lines.append(rule)
        self.stdout.write("Demo logins:\n")
        self.stdout.write("\n".join(lines))
        self.stdout.write(
            f"\nPassword for every account: {DEMO_PASSWORD}\n"
            f"TOTP secret for every role holder and the admin: {DEMO_TOTP_SECRET}\n"
            f"Agencies: {Agency.objects.count()}, topics: {Topic.objects.count()}, "
            f"officials: {Official.objects.count()}, accounts: {User.objects.count()}"
        )

    def _print_recovery_codes(self, emails: list[str]) -> None:
        self.stdout.write("\nRecovery codes (unused):")
        authenticators = Authenticator.objects.filter(
            user__email__in=emails, type=Authenticator.Type.RECOVERY_CODES
        ).select_related("user")
        for authenticator in authenticators.order_by("user__email"):
            codes = RecoveryCodes(authenticator).get_unused_codes()
            self.stdout.write(f"{authenticator.user.email}: {' '.join(codes)}")


def _row(cells: tuple[str, str, str], widths: tuple[int, ...]) -> str:
    return " ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _account(email: str, **fields: Any) -> User:
    """The demo account for ``email``, created or brought back to its demo state."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, **fields)
    else:
        for field, value in fields.items():
            setattr(user, field, value)
        user.is_active = True
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _enrol_mfa(user: User) -> None:
    """Give a role holder the demo TOTP authenticator and recovery codes, unless they have some."""
    enrolled = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    if Authenticator.Type.TOTP not in enrolled:
        TOTP.activate(user, DEMO_TOTP_SECRET)
    if Authenticator.Type.RECOVERY_CODES not in enrolled:
        RecoveryCodes.activate(user)
