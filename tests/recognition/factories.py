"""Factories for recognition tests: evidence files made from real photographs, offenders under an order.
Incidents come from the one ``tests.incidents.factories.IncidentFactory`` (``in_order_period=True`` for
one on 2 March 2026, inside the orders ``offender_with_order`` makes, when the day matters)."""

import datetime
import hashlib

from django.core.files.base import ContentFile

from incidents.models import Evidence, Incident
from orders.models import ReferencePhoto
from tests.conftest import FACES
from tests.orders.factories import OffenderFactory, OrderFactory


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
