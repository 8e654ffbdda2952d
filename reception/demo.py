"""Demo appeals for ``seed_demo``: a reception room with a history worth looking at.

Idempotent: an appeal is created only if its citizen has none with that subject.
Created through the real actions (clocks, moderation, notifications), with the
demo moderator publishing what the rules hold. One appeal is backdated so that
its clocks are overdue and the worker's sweep has something to escalate.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from moderation.actions import do_decide
from moderation.models import ModerationItem, Reason, State
from participation.models import Agency, Official, User
from reception import actions, live_actions
from reception.models import Appeal, LiveMessage, LiveQuestion, LiveSession

DEMO_APPEALS = [
    # citizen, addressee ("agency:" or "official:" slug), kind, subject, text, public,
    # steps taken, days ago
    ("citizen1@demo.kz", "agency:almaty-akimat", "question", "Аулада жарық жоқ",
     "Абай даңғылы 150 үйінің ауласында үш аптадан бері жарық жоқ. Қашан жөнделеді?",
     True, ["accept", "answer", "satisfied"], 12),
    ("citizen2@demo.kz", "agency:almaty-akimat", "complaint", "Автобус №32 постоянно опаздывает",
     "Каждое утро автобус №32 на остановке «Сайран» опаздывает на 20–30 минут.",
     True, ["accept"], 2),
    ("citizen3@demo.kz", "agency:bostandyk-akimat", "proposal", "A playground for the new block",
     "The new block on Timiryazev street has no playground. Could one be built in the yard?",
     True, [], 0),
    ("citizen4@demo.kz", "agency:karaganda-city-akimat", "request", "Тротуар жөндеу",
     "Ерубаев көшесіндегі тротуар қираған, балалар мектепке жол жүре алмайды.",
     True, ["accept"], 25),
    ("citizen5@demo.kz", "agency:almaty-akimat", "complaint", "Шум по ночам",
     "Частное дело: соседи по ночам шумят, прошу принять меры.",
     False, [], 1),
]  # fmt: skip


# Months of history for the transparency pages' trends: citizen, agency, kind, subject,
# text, days ago, working on it after (days), answered after (days, None: never),
# rating ("", "satisfied", "unsatisfied").
HISTORY = [
    ("resident1@demo.kz", "almaty-akimat", "request", "Аялдамаға шатыр орнату",
     "Тимирязев көшесіндегі аялдамада шатыр жоқ, жаңбырда адамдар суланады.",
     300, 1, 4, "satisfied"),
    ("resident2@demo.kz", "karaganda-city-akimat", "complaint", "Не вывозят мусор",
     "Во дворе дома по улице Ерубаева мусор не вывозят уже две недели.",
     270, 2, 9, "unsatisfied"),
    ("resident3@demo.kz", "almaty-akimat", "proposal", "Велодорожка вдоль Есентая",
     "Предлагаю продлить велодорожку вдоль реки Есентай до проспекта Аль-Фараби.",
     240, 1, 6, ""),
    ("resident4@demo.kz", "turkistan-region-akimat", "question", "Мектеп автобусы",
     "Ауылымыздан аудан орталығындағы мектепке балаларды қандай автобус тасиды?",
     210, 3, 12, "satisfied"),
    ("resident5@demo.kz", "karaganda-region-akimat", "request", "Ремонт дороги на Темиртау",
     "На трассе Караганда — Темиртау после зимы много ям, прошу включить в план ремонта.",
     180, 1, 3, "satisfied"),
    ("resident1@demo.kz", "almaty-akimat", "complaint", "Жылу берілмейді",
     "Қазан айы аяқталды, ал біздің үйге әлі жылу берілген жоқ.",
     150, 0, 2, "satisfied"),
    ("resident2@demo.kz", "turkistan-region-akimat", "question", "Газификация села",
     "Когда в село Карабулак проведут газ? Обещали ещё в прошлом году.",
     120, 2, 20, "unsatisfied"),
    ("resident3@demo.kz", "karaganda-city-akimat", "proposal", "Саябаққа орындықтар",
     "Орталық саябақта орындықтар аз, қарт адамдарға демалатын жер жетпейді.",
     90, 1, 5, ""),
    ("resident4@demo.kz", "almaty-akimat", "question", "Запись в детский сад",
     "Как встать в очередь в детский сад, если ребёнок родился в другом городе?",
     60, 1, 3, "satisfied"),
    ("resident5@demo.kz", "karaganda-region-akimat", "complaint", "Су құбыры ағып жатыр",
     "Бұқар жырау көшесіндегі су құбыры бір айдан бері ағып жатыр.",
     40, 4, None, ""),
]  # fmt: skip


RESIDENT_NAMES = {
    "resident1@demo.kz": "Айгүл Серікқызы",
    "resident2@demo.kz": "Ольга Ким",
    "resident3@demo.kz": "Ерлан Жұмабаев",
    "resident4@demo.kz": "Нұржан Әлиев",
    "resident5@demo.kz": "Светлана Петрова",
}


def _resident(email: str) -> User:
    """The history's authors: accounts of their own (no password, never signed in), so
    the demo citizens the journeys sign in as keep their first posts held for moderation."""
    found = User.objects.filter(email=email).first()
    if found is not None:
        return found
    return User.objects.create_user(
        email, None, display_name=RESIDENT_NAMES[email], preferred_language="kk"
    )


def seed_history() -> int:
    """Appeals answered (or not) over the past months, with their own dates."""
    moderator = User.objects.get(email="moderator@demo.kz")
    now = timezone.now()
    created = 0
    for email, slug, kind, subject, text, days_ago, accept, answer, rating in HISTORY:
        citizen = _resident(email)
        if Appeal.objects.filter(citizen=citizen, subject=subject).exists():
            continue
        submitted = now - timedelta(days=days_ago, hours=3)
        appeal = actions.do_submit_appeal(
            citizen=citizen, kind=Appeal.Kind(kind), subject=subject, text=text,
            is_public=True, agency=Agency.objects.get(slug=slug), now=submitted,
        )  # fmt: skip
        item = ModerationItem.objects.get(kind="appeal", object_id=appeal.pk)
        if item.state == State.HELD:
            do_decide(
                item, moderator=moderator, state=State.PUBLISHED,
                reason=Reason.MEETS_RULES, version=item.version,
            )  # fmt: skip
        appeal.refresh_from_db()
        head = Official.objects.filter(agency=appeal.agency, is_head=True).first()
        created += 1
        if head is None:
            continue
        actions.do_accept(appeal, actor=head.user, now=submitted + timedelta(days=accept))
        if answer is None:
            continue
        actions.do_answer(
            appeal, actor=head.user, text="Өтінішіңіз қаралды, шаралар қабылданды.",
            outcome=Appeal.Outcome.RESOLVED, now=submitted + timedelta(days=answer),
        )  # fmt: skip
        if rating:
            actions.do_rate(
                appeal, citizen=citizen, rating=Appeal.Rating(rating),
                now=submitted + timedelta(days=answer + 2),
            )  # fmt: skip
    return created


def seed_appeals() -> int:
    moderator = User.objects.get(email="moderator@demo.kz")
    created = 0
    for email, addressee, kind, subject, text, public, steps, days_ago in DEMO_APPEALS:
        citizen = User.objects.get(email=email)
        if Appeal.objects.filter(citizen=citizen, subject=subject).exists():
            continue
        where, slug = addressee.split(":")
        agency = Agency.objects.get(slug=slug) if where == "agency" else None
        official = Official.objects.get(slug=slug) if where == "official" else None
        appeal = actions.do_submit_appeal(
            citizen=citizen,
            kind=Appeal.Kind(kind),
            subject=subject,
            text=text,
            is_public=public,
            agency=agency,
            official=official,
            now=timezone.now() - timedelta(days=days_ago),
        )
        item = ModerationItem.objects.get(kind="appeal", object_id=appeal.pk)
        if item.state == State.HELD:
            do_decide(
                item, moderator=moderator, state=State.PUBLISHED,
                reason=Reason.MEETS_RULES, version=item.version,
            )  # fmt: skip
        appeal.refresh_from_db()
        head = Official.objects.filter(agency=appeal.agency, is_head=True).first()
        for step in steps:
            if head is None:
                break
            if step == "accept":
                actions.do_accept(appeal, actor=head.user)
            elif step == "answer":
                actions.do_answer(
                    appeal,
                    actor=head.user,
                    text="Жарық шамдары ауыстырылды. Хабарлағаныңыз үшін рақмет.",
                    outcome=Appeal.Outcome.RESOLVED,
                )
            elif step == "satisfied":
                actions.do_rate(appeal, citizen=citizen, rating=Appeal.Rating.SATISFIED)
        created += 1
    return created


# --------------------------------------------------------------------------- live sessions

PAST_SESSION: dict[str, Any] = {
    "official": "bakhytzhan-ospanov",
    "title": "Алматы: қоғамдық көлік және жолдар / общественный транспорт и дороги",
    "description": (
        "Әкім тұрғындардың көлік, жол жөндеу және аялдамалар туралы сұрақтарына жауап береді."
    ),
    "language": "ru",
    "days_ago": 10,
    "questions": [
        # author, text, voters, answer ("" = left unanswered: it becomes an appeal)
        ("citizen2@demo.kz", "Когда на маршрут №32 выйдут новые автобусы?",
         ["citizen1@demo.kz", "citizen3@demo.kz", "citizen4@demo.kz"],
         "Двадцать новых автобусов выйдут на маршрут в марте, график будет каждые 8 минут."),
        ("citizen1@demo.kz", "Сайран көлі маңындағы жолды қашан жөндейсіздер?",
         ["citizen2@demo.kz", "citizen5@demo.kz"],
         "Жөндеу жұмыстары сәуір айында басталады, мердігер анықталды."),
        ("citizen4@demo.kz", "Будет ли велодорожка по проспекту Абая продлена до Саина?",
         ["citizen3@demo.kz"], ""),
    ],
    "chat": [
        ("citizen3@demo.kz", "Сәлеметсіз бе! Эфирді Бостандық ауданынан көріп отырмын."),
        ("akim.almaty@demo.kz",
         "Добрый день! Начинаем, сначала вопросы с наибольшим числом голосов."),
        ("citizen5@demo.kz", "Спасибо за ответ про автобусы, ждём."),
    ],
}  # fmt: skip

UPCOMING_SESSION: dict[str, Any] = {
    "official": "aigerim-seitova",
    "title": "Жастар саясаты: жұмыс, баспана, білім",
    "description": (
        "Мәжіліс депутатымен жастарды жұмыспен қамту және баспана бағдарламалары туралы "
        "ашық сөйлесу."
    ),
    "language": "kk",
    "days_ahead": 3,
    "questions": [
        ("citizen1@demo.kz", "«Жастар баспанасы» бағдарламасына ауыл жастары қалай қатыса алады?",
         ["citizen2@demo.kz", "citizen3@demo.kz"]),
        ("citizen5@demo.kz", "Будет ли квота на бесплатное обучение в колледжах увеличена?",
         ["citizen1@demo.kz"]),
    ],
}  # fmt: skip


def _publish_held(obj: LiveQuestion | LiveMessage, moderator: User) -> None:
    item = ModerationItem.objects.get(
        kind="live_question" if isinstance(obj, LiveQuestion) else "live_message",
        object_id=obj.pk,
    )
    if item.state == State.HELD:
        do_decide(
            item, moderator=moderator, state=State.PUBLISHED,
            reason=Reason.MEETS_RULES, version=item.version,
        )  # fmt: skip


def seed_live_sessions() -> int:
    """One past session with its transcript (and an unanswered question turned appeal),
    one upcoming session with questions and votes. Idempotent by title."""
    moderator = User.objects.get(email="moderator@demo.kz")
    created = 0
    past = PAST_SESSION
    if not LiveSession.objects.filter(title=past["title"]).exists():
        official = Official.objects.select_related("agency").get(slug=past["official"])
        starts = timezone.now() - timedelta(days=int(past["days_ago"]))
        session = LiveSession.objects.create(
            official=official, agency=official.agency, title=past["title"],
            description=past["description"], language=past["language"], starts_at=starts,
            mode=LiveSession.Mode.POSTMODERATED, state=LiveSession.State.LIVE,
            started_at=starts, slow_mode_seconds=0, created_by=official.user,
        )  # fmt: skip
        session = LiveSession.objects.select_related("official", "agency").get(pk=session.pk)
        questions = []
        for email, text, voters, answer in past["questions"]:
            question = live_actions.do_ask_question(
                session, author=User.objects.get(email=email), text=text
            )
            _publish_held(question, moderator)
            question.refresh_from_db()
            for voter in voters:
                live_actions.do_vote(question, voter=User.objects.get(email=voter))
            questions.append((question, answer))
        for email, text in past["chat"]:
            message = live_actions.do_post_message(
                session, author=User.objects.get(email=email), text=text
            )
            _publish_held(message, moderator)
        for question, answer in questions:
            if answer:
                question.refresh_from_db()
                live_actions.do_answer_now(question, actor=official.user)
                question.refresh_from_db()
                live_actions.do_answer_question(question, actor=official.user, text=answer)
        live_actions.do_end_session(session, actor=official.user)
        # The demo happened ten days ago: spread its texts over that hour.
        LiveQuestion.objects.filter(session=session).update(
            created_at=starts + timedelta(minutes=5)
        )
        LiveMessage.objects.filter(session=session).update(
            created_at=starts + timedelta(minutes=15)
        )
        LiveSession.objects.filter(pk=session.pk).update(ended_at=starts + timedelta(hours=1))
        created += 1
    upcoming = UPCOMING_SESSION
    if not LiveSession.objects.filter(title=upcoming["title"]).exists():
        official = Official.objects.select_related("agency").get(slug=upcoming["official"])
        session = live_actions.do_schedule_session(
            actor=official.user, official=official, title=str(upcoming["title"]),
            description=str(upcoming["description"]), language=str(upcoming["language"]),
            starts_at=(timezone.now() + timedelta(days=int(upcoming["days_ahead"]))).replace(
                minute=0, second=0, microsecond=0
            ),
            duration_minutes=60, mode=LiveSession.Mode.PREMODERATED,
        )  # fmt: skip
        session = LiveSession.objects.select_related("official", "agency").get(pk=session.pk)
        for email, text, voters in upcoming["questions"]:
            question = live_actions.do_ask_question(
                session, author=User.objects.get(email=email), text=text
            )
            _publish_held(question, moderator)
            live_actions.do_approve(question, actor=official.user)
            question.refresh_from_db()
            for voter in voters:
                live_actions.do_vote(question, voter=User.objects.get(email=voter))
        created += 1
    return created
