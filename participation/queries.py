"""Reads that cross relations, shared by the pages and (later) the API."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from participation.models import Agency, Official


def agency_tree() -> list[tuple[Agency, int]]:
    """Every agency with its depth, in tree order (parents before children).

    Two queries whatever the size of the tree.
    """
    agencies = list(Agency.objects.annotate(official_count=Count("officials")).order_by("name_en"))
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    kind_order = {kind: index for index, kind in enumerate(Agency.Kind.values)}
    ordered: list[tuple[Agency, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for agency in sorted(
            children.get(parent_id, []), key=lambda a: (kind_order[a.kind], a.name)
        ):
            ordered.append((agency, depth))
            walk(agency.pk, depth + 1)

    walk(None, 0)
    return ordered


def search_agencies(query: str, kind: str = "") -> QuerySet[Agency]:
    """Agencies whose name in any language, or whose officials' names, match."""
    agencies = Agency.objects.select_related("parent")
    if kind:
        agencies = agencies.filter(kind=kind)
    for word in query.split()[:8]:
        agencies = agencies.filter(
            Q(name_kk__icontains=word)
            | Q(name_ru__icontains=word)
            | Q(name_en__icontains=word)
            | Q(officials__name_kk__icontains=word)
            | Q(officials__name_ru__icontains=word)
            | Q(officials__name_en__icontains=word)
        )
    return agencies.distinct().order_by("name_en")


def agency_page(slug: str) -> Agency:
    return (
        Agency.objects.select_related("parent", "parent__parent", "region")
        .prefetch_related(
            "topics",
            Prefetch("children", queryset=Agency.objects.order_by("name_en")),
            Prefetch("officials", queryset=Official.objects.order_by("-is_head", "name_en")),
        )
        .get(slug=slug)
    )


def breadcrumbs(agency: Agency) -> list[Agency]:
    """The agency's superiors, top first."""
    chain: list[Agency] = []
    node = agency.parent
    while node is not None and node not in chain:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))
