"""Portal pages: list, report form (with files), receipt, add evidence later, rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Evidence, Incident, IncidentEvent
from tests.conftest import signed_in as browser
from tests.incidents.conftest import (
    bomb_png,
    broken_mp4,
    frameless_mkv,
    image_bytes,
    nothing_written,
    pdf_bytes,
    stored_files,
    truncated_jpeg,
    upload,
)
from tests.incidents.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def form_data(store, **overrides) -> dict:
    data = {
        "store": store.pk,
        "occurred_at": timezone.localtime(timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "category": "theft",
        "ongoing": "no",
        "injured": "no",
        "weapon": "no",
        "description": "Filled a bag with meat and left.",
        "goods_value": "45.20",
        "offender_description": "",
        "submission_key": "0b7e4f9c-3a55-4b59-9f7e-5b1f8f1f2a01",
    }
    data.update(overrides)
    return data


def test_worker_lands_on_their_incidents(world):
    mine = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    IncidentFactory(store=world.a.sibling_store, reported_by=world.a.worker)
    response = browser(world.a.worker).get("/incidents/")
    html = response.content.decode()
    assert mine.reference in html
    assert "Welcome" in html and world.a.store.name in html
    assert world.a.sibling_store.name not in html
    assert Incident.objects.count() == 2


def test_list_newest_first_and_filters(world):
    old = IncidentFactory(store=world.a.store, occurred_at=timezone.now() - timedelta(days=2))
    new = IncidentFactory(store=world.a.store, category="criminal_damage", status="closed")
    client = browser(world.a.worker)
    html = client.get("/incidents/").content.decode()
    assert html.index(new.reference) < html.index(old.reference)
    assert old.reference not in client.get("/incidents/?category=criminal_damage").content.decode()
    assert new.reference not in client.get("/incidents/?status=received").content.decode()
    assert new.reference in client.get(f"/incidents/?store={world.a.store.pk}&status=closed").content.decode()


def test_police_list_their_force_with_priority(world):
    a = IncidentFactory(store=world.a.sibling_store, priority="P1")
    b = IncidentFactory(store=world.b.store)
    html = browser(world.a.officer).get("/incidents/").content.decode()
    assert a.reference in html and b.reference not in html
    assert "P1" in html


def test_no_role_is_refused(world):
    response = browser(world.norole).get("/incidents/")
    assert response.status_code == 403
    assert "Your account has no role or force yet." in response.content.decode()


@pytest.mark.parametrize("url", ["/incidents/", "/incidents/new/", "/incidents/1/", "/incidents/1/evidence/"])
def test_signed_out_goes_to_the_login_page(world, client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_report_form_defaults(world):
    response = browser(world.a.worker).get("/incidents/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["store"].queryset) == [world.a.store]
    assert abs(form.initial["occurred_at"] - timezone.now()) < timedelta(minutes=2)
    html = response.content.decode()
    assert "call 999" in html and 'type="file"' in html and "<progress" in html
    for label in ("Theft", "Verbal abuse", "Threats", "Physical assault", "Criminal damage", "Anti-social behaviour"):
        assert label in html
    oldest = timezone.localdate() - timedelta(days=5 * 365 + 1)
    assert f"Not in the future, and not before {oldest:%-d %B %Y}." in html  # the service's bound, said up front


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_police_cannot_use_the_report_form(world, who):
    client = browser(getattr(world.a, who))
    response = client.get("/incidents/new/")
    assert response.status_code == 403
    assert "Only shop staff report incidents and add evidence." in response.content.decode()
    with nothing_written():
        assert client.post("/incidents/new/", form_data(world.a.store)).status_code == 403


def test_report_with_a_photo_shows_the_receipt(world, media_root, jpeg, enqueued, django_capture_on_commit_callbacks):
    client = browser(world.a.worker)
    data = form_data(world.a.store, files=[upload("till.jpg", jpeg, "image/jpeg")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/incidents/new/", data, follow=True)
    incident = Incident.objects.get()
    assert response.redirect_chain == [(f"/incidents/{incident.pk}/?new=1", 302)]
    html = response.content.decode()
    assert "Incident reported" in html and incident.reference in html and "Received" in html
    assert "What happens next" in html and "call 999 now" not in html
    assert "till.jpg" in html
    assert enqueued == [incident.evidence.get().pk]
    assert len(stored_files(media_root)) == 1


def test_receipt_says_call_999_when_someone_is_in_danger(world):
    data = form_data(world.a.store, category="threats", ongoing="yes", weapon="yes")
    response = browser(world.a.worker).post("/incidents/new/", data, follow=True)
    assert "call 999 now" in response.content.decode()
    assert Incident.objects.get().priority == "P1"


def test_upload_script_gets_json(world):
    response = browser(world.a.worker).post(
        "/incidents/new/", form_data(world.a.store), headers={"X-Requested-With": "XMLHttpRequest"}
    )
    assert response.json() == {"redirect": f"/incidents/{Incident.objects.get().pk}/?new=1"}


def test_a_retried_submission_files_one_incident(world):
    client = browser(world.a.worker)
    first = client.post("/incidents/new/", form_data(world.a.store))
    second = client.post("/incidents/new/", form_data(world.a.store), follow=True)
    incident = Incident.objects.get()
    assert first.url == f"/incidents/{incident.pk}/?new=1"
    assert second.redirect_chain == [(f"/incidents/{incident.pk}/", 302)]  # the incident already made
    assert f"This report was already sent as {incident.reference}: it has not been sent twice." in (
        second.content.decode()
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_at": "2999-01-01T10:00"}, "When it happened cannot be in the future."),
        ({"occurred_at": "1900-01-01T10:00"}, "When it happened cannot be more than 5 years ago (before "),
        ({"description": ""}, "This field is required."),
        ({"category": "shouting"}, "Select a valid choice."),
        ({"goods_value": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"ongoing": ""}, "This field is required."),
    ],
)
def test_bad_answers(world, overrides, message):
    with nothing_written():
        response = browser(world.a.worker).post("/incidents/new/", form_data(world.a.store, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("store_attr", ["sibling_store", "other_retailer_store"])
def test_cannot_report_for_a_store_not_theirs(world, store_attr):
    with nothing_written():
        response = browser(world.a.worker).post("/incidents/new/", form_data(getattr(world.a, store_attr)))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def bad_uploads(tmp_path):
    return [
        ([upload("report.pdf", pdf_bytes(), "application/pdf")], "the file&#x27;s contents are application/pdf"),
        ([upload("photo.jpg", image_bytes("PNG"), "image/jpeg")], "contents are a PNG image but its name ends .jpg"),
        ([upload("empty.jpg", b"", "image/jpeg")], "empty.jpg: the file is empty (0 bytes)"),
        ([upload("cut.jpg", truncated_jpeg(), "image/jpeg")], "cut.jpg: the image cannot be decoded"),
        ([upload("bomb.png", bomb_png(), "image/png")], "bomb.png: the image is too large"),
        ([upload("broken.mp4", broken_mp4(tmp_path), "video/mp4")], "broken.mp4: the video cannot be opened"),
        ([upload("stub.mkv", frameless_mkv(tmp_path))], "stub.mkv: no picture could be read"),
        (
            [upload("a.jpg", image_bytes("JPEG"), "image/jpeg"), upload("b.jpg", image_bytes("JPEG"), "image/jpeg")],
            "b.jpg: this is the same file as a.jpg",
        ),
    ]


@pytest.mark.parametrize("case", range(8))
def test_a_bad_file_in_the_report_form_does_not_stop_the_report(world, media_root, tmp_path, case):
    """The report is filed with its good files; the receipt names each refused file and why."""
    files, message = bad_uploads(tmp_path)[case]
    response = browser(world.a.worker).post("/incidents/new/", form_data(world.a.store, files=files), follow=True)
    incident = Incident.objects.get()
    assert response.redirect_chain == [(f"/incidents/{incident.pk}/?new=1", 302)]
    html = response.content.decode()
    assert f"Not added to {incident.reference}: " in html and message in html
    kept = ["a.jpg"] if case == 7 else []  # the same file twice: the first is kept
    assert list(incident.evidence.values_list("original_name", flat=True)) == kept
    assert len(stored_files(media_root)) == len(kept)


def test_good_files_are_kept_when_one_is_refused(world, media_root, jpeg, png):
    files = [upload("till.jpg", jpeg, "image/jpeg"), upload("notes.pdf", pdf_bytes()), upload("door.png", png)]
    response = browser(world.a.worker).post("/incidents/new/", form_data(world.a.store, files=files), follow=True)
    incident = Incident.objects.get()
    assert sorted(incident.evidence.values_list("original_name", flat=True)) == ["door.png", "till.jpg"]
    assert len(stored_files(media_root)) == 2
    html = response.content.decode()
    assert "notes.pdf: the file&#x27;s contents are application/pdf" in html
    assert "till.jpg" in html and "door.png" in html


def test_size_limits_in_the_report_form(world, media_root, settings, jpeg):
    settings.INCIDENT_IMAGE_MAX_BYTES = 100
    files = [upload("big.jpg", jpeg, "image/jpeg")]
    response = browser(world.a.worker).post("/incidents/new/", form_data(world.a.store, files=files), follow=True)
    assert "the limit for one image is 100 bytes" in response.content.decode()
    assert not Incident.objects.get().evidence.exists() and stored_files(media_root) == []


# --- receipt / detail and adding evidence later ------------------------------------------------


def test_detail_scope(world):
    incident = IncidentFactory(store=world.a.sibling_store)
    assert browser(world.a.worker).get(f"/incidents/{incident.pk}/").status_code == 404
    assert browser(world.b.officer).get(f"/incidents/{incident.pk}/").status_code == 404
    assert not IncidentEvent.objects.exists()
    response = browser(world.a.officer).get(f"/incidents/{incident.pk}/")
    assert response.status_code == 200
    assert incident.priority_reason in response.content.decode()
    assert IncidentEvent.objects.get().kind == "viewed"


def test_staff_see_status_not_priority_or_matches(world):
    incident = IncidentFactory(store=world.a.store, priority="P2", priority_reason="Secret-ish reason.")
    html = browser(world.a.worker).get(f"/incidents/{incident.pk}/").content.decode()
    assert "Received" in html
    assert "Secret-ish reason." not in html and "match" not in html.lower()


def test_add_evidence_later(world, media_root, jpeg, mp4, enqueued, django_capture_on_commit_callbacks):
    incident = IncidentFactory(store=world.a.store)
    client = browser(world.a.worker)
    assert client.get(f"/incidents/{incident.pk}/evidence/").status_code == 200
    files = [upload("later.jpg", jpeg, "image/jpeg"), upload("later.mp4", mp4, "video/mp4")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/incidents/{incident.pk}/evidence/", {"files": files})
    assert response.status_code == 302
    assert sorted(incident.evidence.values_list("original_name", flat=True)) == ["later.jpg", "later.mp4"]
    assert len(enqueued) == 2


@pytest.mark.parametrize("case", range(7))
def test_bad_files_added_later(world, media_root, tmp_path, case):
    incident = IncidentFactory(store=world.a.store)
    files, message = bad_uploads(tmp_path)[case]
    response = browser(world.a.worker).post(f"/incidents/{incident.pk}/evidence/", {"files": files})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists() and not IncidentEvent.objects.exists()
    assert stored_files(media_root) == []


def test_good_files_added_later_are_kept_when_one_is_refused(world, media_root, tmp_path):
    incident = IncidentFactory(store=world.a.store)
    files, message = bad_uploads(tmp_path)[7]  # the same file twice: the first is added
    response = browser(world.a.worker).post(f"/incidents/{incident.pk}/evidence/", {"files": files}, follow=True)
    assert response.redirect_chain == [(f"/incidents/{incident.pk}/?added=1", 302)]
    html = response.content.decode()
    assert f"1 CCTV file added to {incident.reference}." in html and message in html
    assert list(incident.evidence.values_list("original_name", flat=True)) == ["a.jpg"]
    assert len(stored_files(media_root)) == 1


def test_add_evidence_with_no_files(world, media_root):
    incident = IncidentFactory(store=world.a.store)
    with nothing_written(media_root):
        response = browser(world.a.worker).post(f"/incidents/{incident.pk}/evidence/", {})
    assert response.status_code == 400 and "Choose at least one file." in response.content.decode()


def test_add_evidence_scope(world, jpeg, media_root):
    incident = IncidentFactory(store=world.a.sibling_store)
    files = {"files": [upload("x.jpg", jpeg, "image/jpeg")]}
    with nothing_written(media_root):
        assert browser(world.a.worker).post(f"/incidents/{incident.pk}/evidence/", files).status_code == 404
        refused = browser(world.a.officer).post(f"/incidents/{incident.pk}/evidence/", files)
    assert refused.status_code == 403
    assert "Only shop staff report incidents and add evidence." in refused.content.decode()
    assert not Evidence.objects.exists() and stored_files(media_root) == []


def test_rules_page(world):
    html = browser(world.a.admin).get("/incidents/rules/").content.decode()
    assert "P1" in html and "15 minutes" in html and "240 minutes" in html and "2880 minutes" in html
