"""The transparency pages: every agency ranked, and each agency's record with its trends.

Thin views: the figures come from ``participation.transparency`` and
``reception.stats``; the charts from ``participation.charts``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from participation import charts, transparency
from participation.forms import TransparencyFilterForm
from participation.models import Agency, Region
from reception import stats
from reception.stats import Period, TrendPoint

DEFAULT_PERIOD = transparency.Preset.LAST_12_MONTHS


def parse_filters(
    query: QueryDict, *, with_ranking: bool = True
) -> tuple[TransparencyFilterForm, Period, Region | None, transparency.Sort, bool]:
    """(form, period, region, sort, valid). Invalid input falls back to the defaults,
    and the form carries the errors to show."""
    form = TransparencyFilterForm(query or None, with_ranking=with_ranking)
    if not query:
        form = TransparencyFilterForm(
            initial={"period": DEFAULT_PERIOD.value}, with_ranking=with_ranking
        )
        return (
            form,
            transparency.resolve_period(DEFAULT_PERIOD),
            None,
            transparency.Sort.ON_TIME,
            True,
        )
    if not form.is_valid():
        return (
            form,
            transparency.resolve_period(DEFAULT_PERIOD),
            None,
            transparency.Sort.ON_TIME,
            False,
        )
    data = form.cleaned_data
    preset = transparency.Preset(data.get("period") or DEFAULT_PERIOD.value)
    period = transparency.resolve_period(preset, start=data.get("start"), end=data.get("end"))
    sort = transparency.Sort(data.get("sort") or transparency.Sort.ON_TIME.value)
    return form, period, data.get("region"), sort, True


def trend_charts(points: list[TrendPoint], *, prefix: str) -> dict[str, Any]:
    """The two charts of a trend and the rows of their tables."""
    labels = [date_format(point.month, "M Y") for point in points]
    volume = charts.bar_chart(
        chart_id=f"{prefix}-volume",
        title=_("Appeals received and answered, by month"),
        description=_("The same numbers are in the table beside the chart."),
        labels=labels,
        series=[
            charts.Series(_("Received"), "series-1", [float(p.received) for p in points]),
            charts.Series(_("Answered"), "series-2", [float(p.answered) for p in points]),
        ],
    )
    on_time = charts.bar_chart(
        chart_id=f"{prefix}-on-time",
        title=_("Answers on time (5 working days), by month"),
        description=_("The same numbers are in the table beside the chart."),
        labels=labels,
        series=[
            charts.Series(
                _("On time"),
                "series-3",
                [None if p.on_time_rate is None else float(p.on_time_rate) for p in points],
            )
        ],
        maximum=100,
        unit="%",
    )
    rows = list(zip(labels, points, strict=True))
    return {"volume_chart": volume, "on_time_chart": on_time, "trend_rows": rows}


def _export_query(period: Period, region: Region | None) -> str:
    params = QueryDict(mutable=True)
    if period.start:
        params["start"] = period.start.isoformat()
    if period.end:
        params["end"] = period.end.isoformat()
    if region is not None:
        params["region"] = region.slug
    return params.urlencode()


def overview(request: HttpRequest) -> HttpResponse:
    """Every agency ranked by how it keeps its deadlines, filtered by period and region."""
    form, period, region, sort, valid = parse_filters(request.GET)
    rows, total = transparency.ranking(period=period, region=region, sort=sort)
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "region": region,
        "sort": sort,
        "rows": rows,
        "record": total,
        "sections": transparency.sections(None, period, region),
        "export_query": _export_query(period, region),
        **trend_charts(transparency.agency_trend(period=period, region=region), prefix="all"),
    }
    return render(request, "participation/transparency.html", context, status=200 if valid else 400)


def agency(request: HttpRequest, slug: str) -> HttpResponse:
    """One agency's record: figures, deadlines per clock, trends, other sections."""
    try:
        found = Agency.objects.select_related("region", "parent").get(slug=slug)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    form, period, _region, _sort, valid = parse_filters(request.GET, with_ranking=False)
    query = _export_query(period, None)
    context: dict[str, Any] = {
        "form": form,
        "agency": found,
        "period": period,
        "record": stats.record(agency=found, period=period),
        "sections": transparency.sections(found, period, None),
        "export_query": f"{query}&agency={found.slug}" if query else f"agency={found.slug}",
        **trend_charts(transparency.agency_trend(period=period, agency=found), prefix="agency"),
    }
    status = 200 if valid else 400
    return render(request, "participation/transparency_agency.html", context, status=status)
