import datetime

import factory
from django.utils import timezone

from incidents.models import Incident
from tests.factories import StoreFactory, UserFactory

# A Monday afternoon inside the order that tests.orders.factories.OrderFactory makes (in force from
# 5 January 2026 to 4 January 2028): an incident whose CCTV a breach check or a re-search looks at
# happens then, whatever today's date is.
IN_ORDER_PERIOD = datetime.datetime(2026, 3, 2, 14, 30, tzinfo=datetime.UTC)


class IncidentFactory(factory.django.DjangoModelFactory):
    """An incident row (bypasses the service: use ``incidents.services.incident_create`` to test it),
    reported just now; pass ``in_order_period=True`` for one on 2 March 2026 (``IN_ORDER_PERIOD``).
    Pass ``store`` and ``reported_by`` when the test's users must see it (``world.a.store``)."""

    class Meta:
        model = Incident

    class Params:
        in_order_period = factory.Trait(occurred_at=IN_ORDER_PERIOD)

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
