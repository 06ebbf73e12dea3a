"""The "Search a face" page: link from the incident, the frame, the form's search and refusals; and a
browser test that draws a box with the mouse (desktop) and a finger-sized viewport (phone)."""

import os
from pathlib import Path

import pytest

from cases.models import Case, CaseAccess
from recognition.models import PossibleMatch
from tests.conftest import browser_login, signed_in
from tests.recognition.test_region import WHY, _clip, _drawn, _media, _video, enrolled  # noqa: F401

pytestmark = [pytest.mark.deepface]


def _page(evidence) -> str:
    return f"/recognition/evidence/{evidence.pk}/search/"


def _form(box, *, t="2", justification=WHY) -> dict:
    return dict(zip(("x", "y", "w", "h"), box, strict=True)) | {"t": t, "justification": justification}


@pytest.fixture
def small_face(world, enrolled, face_engine, tmp_path):  # noqa: F811
    scene = _clip(tmp_path, face_engine, "img2.jpg")
    return scene, _video(world, scene)


@pytest.mark.django_db
def test_police_get_a_search_link_per_exhibit_and_shop_staff_do_not(world, small_face):
    _, evidence = small_face
    incident_page = f"/incidents/{evidence.incident_id}/"
    for user in (world.a.officer, world.a.admin):
        html = signed_in(user).get(incident_page).content.decode()
        assert f'href="{_page(evidence)}">Search a face</a>' in html
    assert b"Search a face" not in signed_in(world.a.worker).get(incident_page).content


@pytest.mark.django_db
def test_the_page_shows_the_frame_and_the_videos_length(world, small_face):
    _, evidence = small_face
    page = signed_in(world.a.officer).get(_page(evidence), {"t": "2"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'src="/api/recognition/evidence/{evidence.pk}/frame/?t=2"' in html
    assert 'width="1920" height="1080"' in html and "0 to 3.0" in html and 'id="id_justification"' in html
    assert "recognition/region-search.js" in html
    assert not CaseAccess.objects.exists()  # the page itself shows no CCTV; the frame request is logged
    frame = signed_in(world.a.officer).get(f"/api/recognition/evidence/{evidence.pk}/frame/?t=2")
    assert frame.status_code == 200 and CaseAccess.objects.get().kind == CaseAccess.Kind.VIEW_EVIDENCE


@pytest.mark.django_db
def test_shop_workers_get_403_and_other_forces_404(world, small_face):
    _, evidence = small_face
    assert signed_in(world.a.worker).get(_page(evidence)).status_code == 403
    assert signed_in(world.a.worker).post(_page(evidence), _form([1, 1, 20, 20])).status_code == 403
    assert signed_in(world.b.officer).get(_page(evidence)).status_code == 404
    assert signed_in(world.b.admin).post(_page(evidence), _form([1, 1, 20, 20])).status_code == 404
    assert signed_in(world.a.officer).get("/recognition/evidence/99999999999999999999/search/").status_code == 404
    assert not CaseAccess.objects.exists()


@pytest.mark.django_db
def test_the_form_searches_and_links_the_case(world, small_face, settings):
    scene, evidence = small_face
    response = signed_in(world.a.officer).post(_page(evidence), _form(_drawn(scene.face)))
    assert response.status_code == 200
    case = Case.objects.get()
    html = response.content.decode()
    assert "Possible match" in html and f'<a href="/cases/{case.pk}/">Case {case.pk}</a> raised' in html
    assert PossibleMatch.objects.get().source == PossibleMatch.Source.OFFICER
    search = CaseAccess.objects.get(kind=CaseAccess.Kind.SEARCH)
    assert (search.user, search.justification, search.case) == (world.a.officer, WHY, case)


@pytest.mark.django_db
def test_no_match_says_nothing_was_kept(world, enrolled, face_engine, tmp_path, settings):  # noqa: F811
    scene = _clip(tmp_path, face_engine, "img17.jpg")
    evidence = _video(world, scene)
    before = _media(settings)
    response = signed_in(world.a.officer).post(_page(evidence), _form(_drawn(scene.face)))
    assert response.status_code == 200 and b"No match: nothing kept" in response.content
    assert not PossibleMatch.objects.exists() and _media(settings) == before
    assert CaseAccess.objects.filter(kind=CaseAccess.Kind.SEARCH).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"x": "", "y": "", "w": "", "h": "", "t": "2", "justification": WHY}, "Draw a box round the face"),
        (_form([100, 100, 40, 40], justification="why"), "at least 10 characters"),
        (_form([1900, 100, 40, 40]), "outside the frame"),
        (_form([100, 100, 4, 40]), "too small"),
        (_form([100, 100, 40, 40], t="9"), "The video lasts 3.0 s"),
        (_form([100, 100, 40, 40], t="later"), "The time must be a number"),
        (_form([100, 100, 40, 40], justification="Suspect at\x00 the till"), "cannot be stored"),
    ],
)
def test_refusals_say_why_and_write_nothing(world, small_face, settings, form, says):
    _, evidence = small_face
    before = _media(settings)
    response = signed_in(world.a.officer).post(_page(evidence), form)
    assert response.status_code == 400 and says in response.content.decode()
    assert b"The search was not run" in response.content
    assert not CaseAccess.objects.exists() and not PossibleMatch.objects.exists() and _media(settings) == before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_officer_draws_a_box_on_the_frame_and_gets_a_case(world, enrolled, face_engine, tmp_path, browser_page):  # noqa: F811
    scene = _clip(tmp_path, face_engine, "img2.jpg")
    evidence = _video(world, scene)
    shots = Path(os.environ.get("REGION_SCREENSHOTS", tmp_path))
    page = browser_page
    browser_login(page, world.a.officer.username)
    page.goto(f"{page.base_url}/incidents/{evidence.incident_id}/")
    page.click("text=Search a face")
    page.fill("#id_time", "2")
    page.click("#time-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('#frame').src.endsWith('t=2')")
    page.wait_for_function("() => document.querySelector('#frame').complete")
    page.select_option("#id_zoom", "4")  # a 24 px face is small at "Fit"
    page.wait_for_timeout(200)
    frame = page.locator("#frame").bounding_box()
    ratio = frame["width"] / 1920
    x, y, w, h = _drawn(scene.face)
    page.eval_on_selector(
        "#frame-scroll", f"el => {{ el.scrollLeft = {x * ratio - 100}; el.scrollTop = {y * ratio - 100}; }}"
    )
    frame = page.locator("#frame").bounding_box()
    page.mouse.move(frame["x"] + x * ratio, frame["y"] + y * ratio)
    page.mouse.down()
    page.mouse.move(frame["x"] + (x + w / 2) * ratio, frame["y"] + (y + h / 2) * ratio, steps=4)
    page.mouse.move(frame["x"] + (x + w) * ratio, frame["y"] + (y + h) * ratio, steps=4)
    page.mouse.up()
    drawn = [int(page.input_value(f"#id_{n}")) for n in "xywh"]
    assert all(abs(a - b) <= 2 for a, b in zip(drawn, (x, y, w, h), strict=True)), drawn
    assert page.is_visible("#box-overlay")
    page.screenshot(path=str(shots / "region-desktop-drawn.png"))
    page.fill("#id_justification", WHY)
    page.click("#search-button")
    page.wait_for_selector("#region-result")
    case = Case.objects.get()
    assert page.is_visible(f"#region-result a[href='/cases/{case.pk}/']")
    assert PossibleMatch.objects.get().source == PossibleMatch.Source.OFFICER
    page.screenshot(path=str(shots / "region-desktop-result.png"), full_page=True)
    # The box searched is drawn again over the same frame, and the page fits a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert page.is_visible("#box-overlay")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "region-phone-result.png"), full_page=True)
