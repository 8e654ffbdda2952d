"""Demo petitions for ``seed_demo``: one in each state, signed across the regions.

Idempotent: a petition is created only if no petition has its title, and the
demo signer accounts (``signer0001@demo.kz`` … ``signer1600@demo.kz``, password as
every demo account) only if missing. ``signer1001``–``signer1005`` wrote the demo
petitions; ``signer1100``–``signer1500`` are never used by the demo (free for
journeys that need a fresh citizen). Everything
goes through the real actions (moderation pipeline, supporters, signing, the
tally, the response). The demo's thresholds are lowered (500 for a city, 800
for a region, 1,500 for the republic) so that every state shows with a few
thousand demo accounts; real petitions use the settings.
"""

from __future__ import annotations

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.utils import timezone

from moderation.actions import do_decide
from moderation.models import ModerationItem, Reason, State
from participation import petition_actions as actions
from participation.models import Agency, Official, Region, User
from participation.petition_models import Petition, PetitionDecision

DEMO_THRESHOLDS = {"republic": 1500, "region": 800, "city": 500}
SIGNERS = 1600

# The authors are demo signer accounts, not citizen1–5@demo.kz: published petitions
# would make those trusted, and the journeys rely on their first texts being held.
# author, agency slug, title, text, target state, signatures, regions (slug: weight)
DEMO_PETITIONS = [
    ("signer1001@demo.kz", "almaty-akimat", "Алматыда веложолдар желісін кеңейту",
     "Абай даңғылы мен Әл-Фараби даңғылының бойында бөлінген велосипед жолдарын салуды "
     "сұраймыз. Бұл кептелісті азайтып, ауаны тазартады.",
     "open", 430, {"almaty": 8, "almaty-region": 2, "astana": 1}),
    ("signer1002@demo.kz", "bostandyk-akimat", "Жаңа мектеп салу — Бостандық ауданы",
     "В микрорайоне Орбита школы переполнены: занятия идут в три смены. Просим построить "
     "новую школу на 1200 мест.",
     "consideration", 560, {"almaty": 10, "almaty-region": 1}),
    ("signer1003@demo.kz", "karaganda-city-akimat",
     "Қарағандыда қоғамдық көлік аялдамаларын жылыту",
     "Қыста аялдамаларда −30° аязда күту қиын. Жылытылатын павильондар орнатуды сұраймыз.",
     "responded", 520, {"karaganda": 9, "ulytau": 1}),
    ("signer1004@demo.kz", "ministry-of-health", "Сельские фельдшерские пункты в каждом ауле",
     "В сёлах с населением до 500 человек нет медицинской помощи ближе 40 км. Просим "
     "открыть фельдшерско-акушерские пункты.",
     "open", 640, {"turkistan": 4, "zhambyl": 3, "kyzylorda": 2, "abai": 1, "akmola": 1,
                   "kostanay": 1, "east-kazakhstan": 1, "shymkent": 2}),
    ("signer1005@demo.kz", "turkistan-city-akimat", "Түркістанда саябақтарды суару жүйесі",
     "Саябақтардағы ағаштар жазда құрғап қалады. Тамшылатып суару жүйесін орнатуды сұраймыз.",
     "collecting", 0, {}),
    ("signer1001@demo.kz", "karaganda-region-akimat", "Дорога Караганда — Темиртау: освещение",
     "На трассе Караганда — Темиртау нет освещения, ночью часты аварии. Просим установить "
     "фонари.",
     "moderation", 0, {}),
    ("signer1002@demo.kz", "almaty-akimat", "Көк-Төбеге екінші аспалы жол",
     "Көк-Төбеге баратын аспалы жолда кезек үлкен. Екінші желіні салуды сұраймыз.",
     "expired", 140, {"almaty": 1}),
    ("signer1003@demo.kz", "ministry-of-education", "Отменить все экзамены навсегда",
     "Экзамены не нужны, отмените их.",
     "rejected", 0, {}),
]  # fmt: skip

RESPONSE = (
    "Қарағанды қаласының әкімдігі петицияны қарады. 2026 жылы қаланың 40 аялдамасына "
    "жылытылатын павильон орнатылады; бірінші кезеңде — Бұхар жырау даңғылы мен Ерубаев "
    "көшесіндегі аялдамалар. Жұмыс кестесі қала сайтында жарияланады."
)


def _signers() -> list[User]:
    """The demo signer accounts, verified, created once; like every demo account they
    sign in with the demo password (one hash computed once: hashing 1,600 times is slow)."""
    from participation.management.commands.seed_demo import DEMO_PASSWORD

    wanted = [f"signer{n:04d}@demo.kz" for n in range(1, SIGNERS + 1)]
    password = make_password(DEMO_PASSWORD)
    User.objects.filter(email__in=wanted).update(password=password)
    existing = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    new = User.objects.bulk_create(
        User(email=email, password=password, display_name=f"Азамат {email[6:10]}")
        for email in wanted
        if email not in existing
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in new
    )
    return list(User.objects.filter(email__in=wanted).order_by("email"))


def seed_petitions() -> int:
    moderator = User.objects.get(email="moderator@demo.kz")
    signers = _signers()
    regions = {region.slug: region for region in Region.objects.all()}
    chance = random.Random(7)  # noqa: S311  (the same demo every time; not a secret)
    created = 0
    for email, slug, title, text, target, count, weights in DEMO_PETITIONS:
        if Petition.objects.filter(title=title).exists():
            continue
        author = next(user for user in signers if user.email == email)
        agency = Agency.objects.get(slug=slug)
        with override_settings(PETITION_THRESHOLDS=DEMO_THRESHOLDS):
            petition = actions.do_create_petition(
                author=author, agency=agency, title=title, text=text
            )
        _publish_text(petition, moderator)
        created += 1
        if target == "draft":
            continue
        actions.do_start_collecting(petition, author=author)
        needed = petition.supporters_needed
        supporters = min(12, needed - 1) if target == "collecting" else needed
        for user in signers[len(signers) - supporters :] if supporters > 0 else []:
            actions.do_support(petition, user=user)
        if target in ("collecting", "moderation"):
            continue
        decision = (
            PetitionDecision.UNCLEAR if target == "rejected" else PetitionDecision.MEETS_RULES
        )
        petition.refresh_from_db()
        actions.do_decide_petition(petition, moderator=moderator, decision=decision)
        if target == "rejected":
            continue
        names = list(weights)
        for user in signers[:count]:
            region_slug = chance.choices(names, [weights[n] for n in names])[0]
            region = regions.get(region_slug) if chance.random() < 0.9 else None
            actions.do_sign(petition, user=user, region=region, public=chance.random() < 0.4)
        actions.tally()
        petition.refresh_from_db()
        if target == "responded":
            head = Official.objects.get(agency=agency, is_head=True)
            actions.do_respond(petition, actor=head.user, text=RESPONSE)
        if target == "expired":
            Petition.objects.filter(pk=petition.pk).update(
                closes_at=timezone.now() - timedelta(minutes=1)
            )
            actions.sweep()
    return created


def _publish_text(petition: Petition, moderator: User) -> None:
    item = ModerationItem.objects.get(kind="petition", object_id=petition.pk)
    if item.state == State.HELD:
        do_decide(
            item, moderator=moderator, state=State.PUBLISHED,
            reason=Reason.MEETS_RULES, version=item.version,
        )  # fmt: skip
