"""Review that is hard to get wrong: a second step that states the consequence before a
review is recorded (page and API), no default action taken, two people for confirmation and corroboration,
and "possible breach" until a match is confirmed, no breach at all once it is rejected."""

import pytest

from cases.models import Case, CaseAccess, CaseDecision, CaseEvent, MatchFeedback
from cases.services import case_corroborate, case_review, review_consequence
from core.exceptions import ApplicationError
from tests.conftest import client_for, signed_in

pytestmark = pytest.mark.django_db

REASON = "Same scar, build and jacket"
SAME_OFFICER = "You confirmed this match; another officer must corroborate it."


def written() -> tuple[int, int, int, int]:
    return (
        CaseDecision.objects.count(),
        CaseEvent.objects.count(),
        MatchFeedback.objects.count(),
        CaseAccess.objects.exclude(kind__in=["view_case", "justified"]).count(),
    )


def confirm(case, user):
    return case_review(case=case, reviewer=user, same_person=True, reason=REASON, consequence_acknowledged=True)


def corroborate(case, user, action="arrest"):
    return case_corroborate(
        case=case, officer=user, action=action, corroboration="Till receipt and staff ID", reason="Breach of CBO"
    )


# The second step: services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("same", [True, False])
def test_the_service_refuses_a_review_not_acknowledged_and_says_what_it_would_do(world, breach_case, same):
    before = written()
    with pytest.raises(ApplicationError) as err:
        case_review(case=breach_case, reviewer=world.a.officer, same_person=same, reason=REASON,
                    consequence_acknowledged=False)  # fmt: skip
    assert err.value.status_code == 400 and err.value.code == "consequence_not_acknowledged"
    assert "consequence_acknowledged" in err.value.fields
    if same:
        assert f"Confirm: this records that the person in the CCTV is {breach_case.offender.full_name}." in (
            err.value.message
        )
        assert "The case goes to corroboration: another officer records" in err.value.message
    else:
        assert err.value.message.startswith("Reject: this closes the case; the match will not be used.")
    assert "Nothing was recorded" in err.value.message
    assert written() == before and Case.objects.get(pk=breach_case.pk).status == Case.Status.AWAITING_REVIEW


def test_the_consequence_names_the_investigating_officer_when_one_officer_may_do_both(world, breach_case, settings):
    settings.CASES_SEPARATE_CORROBORATOR = False
    text = review_consequence(case=breach_case, same_person=True)
    assert "the investigating officer records the corroborating evidence" in text
    assert "another officer" not in text


# The second step: pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "consequence", "button"),
    [
        ("reject", "Reject: this closes the case; the match will not be used.", "Reject: close the case"),
        ("confirm", "Confirm: this records that the person in the CCTV is", "Confirm: the same person"),
    ],
)
def test_the_page_asks_a_second_step_that_states_the_consequence(world, justified, decision, consequence, button):
    c = signed_in(world.a.officer)
    before = written()
    r = c.post(f"/cases/{justified.pk}/review/", {"decision": decision, "reason": REASON})
    html = r.content.decode()
    assert r.status_code == 200 and consequence in html and button in html
    assert 'name="acknowledged" value="yes"' in html and f'name="decision" value="{decision}"' in html
    assert f">{REASON}</textarea>" in html  # the reasons come along, editable
    assert r["Cache-Control"].startswith("max-age=0") and "no-store" in r["Cache-Control"]
    assert written() == before and Case.objects.get(pk=justified.pk).status == Case.Status.AWAITING_REVIEW
    r = c.post(f"/cases/{justified.pk}/review/", {"decision": decision, "reason": REASON, "acknowledged": "yes"})
    assert r.status_code == 302
    expected = Case.Status.CONFIRMED if decision == "confirm" else Case.Status.REJECTED
    assert Case.objects.get(pk=justified.pk).status == expected
    assert CaseDecision.objects.filter(case=justified).count() == 1


def test_the_case_page_says_the_next_step_comes_before_anything_is_recorded(world, justified):
    html = signed_in(world.a.officer).get(f"/cases/{justified.pk}/").content.decode()
    assert "the next step tells you what it does before anything is recorded" in html
    assert "Same person: confirm…" in html and "Not the same person: reject…" in html


@pytest.mark.parametrize("decision", ["", "maybe", "CONFIRM"])
def test_a_decision_that_is_neither_is_refused_on_either_step(world, justified, decision):
    c = signed_in(world.a.officer)
    before = written()
    for extra in ({}, {"acknowledged": "yes"}):
        r = c.post(f"/cases/{justified.pk}/review/", {"decision": decision, "reason": REASON, **extra}, follow=True)
        assert "Choose a decision: same person (confirm) or not the same person (reject)." in r.content.decode()
    assert written() == before and Case.objects.get(pk=justified.pk).status == Case.Status.AWAITING_REVIEW


def test_the_second_step_is_not_offered_for_a_case_already_reviewed(world, justified):
    confirm(justified, world.a.admin)
    r = signed_in(world.a.officer).post(
        f"/cases/{justified.pk}/review/", {"decision": "reject", "reason": REASON}, follow=True
    )
    assert "cannot be reviewed now" in r.content.decode() and "Reject: close the case" not in r.content.decode()


# The second step: API --------------------------------------------------------------------------------------


def test_the_api_requires_the_acknowledgement_and_refuses_false_with_the_consequence(world, justified):
    api = client_for(world.a.officer)
    url = f"/api/cases/{justified.pk}/review/"
    before = written()
    r = api.post(url, {"same_person": False, "reason": REASON}, format="json")
    assert r.status_code == 400 and set(r.json()["fields"]) == {"consequence_acknowledged"}
    assert "a rejection closes the case" in r.json()["fields"]["consequence_acknowledged"][0]
    r = api.post(url, {"same_person": False, "reason": REASON, "consequence_acknowledged": False}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "consequence_not_acknowledged"
    assert r.json()["message"].startswith("Reject: this closes the case; the match will not be used.")
    assert written() == before and Case.objects.get(pk=justified.pk).status == Case.Status.AWAITING_REVIEW
    r = api.post(url, {"same_person": False, "reason": REASON, "consequence_acknowledged": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"


# No default action -----------------------------------------------------------------------------------------


def test_the_action_taken_has_no_default_on_the_page(world, justified):
    confirm(justified, world.a.admin)
    html = signed_in(world.a.officer).get(f"/cases/{justified.pk}/").content.decode()
    assert '<select id="id_action" name="action" required><option value="">Choose the action taken</option>' in html


@pytest.mark.parametrize("action", ["", None])
def test_a_missing_action_is_refused_with_a_clear_message(world, justified, action):
    confirm(justified, world.a.admin)
    before = written()
    with pytest.raises(ApplicationError) as err:
        corroborate(justified, world.a.officer, action=action or "")
    assert err.value.message.startswith("Choose the action taken (arrest, summons, words of advice")
    form = {"corroboration": "Staff statement", "reason": "Breach of the order"}
    if action is not None:
        form["action"] = action
    r = signed_in(world.a.officer).post(f"/cases/{justified.pk}/corroborate/", form, follow=True)
    assert "Choose the action taken" in r.content.decode()
    r = client_for(world.a.officer).post(f"/api/cases/{justified.pk}/corroborate/", form, format="json")
    assert r.status_code == 400 and "action" in r.json()["fields"]
    assert "Choose the action taken" in r.json()["fields"]["action"][0] or action == ""
    assert written() == before and Case.objects.get(pk=justified.pk).status == Case.Status.CONFIRMED


# Two people ------------------------------------------------------------------------------------------------


def test_the_officer_who_confirmed_may_not_corroborate(world, justified):
    confirm(justified, world.a.officer)
    before = written()
    with pytest.raises(ApplicationError) as err:
        corroborate(justified, world.a.officer)
    assert err.value.message == SAME_OFFICER and err.value.status_code == 403 and err.value.code == "same_officer"
    # The page says so in place of the form, and refuses a post all the same.
    c = signed_in(world.a.officer)
    html = c.get(f"/cases/{justified.pk}/").content.decode()
    assert SAME_OFFICER in html and f'action="/cases/{justified.pk}/corroborate/"' not in html
    form = {"action": "arrest", "corroboration": "Staff statement", "reason": "Breach of the order"}
    r = c.post(f"/cases/{justified.pk}/corroborate/", form, follow=True)
    assert SAME_OFFICER in r.content.decode() and '<li class="error"><span role="alert">' in r.content.decode()
    r = client_for(world.a.officer).post(f"/api/cases/{justified.pk}/corroborate/", form, format="json")
    assert r.status_code == 403 and r.json()["message"] == SAME_OFFICER and r.json()["code"] == "same_officer"
    assert written() == before and Case.objects.get(pk=justified.pk).status == Case.Status.CONFIRMED
    # Another officer may.
    r = client_for(world.a.admin).post(f"/api/cases/{justified.pk}/corroborate/", form, format="json")
    assert r.status_code == 200 and r.json()["status"] == "actioned"


def test_one_officer_may_do_both_when_the_force_turns_the_rule_off(world, justified, settings):
    settings.CASES_SEPARATE_CORROBORATOR = False
    confirm(justified, world.a.officer)
    html = signed_in(world.a.officer).get(f"/cases/{justified.pk}/").content.decode()
    assert SAME_OFFICER not in html and f'action="/cases/{justified.pk}/corroborate/"' in html
    form = {"action": "arrest", "corroboration": "Staff statement", "reason": "Breach of the order"}
    r = client_for(world.a.officer).post(f"/api/cases/{justified.pk}/corroborate/", form, format="json")
    assert r.status_code == 200 and r.json()["status"] == "actioned"
    assert [d["decided_by"] for d in r.json()["decisions"]] == [world.a.officer.username] * 2


# Possible breach, and no breach once rejected --------------------------------------------------------------


def test_before_confirmation_a_breach_is_a_possible_breach(world, justified):
    c = signed_in(world.a.officer)
    page = c.get(f"/cases/{justified.pk}/").content.decode()
    assert "Possible CBO breach" in page and "Order possibly breached" in page
    assert "the store is covered by this order if the match is confirmed" in page
    assert "Order breached</h2>" not in page
    queue = c.get("/cases/").content.decode()
    assert "Possible CBO breach" in queue
    row = client_for(world.a.officer).get("/api/cases/").json()["results"][0]
    assert row["is_breach"] is True and row["breach"] == "possible"


def test_after_confirmation_the_breach_is_shown_as_one(world, justified):
    confirm(justified, world.a.admin)
    c = signed_in(world.a.officer)
    page = c.get(f"/cases/{justified.pk}/").content.decode()
    assert '<span class="badge breach nowrap">CBO breach</span>' in page and "Possible CBO breach" not in page
    assert "Order breached</h2>" in page and "if the match is confirmed" not in page
    assert '<span class="badge breach nowrap">CBO breach</span>' in c.get("/cases/").content.decode()
    assert client_for(world.a.officer).get("/api/cases/").json()["results"][0]["breach"] == "confirmed"


def test_after_a_rejection_no_breach_is_shown_anywhere(world, justified):
    case_review(case=justified, reviewer=world.a.officer, same_person=False, reason="Different nose and ears",
                consequence_acknowledged=True)  # fmt: skip
    c = signed_in(world.a.officer)
    page = c.get(f"/cases/{justified.pk}/").content.decode()
    assert "badge breach" not in page and "Possible CBO breach" not in page and "Order breached" not in page
    assert "No breach: the reviewer found that the person in the CCTV is not" in page
    for query in ("?status=rejected", "?status=rejected&breach=yes", "?status=rejected&breach=no"):
        queue = c.get(f"/cases/{query}").content.decode()
        assert "badge breach" not in queue and "CBO breach</span>" not in queue
    assert justified.reference in c.get("/cases/?status=rejected&breach=no").content.decode()
    assert justified.reference not in c.get("/cases/?status=rejected&breach=yes").content.decode()
    api = client_for(world.a.officer)
    row = api.get("/api/cases/?status=rejected").json()["results"][0]
    assert row["is_breach"] is False and row["breach"] == "none"
    assert api.get("/api/cases/?status=rejected&breach=true").json()["count"] == 0
    assert api.get("/api/cases/?status=rejected&breach=false").json()["count"] == 1
