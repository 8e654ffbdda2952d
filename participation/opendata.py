"""Open data: the statistics and the published appeals as CSV and JSON (docs/open-data.md).

``/open-data/<dataset>.<csv|json>`` with the transparency filters (``period``,
``start``, ``end``, ``region``, and ``agency`` for one agency). No personal
data: the rows are built field by field from public columns only, never by
dumping a model. Files are streamed, so a large export holds little memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from participation import transparency
from participation.models import Agency, Region
from participation.transparency_views import parse_filters
from reception import stats
from reception.models import Appeal

FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Query:
    period: stats.Period
    region: Region | None
    agency: Agency | None


@dataclass(frozen=True)
class Dataset:
    fields: Callable[[Query], list[str]]
    rows: Callable[[Query], Iterable[dict[str, Any]]]
    description: str


# --- Statistics ---------------------------------------------------------------------------

RECORD_FIELDS = list(stats.EMPTY.as_dict())
AGENCY_FIELDS = [
    "agency",
    "agency_name_kk",
    "agency_name_ru",
    "agency_name_en",
    "agency_kind",
    "region",
    "superior_agency",
    "period_start",
    "period_end",
]


def _section_fields(query: Query) -> list[str]:
    found = transparency.sections(query.agency, query.period, query.region)
    return [f"{s.key}_{f.key}" for s in found for f in s.figures]


def statistics_fields(query: Query) -> list[str]:
    return [*AGENCY_FIELDS, "rank", *RECORD_FIELDS, *_section_fields(query)]


def statistics_rows(query: Query) -> Iterator[dict[str, Any]]:
    """One row per agency (or the one asked for), ranked by answers on time."""
    rows, _total = transparency.ranking(period=query.period, region=query.region)
    for row in rows:
        agency = row.agency
        if query.agency is not None and agency.pk != query.agency.pk:
            continue
        extra = {
            f"{s.key}_{f.key}": f.value
            for s in transparency.sections(agency, query.period, query.region)
            for f in s.figures
        }
        yield {
            "agency": agency.slug,
            "agency_name_kk": agency.name_kk,
            "agency_name_ru": agency.name_ru,
            "agency_name_en": agency.name_en,
            "agency_kind": agency.kind,
            "region": agency.region.slug if agency.region else None,
            "superior_agency": agency.parent.slug if agency.parent else None,
            "period_start": query.period.start,
            "period_end": query.period.end,
            "rank": row.rank,
            **row.record.as_dict(),
            **extra,
        }


# --- Published appeals ----------------------------------------------------------------------

APPEAL_FIELDS = [
    "tracking_number",
    "kind",
    "subject",
    "text",
    "state",
    "agency",
    "official",
    "registered_on",
    "answer",
    "outcome",
    "answered_at",
    "reopened",
    "url",
]


def appeal_rows(query: Query) -> Iterator[dict[str, Any]]:
    """Public, published appeals registered in the period, oldest first."""
    appeals = Appeal.objects.filter(is_visible=True).select_related("agency", "official")
    if query.period.start:
        appeals = appeals.filter(registered_on__gte=query.period.start)
    if query.period.end:
        appeals = appeals.filter(registered_on__lte=query.period.end)
    if query.region is not None:
        appeals = appeals.filter(agency__region=query.region)
    if query.agency is not None:
        appeals = appeals.filter(agency=query.agency)
    for appeal in appeals.order_by("submitted_at", "id").iterator(chunk_size=500):
        yield {
            "tracking_number": appeal.tracking_number,
            "kind": appeal.kind,
            "subject": appeal.subject,
            "text": appeal.text,
            "state": appeal.state,
            "agency": appeal.agency.slug,
            "official": appeal.official.slug if appeal.official else None,
            "registered_on": appeal.registered_on,
            "answer": appeal.answer,
            "outcome": appeal.outcome,
            "answered_at": appeal.answered_at,
            "reopened": appeal.reopened,
            "url": appeal.get_absolute_url(),
        }


DATASETS: dict[str, Dataset] = {
    "statistics": Dataset(
        fields=statistics_fields,
        rows=statistics_rows,
        description="How each agency keeps its deadlines in the period.",
    ),
    "appeals": Dataset(
        fields=lambda query: APPEAL_FIELDS,
        rows=appeal_rows,
        description="Published appeals with their answers.",
    ),
}


# --- The view ---------------------------------------------------------------------------------


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "code": "invalid", "message": message, "details": []}},
        status=status,
    )


def parse_query(request: HttpRequest) -> Query | str:
    """The filters asked for, or a message saying what is wrong with them."""
    form, period, region, _sort, valid = parse_filters(request.GET)
    if not valid:
        return " ".join(
            f"{field}: {error}" if field != "__all__" else str(error)
            for field, errors in form.errors.items()
            for error in errors
        )
    agency = None
    if slug := request.GET.get("agency", ""):
        agency = Agency.objects.filter(slug=slug[:50]).first()
        if agency is None:
            return _("There is no such agency.")
    return Query(period=period, region=region, agency=agency)


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def export(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """One dataset as a CSV or JSON file, streamed."""
    if dataset not in DATASETS or fmt not in FORMATS:
        return _error(_("There is no such dataset or format."), status=404)
    query = parse_query(request)
    if isinstance(query, str):
        return _error(query)
    chosen = DATASETS[dataset]
    fields = chosen.fields(query)
    rows = chosen.rows(query)
    if fmt == "csv":
        writer = csv.writer(_Echo())
        lines = (
            writer.writerow([_cell(row.get(name)) for name in fields])
            for row in _with_header(fields, rows)
        )
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        response = StreamingHttpResponse(
            _json_document(dataset, query, fields, rows), content_type="application/json"
        )
    response["Content-Disposition"] = f'attachment; filename="{dataset}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _with_header(fields: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield {name: name for name in fields}
    yield from rows


def _json_document(
    dataset: str, query: Query, fields: list[str], rows: Iterable[dict[str, Any]]
) -> Iterator[str]:
    """``{"dataset", "period", "fields", "rows": [...]}``, written row by row."""
    head = {
        "dataset": dataset,
        "period": {"start": query.period.start, "end": query.period.end},
        "region": query.region.slug if query.region else None,
        "agency": query.agency.slug if query.agency else None,
        "fields": fields,
    }
    opening = json.dumps(head, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield opening[:-1] + ', "rows": ['
    for index, row in enumerate(rows):
        data = {name: row.get(name) for name in fields}
        yield ("," if index else "") + json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "]}"
