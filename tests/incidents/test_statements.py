"""Witness statements (MG11): made by shop staff of the incident's store, in the portal and the API; the
statement-of-truth declaration and a typed signature in the witness's name are required; never edited; the
contact part (not for disclosure) is shown to police users only; each statement is audited.

Who sees the contact part: police users of the incident's force (the officer in the case and the force's
admins). Shop staff, the witness included, do not: once signed, the statement goes to the police and the
contact part is kept apart from it, as on the paper MG11."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import IncidentEvent, WitnessStatement
from tests.conftest import client_for, signed_in
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def statement_data(**overrides) -> dict:
    data = {
        "witness_name": "Sam Patel",
        "occupation": "Store manager",
        "statement": "At about 16:05 I saw a man in a grey hoodie fill a bag with bottles of spirits and leave.",
        "truth_declaration": "on",
        "signature": "Sam Patel",
        "signed_on": timezone.localdate().isoformat(),
        "contact_phone": "07700 900123",
        "contact_email": "sam.patel@example.org",
        "contact_address": "3 Mill Lane, Alsager ST7 2AB",
    }
    data.update(overrides)
    return data


@pytest.fixture
def incident(world):
    return IncidentFactory(
        store=world.a.store, reported_by=world.a.worker, occurred_at=timezone.now() - timedelta(hours=3)
    )


def test_the_form_states_the_mg11_declaration_and_marks_the_contact_part(world, incident):
    world.a.worker.first_name, world.a.worker.last_name = "Jo", "Bloggs"
    world.a.worker.save()
    html = signed_in(world.a.worker).get(f"/incidents/{incident.pk}/statements/new/").content.decode()
    assert "I shall be liable to prosecution if I have wilfully stated in it anything which I know to be" in html
    assert "true to the best of my knowledge and belief" in html
    assert "Part 2: how to contact you (not for disclosure)" in html
    assert 'value="Jo Bloggs"' in html  # the witness's own name, from the account


def test_a_shop_worker_signs_a_statement_from_the_incident_page(world, incident):
    client = signed_in(world.a.worker)
    assert f"/incidents/{incident.pk}/statements/new/" in client.get(f"/incidents/{incident.pk}/").content.decode()
    response = client.post(f"/incidents/{incident.pk}/statements/new/", statement_data(), follow=True)
    assert response.redirect_chain == [(f"/incidents/{incident.pk}/#statements", 302)]
    statement = WitnessStatement.objects.get()
    assert (statement.incident, statement.created_by, statement.truth_declaration) == (incident, world.a.worker, True)
    assert statement.contact_phone == "07700 900123"
    html = response.content.decode()
    assert "Your witness statement is signed and added to" in html
    assert "Witness statement of Sam Patel" in html and "grey hoodie" in html
    assert "07700 900123" not in html and "3 Mill Lane" not in html  # the contact part: police only
    assert "Make a further statement" in html
    event = IncidentEvent.objects.get(kind="statement_added")
    assert event.actor == world.a.worker and event.details["statement_id"] == statement.pk
    assert "07700" not in str(event.details)  # the audit row does not copy the contact part


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"truth_declaration": ""}, "truth_declaration", "Tick the declaration that the statement is true."),
        ({"signature": "S Patel"}, "signature", "Type your name exactly as given above, as your signature."),
        ({"signed_on": "2999-01-01"}, "signed_on", "The date cannot be in the future."),
        ({"contact_phone": "", "contact_email": "", "contact_address": ""}, "contact_phone", "at least one way"),
        ({"statement": ""}, "statement", "This field is required."),
    ],
)
def test_a_statement_is_refused_with_a_reason(world, incident, overrides, field, message):
    response = signed_in(world.a.worker).post(f"/incidents/{incident.pk}/statements/new/", statement_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WitnessStatement.objects.exists() and not IncidentEvent.objects.filter(kind="statement_added").exists()


def test_a_statement_dated_before_the_incident_is_refused(world):
    incident = IncidentFactory(store=world.a.store, occurred_at=timezone.now() - timedelta(days=10))
    day = (timezone.localdate() - timedelta(days=11)).isoformat()
    response = signed_in(world.a.worker).post(
        f"/incidents/{incident.pk}/statements/new/", statement_data(signed_on=day)
    )
    assert response.status_code == 400 and "before the incident happened" in response.content.decode()


def test_the_signature_matches_whatever_the_case_and_spacing(world, incident):
    response = signed_in(world.a.worker).post(
        f"/incidents/{incident.pk}/statements/new/", statement_data(signature="  sam   PATEL ")
    )
    assert response.status_code == 302
    assert WitnessStatement.objects.get().signature == "sam PATEL"


def test_the_database_refuses_a_statement_without_the_declaration(world, incident):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        WitnessStatement.objects.create(
            incident=incident, witness_name="X", occupation="Y", statement="Z", truth_declaration=False,
            signature="X", signed_on=timezone.localdate(),
        )  # fmt: skip


@pytest.mark.parametrize(("who", "expected"), [("a.sibling", 404), ("b.worker", 404), ("a.officer", 403)])
def test_statement_page_scope(world, incident, who, expected):
    side, role = who.split(".")
    user = getattr(getattr(world, side), "worker" if role == "sibling" else role)
    if role == "sibling":  # a worker of the same retailer's other store
        user.stores.set([world.a.sibling_store])
    response = signed_in(user).post(f"/incidents/{incident.pk}/statements/new/", statement_data())
    assert response.status_code == expected
    assert not WitnessStatement.objects.exists()


def _signed(world, incident, **overrides) -> WitnessStatement:
    from incidents.services import witness_statement_create

    data = statement_data(**overrides)
    data["truth_declaration"] = True
    data["signed_on"] = timezone.localdate()
    return witness_statement_create(incident=incident, created_by=world.a.worker, **data)


def test_police_see_the_statement_and_its_contact_part_marked_not_for_disclosure(world, incident):
    _signed(world, incident)
    html = signed_in(world.a.officer).get(f"/incidents/{incident.pk}/").content.decode()
    assert "Witness statement of Sam Patel" in html
    part = html.split("Contact details: not for disclosure", 1)[1]
    assert 'href="tel:07700900123"' in part and "sam.patel@example.org" in part and "3 Mill Lane" in part
    other_force = signed_in(world.b.officer).get(f"/incidents/{incident.pk}/")
    assert other_force.status_code == 404


def test_a_colleague_at_the_store_sees_the_statement_but_not_the_contact_part(world, incident):
    from tests.factories import UserFactory

    _signed(world, incident)
    colleague = UserFactory(role="shop_worker", force=world.a.force, stores=[world.a.store])
    html = signed_in(colleague).get(f"/incidents/{incident.pk}/").content.decode()
    assert "grey hoodie" in html
    assert "not for disclosure" not in html and "07700" not in html and "sam.patel@example.org" not in html


# --- API -----------------------------------------------------------------------------------------


def api_data(**overrides) -> dict:
    data = statement_data(**overrides)
    data["truth_declaration"] = overrides.get("truth_declaration", True)
    return data


def test_api_create_and_list(world, incident):
    url = f"/api/incidents/{incident.pk}/statements/"
    created = client_for(world.a.worker).post(url, api_data(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["witness_name"] == "Sam Patel" and body["contact"] is None  # not even for the witness
    listed = client_for(world.a.worker).get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["contact"] is None
    police = client_for(world.a.officer).get(url).json()["results"][0]
    assert police["contact"] == {
        "contact_address": "3 Mill Lane, Alsager ST7 2AB",
        "contact_phone": "07700 900123",
        "contact_email": "sam.patel@example.org",
    }
    assert IncidentEvent.objects.filter(kind="statement_added").count() == 1
    assert IncidentEvent.objects.filter(kind="viewed", details__what="statements", actor=world.a.officer).exists()


def test_api_truth_declaration_required(world, incident):
    url = f"/api/incidents/{incident.pk}/statements/"
    response = client_for(world.a.worker).post(url, api_data(truth_declaration=False), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "truth_not_declared"
    assert response.json()["fields"]["truth_declaration"] == ["Tick the declaration that the statement is true."]
    missing = api_data()
    del missing["truth_declaration"]
    assert client_for(world.a.worker).post(url, missing, format="json").status_code == 400
    assert not WitnessStatement.objects.exists()


@pytest.mark.parametrize(
    ("who", "method", "expected"),
    [
        ("b.worker", "post", 404),
        ("b.worker", "get", 404),
        ("b.officer", "get", 404),
        ("a.officer", "post", 403),
        ("a.sibling", "post", 404),
        ("a.sibling", "get", 404),
    ],
)
def test_api_scope(world, incident, who, method, expected):
    side, role = who.split(".")
    user = getattr(getattr(world, side), "worker" if role == "sibling" else role)
    if role == "sibling":
        user.stores.set([world.a.sibling_store])
    url = f"/api/incidents/{incident.pk}/statements/"
    response = getattr(client_for(user), method)(url, api_data(), format="json")
    assert response.status_code == expected
    assert not WitnessStatement.objects.exists()


def test_a_signed_statement_cannot_be_edited(world, incident):
    statement = _signed(world, incident)
    url = f"/api/incidents/{incident.pk}/statements/"
    for method in ("put", "patch", "delete"):
        assert (
            getattr(client_for(world.a.worker), method)(url, {"statement": "changed"}, format="json").status_code == 405
        )
    assert (
        client_for(world.a.worker)
        .post(url, api_data(statement="A further statement: he came back."), format="json")
        .status_code
        == 201
    )
    statement.refresh_from_db()
    assert "grey hoodie" in statement.statement
    assert WitnessStatement.objects.count() == 2


def test_a_statement_can_be_made_with_the_report(world):
    from tests.incidents.test_views import form_data

    client = signed_in(world.a.worker)
    response = client.post("/incidents/new/", {**form_data(world.a.store), "then": "statement"}, follow=True)
    from incidents.models import Incident

    incident = Incident.objects.get()
    assert response.redirect_chain == [(f"/incidents/{incident.pk}/statements/new/", 302)]
    assert f"Incident reported: {incident.reference}. Now make your statement." in response.content.decode()
    assert "Send and make a witness statement" in client.get("/incidents/new/").content.decode()
