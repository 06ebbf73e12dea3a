"""Factories for recognition tests: incidents and evidence files made from real photographs."""

import datetime
import hashlib

from django.core.files.base import ContentFile

from incidents.models import Evidence, Incident
from orders.models import ReferencePhoto
from tests.conftest import FACES
from tests.incidents import factories as incident_factories
from tests.orders.factories import OffenderFactory, OrderFactory


def IncidentFactory(**kwargs) -> Incident:
    """The one incident factory (``tests.incidents.factories.IncidentFactory``) on 2 March 2026, inside
    the orders these tests make: pass ``store`` and ``reported_by``. The recognition tests may call that
    factory with ``in_order_period=True`` themselves; this name is kept until they do."""
    kwargs.setdefault("in_order_period", True)  # an occurred_at passed still wins
    return incident_factories.IncidentFactory(**kwargs)


def evidence_for(incident: Incident, data: bytes, name: str, kind: str = "image") -> Evidence:
    """An Evidence row holding ``data`` (not enqueued: tests call the pipeline themselves)."""
    evidence = Evidence(
        incident=incident,
        original_name=name,
        size=len(data),
        content_type="video/mp4" if kind == "video" else "image/jpeg",
        kind=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=incident.reported_by,
    )
    evidence.file.save(name, ContentFile(data), save=False)
    evidence.save()
    return evidence


def face_bytes(name: str) -> bytes:
    return (FACES / name).read_bytes()


def offender_with_order(force, **kwargs):
    """An offender of ``force`` under an order in force (2026-01-05 to 2028-01-04) and served."""
    offender = OffenderFactory(force=force, **kwargs)
    OrderFactory(offender=offender)
    return offender


def reference_photo(offender, name: str) -> ReferencePhoto:
    return ReferencePhoto.objects.create(
        offender=offender,
        image=ContentFile(face_bytes(name), name=name),
        source="Custody, Crewe suite",
        taken_on=datetime.date(2025, 12, 1),
    )
