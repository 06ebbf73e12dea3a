"""Threat assessment: the priority an incident gets when it is logged, from the reporter's answers.

Written to be read by a force admin (the portal shows this table at /incidents/rules/):

- **P1, urgent (attend within 15 minutes)**: still happening *and* violence (a physical
  assault), someone injured, or a weapon seen or threatened.
- **P2, priority (within 4 hours)**: violence, injury, a weapon or threats that do not meet P1:
  over now, or still happening with threats but no violence, injury or weapon.
- **P3, routine (within 48 hours)**: everything else (theft, verbal abuse, criminal damage,
  anti-social behaviour, other) with no violence, injury, weapon or threats.

"Violence" is the physical assault category; "threats" is the threats category. Injury and a
weapon count alongside violence.
The first rule that matches wins, and its reason is stored with the incident.
"""

from dataclasses import dataclass

from incidents.models import Incident

C = Incident.Category
P = Incident.Priority

RESPONSE_TARGET_MINUTES = {P.P1: 15, P.P2: 4 * 60, P.P3: 48 * 60}


@dataclass(frozen=True)
class Assessment:
    priority: str
    reason: str
    response_target_minutes: int


@dataclass(frozen=True)
class Rule:
    priority: str
    summary: str


RULES = (
    Rule(P.P1, "Still happening and violence, injury or a weapon: urgent, attend within 15 minutes."),
    Rule(P.P2, "Violence, injury, a weapon or threats that are not urgent (over, or threats only): within 4 hours."),
    Rule(P.P3, "Everything else: routine, within 48 hours."),
)


def _factors(*, category: str, injured: bool, weapon: bool) -> list[str]:
    factors = []
    if category == C.PHYSICAL_ASSAULT:
        factors.append("violence")
    if injured:
        factors.append("injury")
    if weapon:
        factors.append("weapon")
    return factors


def assess(*, category: str, ongoing: bool, injured: bool, weapon: bool) -> Assessment:
    """The priority, its reason (in words) and the response target for these answers."""
    serious = _factors(category=category, injured=injured, weapon=weapon)
    threats = category == C.THREATS
    if ongoing and serious:
        return _assessment(P.P1, f"Still happening with {_words(serious)}.")
    if serious:
        extra = " and threats" if threats else ""
        return _assessment(P.P2, f"{_words(serious).capitalize()}{extra}, no longer happening.")
    if threats:
        when = "still happening" if ongoing else "no longer happening"
        return _assessment(P.P2, f"Threats, {when}, with no violence, injury or weapon.")
    label = C(category).label.lower() if category in C.values else "other"
    when = "still happening" if ongoing else "no longer happening"
    return _assessment(P.P3, f"{label.capitalize()}, {when}, with no violence, injury, weapon or threats.")


def _words(factors: list[str]) -> str:
    return factors[0] if len(factors) == 1 else ", ".join(factors[:-1]) + " and " + factors[-1]


def _assessment(priority: str, reason: str) -> Assessment:
    return Assessment(priority=str(priority), reason=reason, response_target_minutes=RESPONSE_TARGET_MINUTES[priority])
