"""Demo appeals for ``seed_demo``: a reception room with a history worth looking at.

Idempotent: an appeal is created only if its citizen has none with that subject.
Created through the real actions (clocks, moderation, notifications), with the
demo moderator publishing what the rules hold. One appeal is backdated so that
its clocks are overdue and the worker's sweep has something to escalate.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from moderation.actions import do_decide
from moderation.models import ModerationItem, Reason, State
from participation.models import Agency, Official, User
from reception import actions
from reception.models import Appeal

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
