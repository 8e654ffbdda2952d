"""Demo forums for ``seed_demo``: categories, threads with nested replies, a draft law.

The citizens who write here are five forum regulars of their own
(``forum.*@demo.kz``, the demo password, e-mail verified), not the demo's
``citizen*@demo.kz``: their published posts make them trusted, and the other
journeys need those citizens new (their first texts wait for a moderator).

Idempotent: categories are keyed on their slugs, threads on their titles, the
draft law on its slug. Everything is written through the real actions
(moderation, paths, notifications); the demo moderator publishes what the
new-account rule holds, as a moderator would.
"""

from __future__ import annotations

from django.db.models import Model

from forums import actions
from forums.models import Category, DraftLaw, Post, Thread
from moderation.actions import do_decide
from moderation.models import ModerationItem, Reason, State
from participation.models import Agency, Topic, User

CATEGORIES = [
    # slug, kind, agency slug, topic slug, kk, ru, en
    ("transport", "topic", None, "roads-transport",
     "Көлік және жолдар", "Транспорт и дороги", "Transport and roads"),
    ("education", "topic", None, "education", "Білім беру", "Образование", "Education"),
    ("ask-the-mazhilis", "agency", "mazhilis", None,
     "Мәжіліс депутаттарына сұрақ", "Вопросы депутатам Мажилиса", "Ask the Mazhilis deputies"),
    ("draft-laws", "draft_law", "mazhilis", "legislation",
     "Заң жобаларын талқылау", "Обсуждение законопроектов", "Draft laws under discussion"),
]  # fmt: skip

# Each thread: category, author, title, opening text, then replies as
# (index of the post answered: 0 is the opening post, 1 the first reply..., author, text).
THREADS = [
    ("transport", "forum.aliya@demo.kz", "Алматыда велосипед жолдары жеткіліксіз",
     "Абай даңғылында велосипед жолы үзіліп қалады. Жолды жалғастыру жоспарланған ба?",
     [(0, "forum.dmitry@demo.kz", "Согласен, на Абая ездить опасно, особенно вечером."),
      (1, "forum.arman@demo.kz", "Evenings are the worst: no lighting on the lane either."),
      (2, "forum.aliya@demo.kz", "Жарық мәселесін әкімдікке де жаздым."),
      (0, "mazhilis.deputy1@demo.kz",
       "Мәселе Мәжілістің көлік комитетінде қаралады. Келесі айда жауап беремін."),
      (4, "forum.dmitry@demo.kz", "Спасибо! Будем ждать."),
      (3, "forum.gulmira@demo.kz", "Ал Сәтбаев көшесінде жарық бар ма?"),
      (6, "forum.arman@demo.kz", "Yes, Satpayev has lights since last autumn.")]),
    ("ask-the-mazhilis", "forum.sergey@demo.kz", "Когда примут закон о самокатах?",
     "Самокаты ездят по тротуарам на большой скорости. Когда появятся правила?",
     [(0, "mazhilis.deputy2@demo.kz",
       "Законопроект о средствах индивидуальной мобильности уже внесён; обсуждайте его "
       "по пунктам в разделе законопроектов."),
      (1, "forum.aliya@demo.kz", "Керемет! Жылдамдық шегі қандай болады?"),
      (2, "forum.sergey@demo.kz", "Надеюсь, не больше 15 км/ч.")]),
    ("education", "forum.gulmira@demo.kz", "Мектептердегі үш ауысымды оқу",
     "Біздің ауданда мектептер үш ауысыммен оқиды. Жаңа мектептер қашан салынады?",
     [(0, "forum.dmitry@demo.kz", "В Туркестане то же самое."),
      (1, "forum.gulmira@demo.kz", "Бұл бүкіл еліміздің мәселесі сияқты.")]),
]  # fmt: skip

BILL_SLUG = "personal-mobility"
BILL_NAMES = {
    "kk": "Жеке ұтқырлық құралдары туралы заң жобасы",
    "ru": "Законопроект о средствах индивидуальной мобильности",
    "en": "Draft law on personal mobility devices",
}
BILL_SUMMARIES = {
    "kk": "Электр самокаттары мен велосипедтерге арналған ережелер.",
    "ru": "Правила для электросамокатов и велосипедов: понятия, скорость, ответственность.",
    "en": "Rules for e-scooters and bicycles: definitions, speed, liability.",
}
BILL_TEXT = """Статья 1. Основные понятия
1. Средство индивидуальной мобильности – транспортное средство с одним или несколькими колёсами и электродвигателем мощностью не более 250 Вт.
2. Велосипедная дорожка – обособленная часть дороги, предназначенная для движения велосипедов и средств индивидуальной мобильности.

Статья 2. Скорость движения
1. Скорость средств индивидуальной мобильности на тротуарах не превышает 15 километров в час.
2. На велосипедных дорожках скорость не превышает 25 километров в час.

Статья 3. Ответственность
1. Операторы проката обеспечивают страхование гражданской ответственности пользователей.
"""  # noqa: E501
COMMENTS = [
    # article number, paragraph index, author, text, committee answer (author, text) or None
    ("2", 0, "forum.aliya@demo.kz", "15 км/сағ тротуар үшін тым жылдам, 10 км/сағ ұсынамын.",
     ("mazhilis.deputy1@demo.kz",
      "Рақмет, ұсынысыңыз комитетте қаралады: 12 км/сағ нұсқасы талқылануда.")),
    ("2", 0, "forum.arman@demo.kz", "Who will measure the speed? Scooters need limiters.", None),
    ("3", 0, "forum.dmitry@demo.kz", "Страховка должна покрывать и пешеходов.", None),
]  # fmt: skip


REGULARS = [
    # e-mail, public name, preferred language
    ("forum.aliya@demo.kz", "Әлия", "kk"),
    ("forum.dmitry@demo.kz", "Дмитрий К.", "ru"),
    ("forum.arman@demo.kz", "Arman Z.", "en"),
    ("forum.gulmira@demo.kz", "Гүлмира", "kk"),
    ("forum.sergey@demo.kz", "Сергей П.", "ru"),
]


def _regulars() -> None:
    """The forum regulars' accounts, created once (their password is the demo password)."""
    from allauth.account.models import EmailAddress

    from participation.management.commands.seed_demo import DEMO_PASSWORD

    for email, name, language in REGULARS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, display_name=name, preferred_language=language
            )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )


def _publish(obj: Model, kind: str, moderator: User) -> None:
    """What the new-account rule held, the demo moderator publishes."""
    item = ModerationItem.objects.get(kind=kind, object_id=obj.pk)
    if item.state == State.HELD:
        do_decide(
            item, moderator=moderator, state=State.PUBLISHED, reason=Reason.MEETS_RULES,
            version=item.version,
        )  # fmt: skip


def _categories() -> dict[str, Category]:
    found: dict[str, Category] = {}
    for slug, kind, agency, topic, kk, ru, en in CATEGORIES:
        category, _created = Category.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "agency": Agency.objects.filter(slug=agency).first() if agency else None,
                "topic": Topic.objects.filter(slug=topic).first() if topic else None,
                "name_kk": kk,
                "name_ru": ru,
                "name_en": en,
                "position": len(found),
            },
        )
        found[slug] = category
    return found


def seed_forums() -> int:
    """Load the demo forums; returns how many threads and draft laws it created."""
    moderator = User.objects.get(email="moderator@demo.kz")
    _regulars()
    categories = _categories()
    created = 0
    for slug, author_email, title, body, replies in THREADS:
        if Thread.objects.filter(title=title).exists():
            continue
        thread = actions.do_start_thread(
            category=categories[slug],
            author=User.objects.get(email=author_email),
            title=title,
            body=body,
        )
        _publish(thread, "forum_thread", moderator)
        posts: list[Post] = [Post.objects.get(thread=thread, parent__isnull=True)]
        _publish(posts[0], "forum_post", moderator)
        for parent_index, email, text in replies:
            post = actions.do_reply(
                parent=posts[parent_index], author=User.objects.get(email=email), body=text
            )
            _publish(post, "forum_post", moderator)
            posts.append(post)
        answers = [post for post in posts if post.official_id is not None]
        if answers:  # the first MP's answer is pinned as the official response
            answers[0].refresh_from_db()
            actions.do_pin_response(answers[0], actor=answers[0].author)  # type: ignore[arg-type]
        created += 1
    if not DraftLaw.objects.filter(slug=BILL_SLUG).exists():
        created += 1
        _seed_draft_law(categories["draft-laws"], moderator)
    return created


def _seed_draft_law(category: Category, moderator: User) -> None:
    committee, _created = Agency.objects.get_or_create(
        slug="mazhilis-committee-transport",
        defaults={
            "kind": Agency.Kind.OTHER,
            "parent": Agency.objects.get(slug="mazhilis"),
            "name_kk": "Мәжілістің Көлік және коммуникациялар комитеті",
            "name_ru": "Комитет Мажилиса по транспорту и коммуникациям",
            "name_en": "Mazhilis Committee on Transport and Communications",
        },
    )
    draft = actions.do_publish_draft_law(
        slug=BILL_SLUG,
        names=BILL_NAMES,
        summaries=BILL_SUMMARIES,
        text=BILL_TEXT,
        committee=committee,
        category=category,
    )
    for number, index, email, text, answer in COMMENTS:
        paragraph = draft.articles.get(number=number).paragraphs.order_by("position")[index]
        comment = actions.do_comment_paragraph(
            paragraph, author=User.objects.get(email=email), body=text
        )
        _publish(comment, "forum_post", moderator)
        if answer is not None:
            official, reply = answer
            post = actions.do_reply(
                parent=comment, author=User.objects.get(email=official), body=reply
            )
            _publish(post, "forum_post", moderator)
