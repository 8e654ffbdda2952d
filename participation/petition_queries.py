"""Reads of petitions: who may see which, and what the public pages and open data show.

Nothing here returns a signer's or supporter's identity, address or account:
the public pages, the JSON and the CSV carry counts, regions and times only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.access import AccessDenied, AnyUser, holds_role
from participation.models import Agency, Region, Role
from participation.petition_models import LISTED_STATES, Petition, Signature

# Steps of the timeline as people read them.
EVENT_LABELS: dict[str, Any] = {
    "created": _("Draft written"),
    "collecting": _("Gathering supporters"),
    "moderation": _("Supporters gathered; sent to moderation"),
    "opened": _("Opened for signatures"),
    "rejected": _("Rejected by moderation"),
    "threshold_reached": _("Threshold reached; under consideration"),
    "threshold_lost": _("Below the threshold again after invalid signatures were removed"),
    "signatures_invalidated": _("Invalid signatures removed"),
    "signatures_reinstated": _("Signatures held over a rate limit checked and counted"),
    "response_warning": _("The response is due soon"),
    "response_breach": _("The response is overdue"),
    "responded": _("The government responded"),
    "closed": _("Closed"),
    "expired": _("Expired below the threshold"),
    "expired_supporters": _("Expired: not enough supporters in time"),
}

# States seen by anyone holding the link, though not listed.
SHARED_STATES = (Petition.State.COLLECTING, Petition.State.MODERATION)


def listed(state: str = "", agency: Agency | None = None) -> QuerySet[Petition]:
    """Petitions in the public list, newest first; ``state`` narrows to one state,
    ``agency`` to the petitions addressed to that body."""
    found = Petition.objects.filter(text_visible=True, state__in=LISTED_STATES)
    if state:
        found = found.filter(state=state)
    if agency is not None:
        found = found.filter(agency=agency)
    return found.select_related("agency")


def with_bars(petitions: Iterable[Petition]) -> list[tuple[Petition, list[Progress]]]:
    """Each petition with its signature bar, as the list templates take them."""
    return [(petition, [signature_bar(petition)]) for petition in petitions]


def is_moderator_of(user: AnyUser, petition: Petition) -> bool:
    return holds_role(user, Role.MODERATOR, petition.agency)


def is_office_of(user: AnyUser, petition: Petition) -> bool:
    return any(holds_role(user, role, petition.agency) for role in (Role.OFFICIAL, Role.DELEGATE))


def access_petition(user: AnyUser, pk: int) -> Petition:
    """The petition if this person may see it, else ``AccessDenied`` (one 404 for both).

    Listed petitions are public; one gathering supporters or in moderation is
    seen by whoever has the link; a draft or a rejected petition by its
    author, the moderators and the addressee's office only.
    """
    try:
        petition = Petition.objects.select_related("agency", "author").get(pk=pk)
    except Petition.DoesNotExist as exc:
        raise AccessDenied from exc
    if petition.is_listed or petition.state in SHARED_STATES:
        return petition
    if user.is_authenticated and (
        user.pk == petition.author_id
        or is_moderator_of(user, petition)
        or is_office_of(user, petition)
    ):
        return petition
    raise AccessDenied


@dataclass(frozen=True)
class Progress:
    label: str
    value: int
    goal: int
    kind: str = ""  # "signatures": the bar a page's live count updates

    @property
    def percent(self) -> int:
        return min(100, self.value * 100 // self.goal) if self.goal else 100


def progress(petition: Petition) -> list[Progress]:
    """A bar to each threshold: the initiative group's supporters, then the signatures."""
    bars = [
        Progress(
            str(_("Supporters in the initiative group")),
            min(petition.supporters.count(), petition.supporters_needed)
            if petition.state != Petition.State.DRAFT
            else 0,
            petition.supporters_needed,
        )
    ]
    bars.append(signature_bar(petition))
    return bars


def signature_bar(petition: Petition) -> Progress:
    return Progress(
        str(
            _("Signatures for consideration (%(level)s threshold)")
            % {"level": petition.get_level_display().lower()}
        ),
        petition.signature_count,
        petition.threshold,
        kind="signatures",
    )


@dataclass(frozen=True)
class RegionRow:
    slug: str
    name: str
    count: int
    percent: int  # of the petition's count


def by_region(petition: Petition) -> list[RegionRow]:
    """Counted signatures per region, largest first, then the unnamed; they add up."""
    counts: dict[int | None, int] = dict(petition.tallies.values_list("region_id", "count"))
    total = sum(counts.values())
    regions = {region.pk: region for region in Region.objects.all()}
    rows = [
        RegionRow(regions[pk].slug, regions[pk].name, n, n * 100 // total if total else 0)
        for pk, n in counts.items()
        if pk is not None and n
    ]
    rows.sort(key=lambda row: (-row.count, row.name))
    if counts.get(None):
        n = counts[None]
        rows.append(RegionRow("", str(_("Region not given")), n, n * 100 // total))
    return rows


ROW_HEIGHT = 26
LABEL_WIDTH = 190
BAR_SPACE = 260


def region_chart(rows: list[RegionRow]) -> dict[str, Any]:
    """Coordinates for the server-side SVG bar chart (no script, no inline style)."""
    largest = max((row.count for row in rows), default=0) or 1
    bars = [
        {
            "name": row.name,
            "count": row.count,
            "y": index * ROW_HEIGHT + 4,
            "text_y": index * ROW_HEIGHT + 18,
            "width": max(1, row.count * BAR_SPACE // largest),
            "value_x": LABEL_WIDTH + max(1, row.count * BAR_SPACE // largest) + 6,
        }
        for index, row in enumerate(rows)
    ]
    return {"bars": bars, "height": len(rows) * ROW_HEIGHT + 4, "bar_x": LABEL_WIDTH}


def timeline(petition: Petition, *, full: bool) -> list[dict[str, Any]]:
    events = petition.events.all() if full else petition.events.filter(is_public=True)
    return [
        {
            "action": event.action,
            "label": str(EVENT_LABELS.get(event.action, event.action)),
            "at": event.created_at,
            "count": event.params.get("count"),
        }
        for event in events
    ]


def recent_public_names(petition: Petition, limit: int = 20) -> list[str]:
    """Names of the latest signers who chose to show them (never an address)."""
    return list(
        Signature.objects.filter(petition=petition, state=Signature.State.VALID)
        .exclude(public_name="")
        .order_by("-id")
        .values_list("public_name", flat=True)[:limit]
    )


def pending_count(petition: Petition) -> int:
    """Signatures written but not counted yet: the tally's queue for this petition."""
    return Signature.objects.filter(petition=petition, tallied=False).count()


def open_data(petition: Petition) -> dict[str, Any]:
    """One petition as open data: no personal data (no author, no signer)."""
    return {
        "id": petition.pk,
        "number": petition.number,
        "url": petition.get_absolute_url(),
        "title": petition.title,
        "state": petition.state,
        "level": petition.level,
        "agency": {"slug": petition.agency.slug, "name": petition.agency.name},
        "threshold": petition.threshold,
        "signature_count": petition.signature_count,
        "counted_at": _iso(petition.counted_at),
        "opened_at": _iso(petition.opened_at),
        "closes_at": _iso(petition.closes_at),
        "threshold_reached_at": _iso(petition.threshold_reached_at),
        "response_due_at": _iso(petition.response_due_at),
        "responded_at": _iso(petition.responded_at),
        "response_html": petition.response_html if petition.responded_at else "",
        "regions": [
            {"slug": row.slug or None, "name": row.name, "count": row.count}
            for row in by_region(petition)
        ],
        "timeline": [
            {"action": step["action"], "at": _iso(step["at"])}
            for step in timeline(petition, full=False)
        ],
    }


def list_data(state: str = "") -> list[dict[str, Any]]:
    return [
        {
            "id": petition.pk,
            "number": petition.number,
            "url": petition.get_absolute_url(),
            "title": petition.title,
            "state": petition.state,
            "level": petition.level,
            "agency": petition.agency.slug,
            "threshold": petition.threshold,
            "signature_count": petition.signature_count,
            "counted_at": _iso(petition.counted_at),
            "closes_at": _iso(petition.closes_at),
        }
        for petition in listed(state)[:1000]
    ]


def _iso(moment: Any) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def awaiting_moderation(user: AnyUser) -> list[Petition]:
    """Petitions waiting for a decision that this moderator covers, oldest first."""
    waiting = Petition.objects.filter(state=Petition.State.MODERATION).select_related("agency")
    return [p for p in waiting.order_by("created_at") if is_moderator_of(user, p)]
