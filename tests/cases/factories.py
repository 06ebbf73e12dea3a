"""Builders for case tests: incidents with stored evidence, offenders under orders, possible matches.

Matches here are rows with a generated crop; tests that claim recognition works live in
test_end_to_end.py and use the real model on real photographs."""

import datetime
import hashlib
import io

from django.core.files.base import ContentFile
from PIL import Image

from incidents.models import Evidence, Incident
from orders.models import Prohibition
from recognition.models import PossibleMatch
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory, ReferencePhotoFactory

AT = datetime.datetime(2026, 3, 2, 14, 30, tzinfo=datetime.UTC)  # inside OrderFactory's order


def jpeg(colour=(120, 90, 60), size=(96, 96)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def incident_at(store, reporter, *, priority="P3", at=AT) -> Incident:
    return IncidentFactory(store=store, reported_by=reporter, occurred_at=at, priority=priority)


def evidence_on(incident: Incident, data: bytes | None = None, name: str = "cctv.jpg") -> Evidence:
    data = data or jpeg()
    evidence = Evidence(
        incident=incident,
        original_name=name,
        size=len(data),
        content_type="image/jpeg",
        kind="image",
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=incident.reported_by,
    )
    evidence.file.save(name, ContentFile(data), save=False)
    evidence.save()
    return evidence


def offender_barred_from(store, **order_kwargs):
    """An offender of the store's force under an order (in force and served at AT) naming ``store``."""
    offender = OffenderFactory(force=store.beat.force)
    order = OrderFactory(offender=offender, **order_kwargs)
    prohibition = ProhibitionFactory(order=order, kind=Prohibition.Kind.PREMISES, stores=[store])
    return offender, order, prohibition


def possible_match(
    evidence: Evidence, offender, *, similarity=0.95, frame_time_s=None, crop: bytes | None = None, photo=None
) -> PossibleMatch:
    photo = photo or ReferencePhotoFactory(offender=offender)
    match = PossibleMatch(
        evidence=evidence,
        offender=offender,
        reference_photo=photo,
        distance=1 - similarity,
        similarity=similarity,
        threshold=0.07,  # the force's threshold: a cosine distance
        frame_time_s=frame_time_s,
        face_box=[10, 10, 60, 60],
        model_name="Dlib",
        model_version="test",
    )
    match.crop.save("crop.jpg", ContentFile(crop or jpeg((200, 150, 120))), save=False)
    match.save()
    return match
