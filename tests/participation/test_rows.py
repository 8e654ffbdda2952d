"""Plain-SQL rows (participation.rows): written and read as the ORM would."""

from __future__ import annotations

import datetime as dt

import pytest

from participation.models import Notification, User
from participation.rows import get_row, insert_many
from reception.models import AppealEvent

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2025, 3, 7, 12, 0, tzinfo=dt.UTC)


def test_insert_many_returns_ids_in_order_across_statements(world):
    """3,000 rows need several statements; each id belongs to its own row."""
    rows = [
        (world.alice.pk, "clock_breach", {"number": f"A-{n}", "clock": {"kk": "ж", "ru": "о"}},
         f"/appeals/A-{n}/", MOMENT)
        for n in range(3000)
    ]  # fmt: skip
    ids = insert_many(Notification, ("user", "kind", "params", "url", "created_at"), rows)
    assert len(ids) == len(set(ids)) == 3000
    stored = Notification.objects.in_bulk(ids)
    for pk, row in zip(ids, rows, strict=True):
        note = stored[pk]
        assert (note.user_id, note.kind, note.params, note.url, note.created_at) == row


def test_columns_not_named_take_their_defaults(world):
    (pk,) = insert_many(Notification, ("user_id", "kind"), [(world.bob.pk, "welcome")])
    note = Notification.objects.get(pk=pk)
    assert (note.params, note.url, note.in_page, note.read_at, note.email_state) == (
        {},
        "",
        True,
        None,
        "",
    )


def test_a_unique_column_must_be_named():
    from participation.models import Agency

    with pytest.raises(ValueError, match="slug"):
        insert_many(Agency, ("name_kk",), [("Әкімдік",)])


def test_nothing_to_insert_writes_nothing():
    assert insert_many(AppealEvent, ("appeal", "action"), []) == []


def test_get_row_reads_what_the_orm_reads(world):
    """Every field, converters included: times are aware datetimes on SQLite too."""
    user = world.alice
    user.last_login = MOMENT
    user.save()
    read = get_row(User, user.pk)
    expected = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert read.last_login == MOMENT and read.last_login.tzinfo is not None
    assert read._state.adding is False and read._state.db == "default"
    read.display_name = "Alice B."
    read.save(update_fields=["display_name"])  # a normal instance: it saves as one
    assert User.objects.get(pk=user.pk).display_name == "Alice B."


def test_get_row_of_a_missing_row_is_none():
    assert get_row(User, 2**40) is None
