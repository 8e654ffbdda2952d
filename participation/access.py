"""The one access layer. Every view, consumer, task and API call asks here.

Two rules run through it:

1. One error for missing and forbidden (``AccessDenied``, shown as 404), so
   nobody learns that a private thing exists by probing ids.
2. A role only counts once its holder has enrolled in multi-factor
   authentication (``MFARequired``): officials, delegates, moderators,
   operators and admins must, before they can act (SPEC, People and roles).

Memberships cover their agency and every agency below it; a moderator
membership without an agency covers the whole platform.
"""

from __future__ import annotations

from collections.abc import Iterable

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from participation.models import Agency, Membership, Notification, Role, User

AnyUser = User | AnonymousUser


class AccessDenied(Exception):
    """The thing does not exist, or this person may not see it: one answer for both."""


class MFARequired(PermissionDenied):
    """The person holds a role but has not enrolled in multi-factor authentication."""


def lineage_ids(agency: Agency) -> list[int]:
    """The agency's id and its ancestors' ids, nearest first (the tree is shallow)."""
    ids: list[int] = []
    node: Agency | None = agency
    while node is not None and node.pk not in ids:
        ids.append(node.pk)
        node = node.parent
    return ids


def memberships(user: AnyUser) -> list[Membership]:
    """The person's memberships, fetched once per user object."""
    if not user.is_authenticated:
        return []
    cached: list[Membership] | None = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("agency"))
        setattr(user, "_memberships_cache", cached)  # noqa: B010  (per-object cache)
    return cached


def must_use_mfa(user: AnyUser) -> bool:
    """Whether this person's account needs MFA: any role, staff or admin."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or memberships(user))


def has_mfa(user: AnyUser) -> bool:
    """Whether the person has a second factor (recovery codes alone do not count)."""
    if not user.is_authenticated:
        return False
    cached: bool | None = getattr(user, "_has_mfa_cache", None)
    if cached is None:
        cached = (
            Authenticator.objects.filter(user=user)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
            .exists()
        )
        setattr(user, "_has_mfa_cache", cached)  # noqa: B010
    return cached


def holds_role(user: AnyUser, role: Role, agency: Agency | None) -> bool:
    """Whether the person holds ``role`` for ``agency`` (``None``: platform-wide).

    This answers the question of fact; ``check_role`` is what gates an action.
    """
    covered = set(lineage_ids(agency)) if agency is not None else set()
    for membership in memberships(user):
        if membership.role != role:
            continue
        if membership.agency_id is None or membership.agency_id in covered:
            return True
    return False


def check_role(user: AnyUser, role: Role, agency: Agency | None) -> None:
    """Gate an action: raise unless the person may act as ``role`` for ``agency``."""
    if not user.is_authenticated or not holds_role(user, role, agency):
        raise AccessDenied
    if not has_mfa(user):
        raise MFARequired


def agencies_with_role(user: AnyUser, role: Role) -> Iterable[Agency | None]:
    """The agencies where the person holds ``role`` (``None`` is platform-wide)."""
    return [m.agency for m in memberships(user) if m.role == role]


def can_act(user: AnyUser) -> bool:
    """Whether a role holder may act now (has MFA); citizens always may."""
    return not must_use_mfa(user) or has_mfa(user)


def can_see_private_profile(viewer: AnyUser, person: User) -> bool:
    """Private profile fields (real name, e-mail, IIN) are for the person themself.

    Offices handling the person's appeals get their own, narrower check with
    the appeal (issue 4); admins read them in the Django admin.
    """
    return viewer.is_authenticated and viewer.pk == person.pk


def visible_notifications(user: AnyUser) -> QuerySet[Notification]:
    """The notifications a person may read: their own, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def access_notification_by_id(user: AnyUser, notification_id: int) -> Notification:
    try:
        return visible_notifications(user).get(pk=notification_id)
    except Notification.DoesNotExist as exc:
        raise AccessDenied from exc
