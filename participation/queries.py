"""Reads that cross relations, shared by the pages and (later) the API."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch

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


def search_agencies(query: str, kind: str = "") -> list[Agency]:
    """Agencies whose name in any language, or whose officials' names, match every word.

    Matching is done in Python with Unicode case folding, because SQLite's
    LIKE folds only ASCII letters and the names are Cyrillic. The directory
    holds thousands of agencies at most: two queries, no index needed.
    """
    words = [fold(word) for word in query.split()[:8]]
    agencies = Agency.objects.select_related("parent").prefetch_related(
        Prefetch("officials", queryset=Official.objects.only("agency_id", *_NAME_FIELDS))
    )
    if kind:
        agencies = agencies.filter(kind=kind)
    found = []
    for agency in agencies.order_by("name_en"):
        names = [getattr(agency, field) for field in _NAME_FIELDS]
        for official in agency.officials.all():
            names.extend(getattr(official, field) for field in _NAME_FIELDS)
        haystack = fold(" ".join(names))
        if all(word in haystack for word in words):
            found.append(agency)
    return found


_NAME_FIELDS = ("name_kk", "name_ru", "name_en")


def fold(text: str) -> str:
    """Case-fold for matching; ё and е are one letter to most Russian readers."""
    return text.casefold().replace("ё", "е")


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


def subtree_ids(roots: Iterable[int]) -> set[int]:
    """These agencies and every agency below them (a membership covers its subtree).

    One query: the tree is read whole, it holds thousands of rows at most."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    covered: set[int] = set()
    pending = list(roots)
    while pending:
        pk = pending.pop()
        if pk not in covered:
            covered.add(pk)
            pending.extend(children.get(pk, []))
    return covered


def breadcrumbs(agency: Agency) -> list[Agency]:
    """The agency's superiors, top first."""
    chain: list[Agency] = []
    node = agency.parent
    while node is not None and node not in chain:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))
