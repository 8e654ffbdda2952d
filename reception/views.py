from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from participation.access import AccessDenied
from participation.models import Official
from reception import clocks, queries


def room(request: HttpRequest, slug: str) -> HttpResponse:
    """An official's public reception room: published questions with their answers."""
    try:
        official = Official.objects.select_related("agency").get(slug=slug)
    except Official.DoesNotExist as exc:
        raise Http404 from exc
    appeals = queries.room_appeals(official)[:50]
    return render(request, "reception/room.html", {"official": official, "appeals": appeals})


def appeal(request: HttpRequest, number: str) -> HttpResponse:
    """An appeal's page: everything for those it concerns, the public part for others."""
    found, full = queries.access_appeal(request.user, number)
    shown = [
        {"clock": clock, "status": clocks.status(clock), "days_left": clocks.days_left(clock)}
        for clock in found.clocks.order_by("kind", "-id")
    ]
    context = {
        "appeal": found,
        "full": full,
        "clocks": shown,
        "events": queries.timeline(found, full=full),
    }
    return render(request, "reception/appeal.html", context)


def track(request: HttpRequest) -> HttpResponse:
    """Look an appeal up by its tracking number. Private or missing: one same answer."""
    number = request.GET.get("number", "").strip()[:30]
    not_found = False
    if number:
        try:
            found, _full = queries.access_appeal(request.user, number)
        except AccessDenied:
            not_found = True
        else:
            return HttpResponseRedirect(reverse("appeal", args=[found.tracking_number]))
    return render(request, "reception/track.html", {"number": number, "not_found": not_found})
