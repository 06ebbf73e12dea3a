"""The access log's CSV from its page names who looked by username, full name and collar number."""

import csv
import io

import pytest

from cases.models import CaseAccess
from cases.services import case_justify
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

HEADER = ["when", "user", "full name", "collar number", "kind", "case", "justification", "detail"]


def _rows(response) -> list[dict]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert next(csv.reader(io.StringIO(text))) == HEADER
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_names_each_user_with_full_name_and_collar_number(world, breach_case):
    officer, admin = world.a.officer, world.a.admin
    officer.first_name, officer.last_name, officer.collar_number = "Sam", "Okafor", "PC 4521"
    officer.save()
    admin.first_name, admin.last_name, admin.collar_number = "=Dee", "Hart", ""  # a formula is written as text
    admin.save()
    case_justify(case=breach_case, user=officer, justification="Triage of my beat's retail cases")
    case_justify(case=breach_case, user=admin, justification="Checking the officer's triage")
    CaseAccess.objects.create(
        force=world.a.force, user=None, kind=CaseAccess.Kind.SEARCH, justification="Nightly search", detail=""
    )

    rows = _rows(signed_in(admin).get("/cases/access-log/", {"export": "csv"}))
    by_reason = {row["justification"]: row for row in rows}
    mine = by_reason["Triage of my beat's retail cases"]
    assert (mine["user"], mine["full name"], mine["collar number"]) == (officer.username, "Sam Okafor", "PC 4521")
    assert mine["case"] == str(breach_case.pk) and mine["kind"] == "justified"
    theirs = by_reason["Checking the officer's triage"]
    assert (theirs["user"], theirs["full name"], theirs["collar number"]) == (admin.username, "'=Dee Hart", "")
    system = by_reason["Nightly search"]
    assert (system["user"], system["full name"], system["collar number"]) == ("system", "", "")

    # The filters still select the rows.
    only = _rows(signed_in(admin).get("/cases/access-log/", {"export": "csv", "user": officer.pk}))
    assert {row["user"] for row in only} == {officer.username}
