"""Factories for recognition tests: incidents and evidence files made from real photographs."""

import datetime
import hashlib

import factory
from django.core.files.base import ContentFile

from incidents.models import Evidence, Incident
from orders.models import ReferencePhoto
from tests.conftest import FACES
from tests.orders.factories import OffenderFactory, OrderFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    store = None  # pass store=world.a.store
    reported_by = None  # pass reported_by=world.a.worker
    occurred_at = factory.LazyFunction(lambda: datetime.datetime(2026, 3, 2, 14, 30, tzinfo=datetime.UTC))
    category = Incident.Category.THEFT
    ongoing = False
    injured = False
    weapon = False
    description = "Took goods from the shelf and left without paying."
    reference = factory.Sequence(lambda n: f"INC-2026-{n:06d}")
    priority = Incident.Priority.P3
    priority_reason = "routine"
    response_target_minutes = 1440


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
