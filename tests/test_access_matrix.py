"""The access matrix of cases (need to know).

Every role (anonymous, no role, shop worker, officer of beat X, officer of beat Y, force admin, another
force's officer and admin) against every case endpoint and page, for a case of beat X, a case of beat Y
(same force) and a case of another force. Where the case is out of the user's scope the answer must be
exactly the answer for a case that does not exist (a 404 for police, the same 401/403/302 otherwise):
status, content type and body, with the address itself blanked. Where it is in scope (the officer of
its beat, the force admin) it must not be refused. Out-of-scope users have justified opening every case
(rows written straight into the log, as if they had opened it before a reassignment), so the beat rule,
not a missing justification, is what hides it. The incident page, which lists an incident's cases to
police, and the queue and counts are checked too. The number of cells checked is printed."""

import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case, CaseAccess
from cases.services import case_raise_for_match
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import client_for, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_role", "shop_worker", "officer_x", "officer_y", "force_admin", "other_officer", "other_admin"]
# Who may open a case of each kind: beat X and beat Y are force A's two beats; "other" is force B's case.
ALLOWED = {
    "x": {"officer_x", "force_admin"},
    "y": {"officer_y", "force_admin"},
    "other": {"other_officer", "other_admin"},
}
MISSING = 2_000_000_000  # an id no row has

JUSTIFY = {"justification": "Triage of retail crime cases on my beat"}
REVIEW = {"same_person": True, "reason": "Same scar, build and jacket."}
CORROBORATE = {"action": "arrest", "corroboration": "Till receipt and staff statement", "reason": "Seen on CCTV"}
CLOSE = {"reason": "Nothing more to do here"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # with {case} and {evidence}
    data: dict | None = None
    api: bool = True


ENDPOINTS = [
    Endpoint("api detail", "get", "/api/cases/{case}/"),
    Endpoint("api justification", "post", "/api/cases/{case}/justification/", JUSTIFY),
    Endpoint("api cctv crop", "get", "/api/cases/{case}/images/cctv/"),
    Endpoint("api custody photo", "get", "/api/cases/{case}/images/reference/"),
    Endpoint("api review", "post", "/api/cases/{case}/review/", REVIEW),
    Endpoint("api corroborate", "post", "/api/cases/{case}/corroborate/", CORROBORATE),
    Endpoint("api close", "post", "/api/cases/{case}/close/", CLOSE),
    Endpoint("api pack zip", "get", "/api/cases/{case}/evidence-pack/"),
    Endpoint("api pack pdf", "get", "/api/cases/{case}/evidence-pack/?as=pdf"),
    Endpoint("page detail", "get", "/cases/{case}/", api=False),
    Endpoint("page justification", "post", "/cases/{case}/", JUSTIFY, api=False),
    Endpoint("page cctv crop", "get", "/cases/{case}/image/cctv/", api=False),
    Endpoint("page custody photo", "get", "/cases/{case}/image/reference/", api=False),
    Endpoint("page exhibit", "get", "/cases/{case}/evidence/{evidence}/", api=False),
    Endpoint("page review", "post", "/cases/{case}/review/", {"decision": "confirm", "reason": "Same scar"}, api=False),
    Endpoint("page corroborate", "post", "/cases/{case}/corroborate/", CORROBORATE, api=False),
    Endpoint("page close", "post", "/cases/{case}/close/", CLOSE, api=False),
    Endpoint("page pack pdf", "get", "/cases/{case}/pack.pdf", api=False),
    Endpoint("page pack zip", "get", "/cases/{case}/pack.zip", api=False),
]


@dataclass
class Target:
    case: Case | None  # None: a case that does not exist
    evidence_id: int

    @property
    def case_id(self) -> int:
        return self.case.pk if self.case else MISSING


@pytest.fixture
def matrix(world):
    a, b = world.a, world.b
    users = {
        "no_role": world.norole,
        "shop_worker": a.worker,
        "officer_x": a.officer,  # covers A North (a.beat)
        "officer_y": UserFactory(username="A-officer-y", role="beat_officer", force=a.force, beats=[a.other_beat]),
        "force_admin": a.admin,
        "other_officer": b.officer,
        "other_admin": b.admin,
    }
    cases = {}
    for key, store, worker in (
        ("x", a.store, a.worker),
        ("y", a.sibling_store, a.worker),
        ("other", b.store, b.worker),
    ):
        offender, _, _ = offender_barred_from(store)
        evidence = evidence_on(incident_at(store, worker))
        cases[key] = case_raise_for_match(match=possible_match(evidence, offender))
        for user in users.values():
            if user.is_police:  # the log says they justified opening it: only their scope may stop them
                CaseAccess.objects.create(
                    case=cases[key], force_id=cases[key].force_id, user=user, kind="justified", justification="x" * 12
                )
    assert cases["x"].beat == a.beat and cases["y"].beat == a.other_beat and cases["other"].force == b.force
    return users, cases


def client(users: dict, role: str, *, api: bool):
    if role == "anonymous":
        return APIClient() if api else Client()
    user = users[role]
    return client_for(user) if api else signed_in(user)


def _normalised(response, path: str) -> tuple:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace").replace(path, "<path>")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    location = response.headers.get("Location", "").replace(path, "<path>").replace(path.replace("?", "%3F"), "<path>")
    return response.status_code, response.headers.get("Content-Type", ""), location, body


def ask(users, role: str, endpoint: Endpoint, target: Target) -> tuple:
    """The answer to one request, with everything it wrote rolled back (each cell starts from the same state)."""
    path = endpoint.path.format(case=target.case_id, evidence=target.evidence_id)
    with transaction.atomic():
        c = client(users, role, api=endpoint.api)
        if endpoint.method == "get":
            response = c.get(path)
        else:
            response = c.post(path, endpoint.data, format="json") if endpoint.api else c.post(path, endpoint.data)
        answer = _normalised(response, path)
        transaction.set_rollback(True)
    return answer


def test_every_role_and_every_case_endpoint_answers_out_of_scope_as_missing(matrix, capsys):
    users, cases = matrix
    cells, leaks = 0, []
    for endpoint in ENDPOINTS:
        for role in ROLES:
            missing = ask(users, role, endpoint, Target(None, MISSING))
            for key, case in cases.items():
                evidence_id = case.best_match.evidence_id
                answer = ask(users, role, endpoint, Target(case, evidence_id))
                cells += 1
                if role in ALLOWED[key]:
                    if answer[0] in (401, 403, 404):
                        leaks.append(f"{role} refused its own {key} case at {endpoint.name}: {answer[0]}")
                elif answer != missing:
                    leaks.append(f"{role} x {endpoint.name} x case {key}: {answer[:3]} != missing {missing[:3]}")
                elif role in ("officer_x", "officer_y", "force_admin", "other_officer", "other_admin"):
                    if answer[0] != 404:  # police out of scope: not found, never refused
                        leaks.append(f"{role} x {endpoint.name} x case {key}: {answer[0]}, not 404")
    with capsys.disabled():
        print(f"\naccess matrix (case endpoints): {cells} cells checked, {len(leaks)} leaks")
    assert leaks == []
    assert cells == len(ENDPOINTS) * len(ROLES) * len(cases)
    # Nothing an out-of-scope user asked for was logged as a view (the justifications were written above).
    for key, case in cases.items():
        outsiders = [users[r] for r in ROLES if r != "anonymous" and r not in ALLOWED[key]]
        assert not CaseAccess.objects.filter(case=case, user__in=outsiders).exclude(kind="justified").exists()


def _listed(users, role: str) -> dict[str, set[int] | str]:
    """What each list tells ``role`` about cases: the queue (API and page), the counts, a beat filter."""
    api, page = client(users, role, api=True), client(users, role, api=False)
    seen: dict[str, set[int] | str] = {}
    response = api.get("/api/cases/?status=awaiting_review")
    seen["api queue"] = {row["id"] for row in response.json()["results"]} if response.status_code == 200 else "-"
    response = api.get("/api/cases/counts/")
    seen["api counts"] = str(response.json().get("awaiting_review")) if response.status_code == 200 else "-"
    html = page.get("/cases/").content.decode()
    seen["page queue"] = {int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', html)}
    return seen


def test_lists_show_exactly_the_cases_in_scope(matrix, world, capsys):
    users, cases = matrix
    cells, leaks = 0, []
    for role in ROLES:
        if role == "anonymous":
            continue
        in_scope = {cases[key].pk for key in cases if role in ALLOWED[key]}
        for name, seen in _listed(users, role).items():
            cells += 1
            expected = {"api counts": str(len(in_scope)) if in_scope else "0"}.get(name, in_scope)
            if users[role].is_police and seen != expected:
                leaks.append(f"{role} {name}: {seen} != {expected}")
            if not users[role].is_police and seen not in ("-", set()):
                leaks.append(f"{role} {name}: {seen}")
    # The incident page lists the incident's cases to police: only those they may open.
    for key, case in cases.items():
        for role in ROLES:
            if role == "anonymous":
                continue
            html = signed_in(users[role]).get(f"/incidents/{case.incident_id}/").content.decode()
            cells += 1
            if (f'href="/cases/{case.pk}/"' in html) != (role in ALLOWED[key]):
                leaks.append(f"{role} incident page of case {key} lists it: {f'/cases/{case.pk}/' in html}")
    with capsys.disabled():
        print(f"\naccess matrix (lists and incident pages): {cells} cells checked, {len(leaks)} leaks")
    assert leaks == []


def test_recognition_match_data_follows_the_beats_an_officer_covers(matrix, capsys):
    users, cases = matrix
    from recognition.models import EvidenceProcessing

    for case in cases.values():
        EvidenceProcessing.objects.create_for(case.best_match.evidence, status="done", matches=1)
    cells, leaks = 0, []
    for role in ("officer_x", "officer_y", "force_admin", "other_officer", "other_admin"):
        api = client(users, role, api=True)
        matched = {(row["incident"], row["offender"]) for row in api.get("/api/recognition/matches/").json()["results"]}
        processed = {row["evidence"] for row in api.get("/api/recognition/processing/").json()["results"]}
        for key, case in cases.items():
            allowed = role in ALLOWED[key]
            evidence_id = case.best_match.evidence_id
            detail = api.get(f"/api/recognition/processing/{evidence_id}/").status_code
            missing = api.get(f"/api/recognition/processing/{MISSING}/").status_code
            cells += 3
            if ((case.incident_id, case.offender_id) in matched) != allowed:
                leaks.append(f"{role} matches list x case {key}")
            if (evidence_id in processed) != allowed:
                leaks.append(f"{role} processing list x case {key}")
            if (detail == 200) != allowed or (not allowed and detail != missing):
                leaks.append(f"{role} processing detail x case {key}: {detail}")
    with capsys.disabled():
        print(f"\naccess matrix (recognition match data): {cells} cells checked, {len(leaks)} leaks: {leaks}")
    assert leaks == []


# Existence oracles across forces --------------------------------------------------
# A prohibition's retailer, the admin's store filter (and the premises import: tests/orders/test_imports.py)
# answer "another force's" exactly as "does not exist".


@pytest.fixture
def far_retailer(world):
    """A retailer that trades only in force B."""
    from tests.factories import RetailerFactory, StoreFactory

    retailer = RetailerFactory(name="Farside Stores")
    StoreFactory(retailer=retailer, beat=world.b.beat, code="FS-1", name="Farside Central")
    return retailer


def _blank(response, value: int) -> tuple:
    return response.status_code, response.content.decode().replace(str(value), "<id>")


def test_a_prohibitions_retailer_is_one_with_a_store_in_the_force(world, far_retailer):
    from orders.models import OrderEvent, Prohibition
    from tests.cases.factories import offender_barred_from
    from tests.factories import RetailerFactory

    a = world.a
    order = offender_barred_from(a.store)[1]
    admin = client_for(a.admin)
    url = f"/api/orders/{order.pk}/prohibitions/"
    before = (Prohibition.objects.count(), OrderEvent.objects.count())
    no_stores = RetailerFactory(name="Nowhere Yet")
    answers = []
    for retailer_id in (far_retailer.pk, no_stores.pk, 987_654, 2**70):
        r = admin.post(url, {"kind": "retailer_area", "retailer": retailer_id, "beats": [a.beat.pk]}, format="json")
        assert r.status_code == 400, r.content
        assert far_retailer.name not in r.content.decode() and "Farside" not in r.content.decode()
        assert r.json()["fields"]["retailer"] == [f"No retailer with id {retailer_id} has a store in your force."]
        answers.append(_blank(r, retailer_id))
    assert len(set(answers)) == 1, answers
    assert (Prohibition.objects.count(), OrderEvent.objects.count()) == before
    # The same through an order recorded with its prohibitions.
    payload = {
        "offender": order.offender_id,
        "court": "Crewe Magistrates' Court",
        "case_reference": "CBO/2026/0100",
        "made_on": "2026-01-05",
        "effective_from": "2026-01-05",
        "ends_on": "2027-01-04",
    }
    bodies = []
    for retailer_id in (far_retailer.pk, 987_654):
        prohibitions = [{"kind": "retailer_area", "retailer": retailer_id, "beats": [a.beat.pk]}]
        r = admin.post("/api/orders/", {**payload, "prohibitions": prohibitions}, format="json")
        bodies.append(_blank(r, retailer_id))
    assert bodies[0] == bodies[1] and bodies[0][0] == 400
    assert (Prohibition.objects.count(), OrderEvent.objects.count()) == before
    # A retailer with a store in the force is accepted and named.
    r = admin.post(url, {"kind": "retailer_area", "retailer": a.retailer.pk, "beats": [a.beat.pk]}, format="json")
    assert r.status_code == 201 and r.json()["retailer_name"] == a.retailer.name


def test_the_service_refuses_a_retailer_of_another_force_too(world, far_retailer):
    from accounts.models import Retailer
    from core.exceptions import ApplicationError
    from orders.services.prohibitions import ProhibitionInput, prohibition_add
    from tests.cases.factories import offender_barred_from

    order = offender_barred_from(world.a.store)[1]
    messages = []
    for retailer in (far_retailer, Retailer(pk=far_retailer.pk + 1000, name="")):
        data = ProhibitionInput(kind="retailer_area", retailer=retailer, beats=[world.a.beat])
        with pytest.raises(ApplicationError) as refused:
            prohibition_add(order=order, actor=world.a.admin, data=data)
        messages.append((refused.value.code, refused.value.message.replace(str(retailer.pk), "<id>")))
    assert messages[0] == messages[1]


def test_admin_store_filter_lists_only_retailers_with_stores_in_the_force(world, far_retailer):
    html = signed_in(world.a.admin).get("/admin/accounts/store/").content.decode()
    assert f"retailer__id__exact={world.a.retailer.pk}" in html
    assert f"retailer__id__exact={world.a.other_retailer_store.retailer_id}" in html
    assert f"retailer__id__exact={far_retailer.pk}" not in html and "Farside" not in html
    # Filtering on it anyway finds nothing, as for a retailer that does not exist.
    client = signed_in(world.a.admin)
    theirs = client.get(f"/admin/accounts/store/?retailer__id__exact={far_retailer.pk}")
    missing = client.get("/admin/accounts/store/?retailer__id__exact=987654")
    assert theirs.status_code == missing.status_code == 200
    assert "0 stores" in theirs.content.decode() and "0 stores" in missing.content.decode()


def test_retailers_trading_for_lists_retailers_with_a_store_in_scope(world, far_retailer):
    """The choice a prohibition's retailer offers (orders admin): another force's retailer is not there."""
    from accounts import access
    from tests.factories import RetailerFactory

    RetailerFactory(name="Nowhere Yet")  # no stores at all
    a = world.a
    for user in (a.admin, a.officer):
        names = set(access.retailers_trading_for(user).values_list("name", flat=True))
        assert names == {a.retailer.name, a.other_retailer_store.retailer.name}
    assert set(access.retailers_trading_for(a.worker)) == {a.retailer}
    assert not access.retailers_trading_for(world.norole).exists()
    assert far_retailer in access.retailers_trading_for(world.b.admin)
