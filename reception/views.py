from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from participation.models import Official


def room(request: HttpRequest, slug: str) -> HttpResponse:
    """An official's public reception room.

    Appeals, answers and on-time statistics arrive with issue 4; until then the
    room shows who receives here and that no questions are published yet.
    """
    try:
        official = Official.objects.select_related("agency").get(slug=slug)
    except Official.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "reception/room.html", {"official": official})
