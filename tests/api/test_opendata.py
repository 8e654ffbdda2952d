"""Open-data exports: documented fields, no formulas smuggled into spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from participation.opendata import APPEAL_FIELDS, RECORD_FIELDS
from reception import actions
from reception.models import Appeal
from tests.api.conftest import body

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "open-data.md"


def test_every_exported_field_is_documented(client, world):
    documented = DOCS.read_text()
    statistics = json.loads(body(client.get("/open-data/statistics.json?period=all")))
    for field in [*statistics["fields"], *APPEAL_FIELDS, *RECORD_FIELDS]:
        assert f"`{field}`" in documented, field


def test_a_formula_in_an_appeal_reaches_a_spreadsheet_as_text(client, world, published):
    actions.do_submit_appeal(
        citizen=world.alice, kind=Appeal.Kind.QUESTION, subject="=SUM(A1:A9)",
        text="-2+3", is_public=True, agency=world.almaty,
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(body(client.get("/open-data/appeals.csv")).decode())))
    assert rows[0]["subject"] == "'=SUM(A1:A9)"
    assert rows[0]["text"] == "'-2+3"
    data = json.loads(body(client.get("/open-data/appeals.json")))
    assert data["rows"][0]["subject"] == "=SUM(A1:A9)"  # JSON is not a spreadsheet


def test_an_agencys_export_holds_its_appeals_only(client, world, published):
    for agency in (world.almaty, world.mazhilis):
        actions.do_submit_appeal(
            citizen=world.alice, kind=Appeal.Kind.QUESTION, subject=f"To {agency.slug}",
            text=f"Text for {agency.slug}", is_public=True, agency=agency,
        )  # fmt: skip
    data = json.loads(body(client.get("/open-data/appeals.json?agency=mazhilis")))
    assert [row["subject"] for row in data["rows"]] == ["To mazhilis"]
    stats = json.loads(body(client.get("/open-data/statistics.json?agency=mazhilis")))
    assert [(row["agency"], row["appeals"]) for row in stats["rows"]] == [("mazhilis", 1)]


def test_unknown_datasets_and_agencies_are_refused_clearly(client, world):
    assert client.get("/open-data/people.csv").status_code == 404
    assert client.get("/open-data/appeals.xml").status_code == 404
    unknown = client.get("/open-data/appeals.csv?agency=nowhere", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.json()["error"]["message"] == "There is no such agency."
