"""Officer pages: queue, justification gate, side-by-side faces, review forms; and the browser test."""

import datetime

import pytest
from django.core.files.base import ContentFile

from cases.models import Case, CaseAccess, CaseDecision, CaseEvent
from cases.services import case_raise_for_match
from orders.models import ReferencePhoto
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match
from tests.conftest import FACES, browser_login, require, signed_in


@pytest.mark.django_db
def test_queue_page_shows_breach_first_with_counts(world, breach_case):
    html = signed_in(world.a.officer).get("/cases/").content.decode()
    assert "Possible CBO breach" in html and breach_case.reference in html
    assert "Awaiting review: <strong>1</strong>" in html


def written() -> tuple[int, int, int]:
    return CaseDecision.objects.count(), CaseEvent.objects.count(), CaseAccess.objects.count()


@pytest.mark.django_db
def test_shop_worker_gets_403_on_case_pages(world, breach_case):
    before = written()
    c = signed_in(world.a.worker)
    assert c.get("/cases/").status_code == 403
    r = c.get(f"/cases/{breach_case.pk}/")
    assert r.status_code == 403 and b"Only police users may see cases." in r.content
    assert c.post(f"/cases/{breach_case.pk}/", {"justification": "Curious about this one"}).status_code == 403
    assert c.post(f"/cases/{breach_case.pk}/review/", {"decision": "confirm", "reason": "Same"}).status_code == 403
    assert written() == before


@pytest.mark.django_db
def test_user_without_a_role_gets_403_on_case_pages(world, breach_case):
    before = written()
    assert signed_in(world.norole).get(f"/cases/{breach_case.pk}/").status_code == 403
    assert written() == before


@pytest.mark.django_db
def test_other_force_gets_404(world, breach_case):
    before = written()
    c = signed_in(world.b.officer)
    assert c.get(f"/cases/{breach_case.pk}/").status_code == 404
    assert c.post(f"/cases/{breach_case.pk}/", {"justification": "Curious about force A"}).status_code == 404
    assert written() == before


@pytest.mark.django_db
def test_case_page_ignores_a_justification_in_the_query_string(world, breach_case):
    """DPA s.62: a justification is POSTed by the justify form, never read from a URL."""
    c = signed_in(world.a.officer)
    r = c.get(f"/cases/{breach_case.pk}/", {"justification": "Reviewing breach cases on my beat"})
    assert r.status_code == 200 and b"Say why you need to open it" in r.content and b"cctv-face" not in r.content
    assert f'action="/cases/{breach_case.pk}/"'.encode() in r.content and b'method="post"' in r.content
    assert not CaseAccess.objects.exists()
    assert c.get(f"/cases/{breach_case.pk}/image/cctv/", {"justification": "Reviewing breach cases"}).status_code == 403
    assert not CaseAccess.objects.exists()


@pytest.mark.django_db
def test_case_page_asks_for_justification_first_and_logs_it(world, breach_case):
    c = signed_in(world.a.officer)
    r = c.get(f"/cases/{breach_case.pk}/")
    assert b"Say why you need to open it" in r.content and b"cctv-face" not in r.content
    assert c.get(f"/cases/{breach_case.pk}/image/cctv/").status_code == 403
    c.post(f"/cases/{breach_case.pk}/", {"justification": "short"})
    c.post(f"/cases/{breach_case.pk}/", {"justification": "Reviewing\x00 breach cases on my beat"})
    assert not CaseAccess.objects.exists()
    r = c.post(f"/cases/{breach_case.pk}/", {"justification": "Reviewing breach cases on my beat"})
    assert r.status_code == 302 and r.url == f"/cases/{breach_case.pk}/"  # the justification is not in the URL
    r = c.get(r.url)
    assert "Opened under your justification: “Reviewing breach cases on my beat”" in r.content.decode()
    assert b'id="cctv-face"' in r.content and b'id="reference-face"' in r.content
    assert c.get(f"/cases/{breach_case.pk}/image/reference/").status_code == 200
    kinds = set(CaseAccess.objects.filter(user=world.a.officer).values_list("kind", flat=True))
    assert kinds == {"justified", "view_case", "view_image"}


@pytest.mark.django_db
def test_review_forms_walk_the_case_to_closed(world, justified):
    c = signed_in(world.a.officer)
    url = f"/cases/{justified.pk}"
    c.post(f"{url}/review/", {"decision": "confirm", "reason": "Same person: scar and jacket", "acknowledged": "yes"})
    other = signed_in(world.a.admin)  # the officer who confirmed may not corroborate
    other.post(f"{url}/corroborate/", {"action": "summons", "corroboration": "Staff statement", "reason": "Breach"})
    c.post(f"{url}/close/", {"reason": "Summons issued"})
    assert Case.objects.get(pk=justified.pk).status == Case.Status.CLOSED
    pack = c.get(f"{url}/pack.zip")
    assert pack.status_code == 200 and pack["Content-Type"] == "application/zip"


@pytest.mark.django_db
def test_review_without_reason_shows_error_and_changes_nothing(world, justified):
    c = signed_in(world.a.officer)
    c.get(f"/cases/{justified.pk}/")
    before = written()
    r = c.post(f"/cases/{justified.pk}/review/", {"decision": "confirm"})
    assert CaseDecision.objects.count() == before[0] and CaseEvent.objects.count() == before[1]
    r = c.get(r.url)
    assert b"Give the reason for this decision" in r.content
    assert Case.objects.get(pk=justified.pk).status == Case.Status.AWAITING_REVIEW


@pytest.mark.django_db
def test_access_log_page_for_admins_only(world, justified):
    before = written()
    r = signed_in(world.a.officer).get("/cases/access-log/?export=csv")
    assert r.status_code == 403 and b"Only force admins may read the access log." in r.content
    assert written() == before
    r = signed_in(world.a.admin).get("/cases/access-log/?export=csv")
    assert r.status_code == 200 and b"Triage of my beat" in r.content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_officer_opens_top_case_sees_both_faces_and_confirms(world, browser_page):
    require(FACES.is_dir(), f"face dataset missing at {FACES}")
    a = world.a
    offender, _, _ = offender_barred_from(a.store)
    photo = ReferencePhoto.objects.create(
        offender=offender,
        image=ContentFile((FACES / "img1.jpg").read_bytes(), name="img1.jpg"),
        source="Custody",
        taken_on=datetime.date(2025, 6, 1),
    )
    evidence = evidence_on(incident_at(a.store, a.worker), (FACES / "img2.jpg").read_bytes(), "till.jpg")
    case = case_raise_for_match(
        match=possible_match(evidence, offender, crop=(FACES / "img2.jpg").read_bytes(), photo=photo)
    )
    page = browser_page
    browser_login(page, a.officer.username)
    page.goto(f"{page.base_url}/cases/")
    page.click("table.queue tbody tr:first-child a")
    page.fill("#id_justification", "Triage of breach cases on my beat")
    page.click("main button[type=submit]")
    for img in ("#cctv-face", "#reference-face"):
        page.wait_for_function(f"() => document.querySelector('{img}').complete")
        assert page.eval_on_selector(img, "el => el.naturalWidth") > 100
        assert page.eval_on_selector(img, "el => el.getBoundingClientRect().width") >= 240
    page.fill("#id_reason", "Same person: face shape, eyebrows and hairline match")
    page.click("button[value=confirm]")
    page.click("text=Confirm: the same person")  # the second step
    page.wait_for_selector("text=Decision recorded.")
    case.refresh_from_db()
    assert case.status == Case.Status.CONFIRMED
    assert case.decisions.get().decided_by == a.officer


# The last 500s of the case pages --------------------------------------------------


@pytest.mark.django_db
def test_a_nul_in_a_review_form_is_refused_with_a_message_on_every_database(world, justified):
    """PostgreSQL cannot store NUL in text: the review, corroboration and closing forms answered 500 there (the
    API's serializers refuse it; the pages did not). Each is refused with a message, nothing written, and the
    same form without the NUL then goes through."""
    url = f"/cases/{justified.pk}"
    steps = [
        (
            signed_in(world.a.officer),
            "review",
            {"decision": "confirm", "reason": "Same person: scar\x00 and jacket", "acknowledged": "yes"},
        ),
        (
            signed_in(world.a.admin),
            "corroborate",
            {"action": "summons", "corroboration": "Staff\x00 statement", "reason": "Breach of the order"},
        ),
        (signed_in(world.a.admin), "close", {"reason": "Summons\x00 issued"}),
    ]
    for client, step, form in steps:
        before = written()
        status = Case.objects.get(pk=justified.pk).status
        r = client.post(f"{url}/{step}/", form)
        assert r.status_code == 302 and r.url == f"{url}/"
        assert written() == before and Case.objects.get(pk=justified.pk).status == status
        html = client.get(r.url).content.decode()
        assert "cannot be stored (NUL): remove it and send the form again." in html
        r = client.post(f"{url}/{step}/", {key: value.replace("\x00", "") for key, value in form.items()})
        assert r.status_code == 302 and CaseDecision.objects.count() == before[0] + 1
    assert Case.objects.get(pk=justified.pk).status == Case.Status.CLOSED


@pytest.mark.django_db
def test_a_nul_in_the_justification_form_is_refused_and_logs_nothing(world, breach_case):
    """The justify form goes through ``core.justification.clean_justification``, which refuses NUL."""
    c = signed_in(world.a.officer)
    r = c.post(f"/cases/{breach_case.pk}/", {"justification": "Reviewing\x00 breach cases on my beat"})
    assert r.status_code == 302 and not CaseAccess.objects.exists()
    assert "cannot be stored (NUL)" in c.get(r.url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "bytes=" + "9" * 5000 + "-",  # more digits than int() reads (4,300): was a ValueError, a 500
        "bytes=0-" + "9" * 5000,
        "bytes=-" + "9" * 5000,
        "bytes=" + "1" * 19 + "-" + "2" * 19,
        "bytes=5000000-",
        "bytes=9-3",
        "bytes=-0",
    ],
    ids=["first", "last", "suffix", "nineteen digits", "past the end", "last before first", "empty suffix"],
)
def test_a_range_header_of_any_size_is_a_range_or_a_416_never_a_500(world, justified, header):
    evidence = justified.best_match.evidence
    size = evidence.file.size
    r = signed_in(world.a.officer).get(f"/cases/{justified.pk}/evidence/{evidence.pk}/", headers={"Range": header})
    if header.startswith(("bytes=0-", "bytes=-9")):  # from the first byte, or the last N >= size: the whole file
        assert r.status_code == 206 and r["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    else:
        assert r.status_code == 416 and r["Content-Range"] == f"bytes */{size}"


@pytest.mark.django_db
def test_a_suffix_range_sends_at_most_one_chunk(world, justified, monkeypatch):
    """``bytes=-N`` read the last N bytes into memory whatever N: now at most RANGE_CHUNK, like ``bytes=a-``."""
    from cases import downloads

    monkeypatch.setattr(downloads, "RANGE_CHUNK", 100)
    evidence = justified.best_match.evidence
    size = evidence.file.size
    r = signed_in(world.a.officer).get(
        f"/cases/{justified.pk}/evidence/{evidence.pk}/", headers={"Range": "bytes=-500"}
    )
    assert r.status_code == 206 and len(r.content) == 100
    assert r["Content-Range"] == f"bytes {size - 500}-{size - 401}/{size}"
