"""Constraints the database itself enforces, checked on PostgreSQL."""

import pytest
from django.db import IntegrityError, transaction

from participation.models import Membership, Official, Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_person_holds_each_role_once_per_agency(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=world.dana, role=Role.DELEGATE, agency=world.mazhilis)


def test_a_platform_wide_role_is_held_once(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=world.moira, role=Role.MODERATOR, agency=None)


def test_only_moderators_may_be_platform_wide(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=world.alice, role=Role.OPERATOR, agency=None)


def test_an_agency_has_one_head(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Official.objects.filter(pk=world.marat_official.pk).update(
            agency=world.almaty, is_head=True
        )
