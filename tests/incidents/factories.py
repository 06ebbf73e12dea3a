import factory
from django.utils import timezone

from incidents.models import Incident
from tests.factories import StoreFactory, UserFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident row (bypasses the service: use ``incidents.services.incident_create`` to test it)."""

    class Meta:
        model = Incident

    store = factory.SubFactory(StoreFactory)
    reported_by = factory.SubFactory(UserFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    category = Incident.Category.THEFT
    ongoing = False
    injured = False
    weapon = False
    description = "Took razor blades from the shelf and left without paying."
    priority = Incident.Priority.P3
    priority_reason = "Theft, no longer happening, with no violence, injury, weapon or threats."
    response_target_minutes = 48 * 60
    reference = factory.Sequence(lambda n: f"INC-2026-9{n:05d}")
