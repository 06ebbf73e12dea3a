"""seed_demo: the demo a new user meets on `make run`, built with the real face model from the photographs in
the repository (never ../shared), idempotent and quick."""

import datetime
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.management.commands import seed_demo
from accounts.models import Beat, Force, Store, User
from cases.models import Case, CaseDecision
from cases.selectors import cases_for
from dashboards import figures
from incidents.models import Incident, WitnessStatement
from orders import geo
from orders.models import Offender, Order, Prohibition
from orders.selectors import orders_in_force
from people.models import CBOApplication, IncidentLink, PeopleEvent, PersonOfInterest
from people.selectors import persistent_ranking
from recognition import engine
from recognition.models import EvidenceProcessing, FaceTemplate
from recognition.weights import WeightsMissing
from tests.a11y import save_screenshots
from tests.conftest import browser_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
REPO = Path(__file__).resolve().parents[2]
# `make run` seeds on every start: a few seconds on a laptop (engine load, three enrolments, one match).
SEED_SECONDS_MAX = 30


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _seed(**options) -> float:
    started = time.monotonic()
    call_command("seed_demo", **options)
    return time.monotonic() - started


def test_first_minute_breach_case_from_the_real_model_and_a_second_run_adds_nothing(capsys):
    first = _seed(base_url="http://127.0.0.1:8010/")
    counts = _row_counts()
    second = _seed()
    assert _row_counts() == counts  # nothing made twice
    assert first < SEED_SECONDS_MAX

    offender = Offender.objects.get(family_name="Marsh")
    order = Order.objects.get(case_reference="DEMO-CBO-0001")
    assert order.offender == offender and order.served_on is not None
    assert order in orders_in_force(at=timezone.now())
    premises = order.prohibitions.get(kind=Prohibition.Kind.PREMISES)
    demo_store = Store.objects.get(code="NW-ALS")
    assert list(premises.stores.all()) == [demo_store]
    # Enrolled through the workflow the admin and the API use: a template per photo, of the current model.
    assert offender.photos.count() == 2
    templates = FaceTemplate.objects.filter(offender=offender)
    assert templates.count() == 2 and {t.model_version for t in templates} == {engine.current_model_version()}

    incident = Incident.objects.get(submission_key=seed_demo._key("breach"))
    processing = EvidenceProcessing.objects.get(evidence__incident=incident)
    assert processing.status == "done" and processing.result == "match" and processing.matches == 1
    case = Case.objects.get(incident=incident)
    assert case.offender == offender and case.is_breach and case.breach_prohibition == premises
    assert case.best_match.distance <= processing.threshold
    assert case.status == Case.Status.AWAITING_REVIEW
    officer = User.objects.get(username="officer")
    assert case in cases_for(officer) and case in cases_for(User.objects.get(username="officer2"))
    assert WitnessStatement.objects.get(incident=incident).truth_declaration

    out = capsys.readouterr().out
    assert "Sign in at http://127.0.0.1:8010/" in out and "password" in out
    assert f"case {case.reference}" in out and "possible breach" in out
    with capsys.disabled():
        print(f"\nseed_demo: first run {first:.1f} s, second run {second:.1f} s")


def test_demo_world_has_what_the_home_pages_and_charts_show():
    _seed()
    assert Force.objects.get().name == "Cheshire Constabulary"
    assert sorted(User.objects.values_list("username", "role")) == [
        ("forceadmin", "force_admin"),
        ("officer", "beat_officer"),
        ("officer2", "beat_officer"),
        ("shopworker", "shop_worker"),
        ("valuworker", "shop_worker"),
    ]
    assert all(u.is_demo for u in User.objects.all())
    assert all(u.collar_number for u in User.objects.filter(role__in=["beat_officer", "force_admin"]))
    assert Store.objects.count() == 3 and all(s.phone for s in Store.objects.all())
    for beat in Beat.objects.all():
        assert geo.validate_polygon(beat.boundary) == beat.boundary
        for store in beat.stores.all():
            assert geo.polygon_contains(beat.boundary, lat=store.latitude, lon=store.longitude), store
    officer = User.objects.get(username="officer")

    urgent = Incident.objects.get(priority="P1", status="received", store__beat__in=officer.beats.all())
    assert timezone.now() - urgent.created_at < datetime.timedelta(minutes=5)
    history = Incident.objects.exclude(evidence__isnull=False).exclude(pk=urgent.pk)
    assert history.count() >= 30
    assert history.values("store").distinct().count() == 3
    assert history.values("category").distinct().count() >= 5
    assert set(history.values_list("priority", flat=True)) >= {"P2", "P3"}
    assert set(history.values_list("status", flat=True)) == {"received", "with_police", "closed"}
    days = [i.created_at for i in history]
    assert max(days) - min(days) > datetime.timedelta(weeks=4)  # reported over several weeks, for the charts

    second = Order.objects.get(case_reference="DEMO-CBO-0002")
    today = timezone.localdate()
    assert second in orders_in_force(at=timezone.now()) and today < second.ends_on <= today + datetime.timedelta(30)
    assert FaceTemplate.objects.filter(offender=second.offender).count() == 1
    # The second person is not matched to the demo CCTV.
    assert not Case.objects.filter(offender=second.offender).exists()


def test_an_earlier_breach_was_reviewed_so_the_review_time_chart_has_a_point(settings):
    """Kelly Marsh three weeks ago at the same store: raised by the pipeline, confirmed by the officer and
    corroborated by officer2 (two people), dated as it happened; it waits in nobody's queue, so the officer still
    finds one case awaiting review."""
    settings.DASHBOARD_CASE_REVIEW_TARGET_HOURS = 24
    _seed()
    call_command("seed_demo")  # nothing reviewed twice
    incident = Incident.objects.get(submission_key=seed_demo._key("earlier-breach"))
    case = Case.objects.get(incident=incident)
    officer, officer2 = User.objects.get(username="officer"), User.objects.get(username="officer2")
    assert case.offender.family_name == "Marsh" and case.is_breach and case.status == Case.Status.ACTIONED
    review = CaseDecision.objects.get(case=case, stage=CaseDecision.Stage.REVIEW)
    corroboration = CaseDecision.objects.get(case=case, stage=CaseDecision.Stage.CORROBORATION)
    assert (review.outcome, review.decided_by, corroboration.decided_by) == ("confirmed", officer, officer2)
    assert corroboration.outcome == CaseDecision.Outcome.SUMMONS
    assert review.decided_at - incident.created_at == seed_demo.EARLIER_TIMES[Case.Status.CONFIRMED]
    ago = timezone.now() - incident.created_at
    assert datetime.timedelta(days=18) < ago < datetime.timedelta(days=20)
    # The case's history reads in order, dated as the demo tells it.
    assert list(case.events.order_by("created_at", "pk").values_list("kind", flat=True))[0] == "raised"
    assert max(case.events.values_list("created_at", flat=True)) == corroboration.decided_at

    # The force admin's chart has its point; the officer's queue still holds the one case awaiting review.
    chart = figures.review_times_by_month(User.objects.get(username="forceadmin"), today=timezone.localdate())
    points = [h for h in chart.series[0].values if h is not None]
    assert points == [5.6] and "1 of 1 review" in chart.description
    waiting = cases_for(officer).filter(status=Case.Status.AWAITING_REVIEW)
    assert [c.incident.submission_key for c in waiting] == [seed_demo._key("breach")]


def test_a_persistent_offender_linked_by_an_officer_to_incidents_at_two_stores():
    _seed()
    call_command("seed_demo")  # a second run links nothing twice, nor starts another application
    person = PersonOfInterest.objects.get(family_name="Corran")
    assert person.offender is None and person.date_of_birth is not None and person.description
    links = IncidentLink.objects.filter(person=person, withdrawn_at__isnull=True).select_related("incident__store")
    assert links.count() == len(seed_demo.PERSISTENT_INCIDENTS) == 4
    assert {link.incident.store.code for link in links} == {"NW-ALS", "NW-CRW"}
    assert {link.identified_by for link in links} == {"staff_knowledge", "cctv_viewed"}
    officer2 = User.objects.get(username="officer2")
    assert {link.created_by for link in links} == {officer2}
    # Made through people.services: each link and the person audited once.
    assert PeopleEvent.objects.filter(kind="link_added", person=person).count() == 4
    assert PeopleEvent.objects.filter(kind="person_created", person=person).count() == 1
    threat = Incident.objects.get(person_links__person=person, category="threats")
    assert WitnessStatement.objects.get(incident=threat).truth_declaration
    today = timezone.localdate()
    days = sorted(timezone.localtime(link.incident.occurred_at).date() for link in links)
    assert today - datetime.timedelta(days=150) < days[0] and days[-1] < today  # the last few months
    # The officer covering both beats sees him ranked persistent; the Alsager officer sees only the Alsager links.
    ranking = persistent_ranking(officer2, since=today - datetime.timedelta(days=365), until=today)
    top = ranking[0]
    assert (top.person, top.incidents, top.stores, top.violent_or_threatening, top.persistent) == (
        person,
        4,
        2,
        1,
        True,
    )
    alsager = persistent_ranking(User.objects.get(username="officer"), since=today - datetime.timedelta(days=365),
                                 until=today)  # fmt: skip
    assert [(row.person, row.incidents) for row in alsager] == [(person, 2)]
    # A draft application for him, with the two prohibitions proposed and the officer's summary, ready to build.
    application = CBOApplication.objects.get(person=person)
    assert application.status == CBOApplication.Status.DRAFT and application.reference.startswith("CBO-")
    assert application.created_by == officer2 and "threatened" in application.summary
    proposed = list(application.proposed_prohibitions.order_by("pk"))
    assert [p.kind for p in proposed] == ["premises", "retailer_area"] and all(p.reason for p in proposed)
    assert {s.code for s in proposed[0].stores.all()} == {"NW-ALS", "NW-CRW"}
    assert [b.name for b in proposed[1].beats.all()] == ["Crewe Town"]


def test_photos_ship_in_the_repository_with_their_licence():
    folder = seed_demo.PHOTOS
    assert folder.is_relative_to(REPO) and (folder / "LICENSE").read_text().startswith("MIT License")
    readme = (folder / "README.md").read_text()
    for name in [seed_demo.CCTV, *(p for o in (seed_demo.OFFENDER, seed_demo.SECOND_OFFENDER) for p, _, _ in o.photos)]:
        assert (folder / name).is_file() and name in readme


def test_without_the_face_model_the_rest_is_seeded_and_a_later_run_adds_the_case(monkeypatch, capsys):
    def missing():
        raise WeightsMissing("The face_recognition_models package is not installed: run `make install`.")

    with monkeypatch.context() as patched:
        patched.setattr(engine, "get_engine", missing)
        call_command("seed_demo")
    assert "not recorded" in capsys.readouterr().err
    assert User.objects.count() == 5 and Incident.objects.filter(priority="P1", status="received").exists()
    assert not Offender.objects.exists() and not Case.objects.exists()
    call_command("seed_demo")  # the model is back
    waiting = Case.objects.get(status=Case.Status.AWAITING_REVIEW)
    assert waiting.is_breach and Offender.objects.count() == 2
    assert Case.objects.filter(status=Case.Status.ACTIONED).count() == 1  # the earlier breach, reviewed too


def test_seed_demo_refused_outside_embedded_default(settings):
    settings.DEMO_LOGINS_ALLOWED = False
    with pytest.raises(CommandError, match="embedded default"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_first_minute_in_a_browser_the_officer_opens_the_demo_case(browser_page):
    """The README's walk-through: sign in as the officer, find the demo case in Cases, open it with a reason and
    see both faces. Screenshots go to RETRACE_SCREENSHOTS when it is set."""
    call_command("seed_demo", verbosity=0)
    case = Case.objects.get(offender__family_name="Marsh", status=Case.Status.AWAITING_REVIEW)
    page = browser_page
    browser_login(page, "officer", seed_demo.DEMO_PASSWORD)
    _shots(page, "officer-home")
    page.goto(f"{page.base_url}/cases/")
    _shots(page, "officer-cases")
    page.click(f"a:text-is('{case.reference}')")
    page.fill("#id_justification", "Triage of retail crime cases for my beat")
    page.click("form button[type=submit]:text('Open case')")
    page.wait_for_load_state()
    assert case.reference in page.inner_text("main") and "Kelly Marsh" in page.inner_text("main")
    faces = page.locator("main img")
    assert faces.count() >= 2
    assert page.evaluate("() => Array.from(document.querySelectorAll('main img')).every(i => i.naturalWidth > 0)")
    _shots(page, "officer-demo-case")
    # The force admin's home page has weeks of incidents to chart.
    page.context.clear_cookies()
    browser_login(page, "forceadmin", seed_demo.DEMO_PASSWORD)
    _shots(page, "forceadmin-home")


def _shots(page, name: str) -> None:
    save_screenshots(page, name)
