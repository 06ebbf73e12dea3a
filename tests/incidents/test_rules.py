"""The threat assessment rules, over every combination of answers."""

import itertools

import pytest

from incidents.models import Incident
from incidents.rules import RESPONSE_TARGET_MINUTES, assess

C = Incident.Category
CASES = list(itertools.product(C.values, [False, True], [False, True], [False, True]))


def expected(category: str, ongoing: bool, injured: bool, weapon: bool) -> str:
    violence = category == C.PHYSICAL_ASSAULT
    if ongoing and (violence or injured or weapon):
        return "P1"
    if violence or injured or weapon or category == C.THREATS:
        return "P2"
    return "P3"


@pytest.mark.parametrize(("category", "ongoing", "injured", "weapon"), CASES)
def test_every_combination_of_answers(category, ongoing, injured, weapon):
    result = assess(category=category, ongoing=ongoing, injured=injured, weapon=weapon)
    assert result.priority == expected(category, ongoing, injured, weapon)
    assert result.response_target_minutes == RESPONSE_TARGET_MINUTES[result.priority]
    assert result.reason and len(result.reason) <= 255


def test_all_combinations_are_covered():
    assert len(CASES) == 7 * 8


def test_response_targets():
    assert RESPONSE_TARGET_MINUTES == {"P1": 15, "P2": 240, "P3": 2880}


@pytest.mark.parametrize(
    ("answers", "priority", "reason"),
    [
        ({"category": "physical_assault", "ongoing": True, "injured": False, "weapon": False}, "P1",
         "Still happening with violence."),
        ({"category": "theft", "ongoing": True, "injured": True, "weapon": True}, "P1",
         "Still happening with injury and weapon."),
        ({"category": "physical_assault", "ongoing": True, "injured": True, "weapon": True}, "P1",
         "Still happening with violence, injury and weapon."),
        ({"category": "threats", "ongoing": False, "injured": False, "weapon": True}, "P2",
         "Weapon and threats, no longer happening."),
        ({"category": "physical_assault", "ongoing": False, "injured": True, "weapon": False}, "P2",
         "Violence and injury, no longer happening."),
        ({"category": "threats", "ongoing": True, "injured": False, "weapon": False}, "P2",
         "Threats, still happening, with no violence, injury or weapon."),
        ({"category": "verbal_abuse", "ongoing": True, "injured": False, "weapon": False}, "P3",
         "Verbal abuse, still happening, with no violence, injury, weapon or threats."),
        ({"category": "theft", "ongoing": False, "injured": False, "weapon": False}, "P3",
         "Theft, no longer happening, with no violence, injury, weapon or threats."),
    ],
)  # fmt: skip
def test_reasons_read_plainly(answers, priority, reason):
    result = assess(**answers)
    assert (result.priority, result.reason) == (priority, reason)


def test_ongoing_alone_is_not_urgent():
    assert assess(category="criminal_damage", ongoing=True, injured=False, weapon=False).priority == "P3"


@pytest.mark.parametrize(("category", "ongoing", "injured", "weapon"), CASES)
def test_call_999_advice(category, ongoing, injured, weapon):
    incident = Incident(category=category, ongoing=ongoing, injured=injured, weapon=weapon)
    in_danger = ongoing and (injured or weapon or category in ("physical_assault", "threats"))
    assert incident.danger_now is in_danger
    if in_danger:  # whenever staff are told to call 999, the incident is at least P2
        assert assess(category=category, ongoing=ongoing, injured=injured, weapon=weapon).priority in ("P1", "P2")
