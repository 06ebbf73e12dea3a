"""Orders -> recognition hand-offs (``workflows.orders``): the orders services store and audit only; the
workflow functions, with the same names and arguments, also enrol a photo's face (or refuse it, keeping
nothing), forget a removed photo's templates, and request the re-search of old footage that late
paperwork makes relevant, in the same transaction. No face model here: enrolment is replaced by a stub."""

import ast
import datetime
from pathlib import Path

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import ApplicationError
from orders import services
from orders.models import OffenderEvent, Order, OrderEvent, Prohibition, ReferencePhoto
from recognition.models import FaceTemplate, ResearchJob
from tests.conftest import REPO
from tests.incidents.conftest import image_bytes
from tests.orders.conftest import order_kwargs, premises
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory
from workflows import orders as workflows

pytestmark = pytest.mark.django_db
D = datetime.date
Trigger = ResearchJob.Trigger


def triggers() -> list[str]:
    return list(ResearchJob.objects.order_by("id").values_list("trigger", flat=True))


@pytest.fixture
def enrolled(monkeypatch):
    """recognition.services.reference_photo_enrol replaced: a template for each photo, no model needed."""
    photos = []

    def enrol(*, photo):
        photos.append(photo.pk)
        return [
            FaceTemplate.objects.create(
                reference_photo=photo,
                offender_id=photo.offender_id,
                force_id=photo.offender.force_id,
                embedding=np.zeros(128, dtype="float32").tobytes(),
                model_name="Dlib",
                model_version="stub",
                face_box=[0, 0, 10, 10],
                face_size_px=10,
                sharpness=1.0,
            )
        ]

    monkeypatch.setattr("recognition.services.reference_photo_enrol", enrol)
    return photos


def upload(name="custody.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(size=(120, 120)), content_type="image/jpeg")


def stored_files(photo_dir: Path) -> set[Path]:
    return {p for p in photo_dir.rglob("*") if p.is_file()} if photo_dir.exists() else set()


# Orders and prohibitions ------------------------------------------------------------------------


def test_the_services_request_no_research_the_workflows_do(world, django_capture_on_commit_callbacks):
    a = world.a
    offender = OffenderFactory(force=a.force)
    with django_capture_on_commit_callbacks() as sent:
        services.order_create(offender=offender, actor=a.admin, prohibitions=[premises(a.store)], **order_kwargs())
    assert triggers() == [] and sent == []
    with django_capture_on_commit_callbacks() as sent:
        order = workflows.order_create(
            offender=offender, actor=a.admin, prohibitions=[premises(a.store)], **order_kwargs(case_reference="B")
        )
    job = ResearchJob.objects.get()
    assert (job.trigger, job.order, job.offender, job.requested_by) == (
        Trigger.ORDER_RECORDED,
        order,
        offender,
        a.admin,
    )
    assert len(sent) == 1  # the task goes once the transaction commits


def test_each_order_write_requests_its_research(world, django_capture_on_commit_callbacks):
    a = world.a
    offender = OffenderFactory(force=a.force)
    order = workflows.order_create(offender=offender, actor=a.admin, **order_kwargs(served_on=None))
    assert triggers() == []  # not served, no prohibition: no footage is relevant yet
    workflows.prohibition_add(order=order, actor=a.admin, data=premises(a.store))
    assert triggers() == []  # still not served
    workflows.order_serve(order=order, actor=a.admin, served_on=D(2026, 1, 6))
    workflows.order_correct(order=order, actor=a.admin, court="Chester Crown Court", reason="typo")
    assert triggers() == [Trigger.ORDER_SERVED]  # the court's name changes no day in force
    workflows.order_correct(order=order, actor=a.admin, ends_on=D(2027, 1, 4), reason="misread")
    workflows.order_vary(order=order, actor=a.admin, varied_on=D(2026, 5, 1), reason="Court", indefinite=True)
    assert triggers() == [Trigger.ORDER_SERVED, Trigger.ORDER_CORRECTED, Trigger.ORDER_VARIED]
    services.order_discharge(order=order, actor=a.admin, discharged_on=D(2026, 6, 1), reason="Appeal")
    assert len(triggers()) == 3  # a discharge makes nothing relevant


def test_prohibition_corrections_research_only_when_they_change_something(world):
    a = world.a
    order = OrderFactory(offender=OffenderFactory(force=a.force))
    prohibition = ProhibitionFactory(order=order, stores=[a.store], description="")
    same = workflows.prohibition_correct(prohibition=prohibition, actor=a.admin, data=premises(a.store))
    assert same == prohibition and triggers() == []
    workflows.prohibition_correct(prohibition=prohibition, actor=a.admin, data=premises(a.store, a.sibling_store))
    assert triggers() == [Trigger.ORDER_CORRECTED]
    workflows.prohibition_add(order=order, actor=a.admin, data=premises(a.sibling_store))
    assert triggers() == [Trigger.ORDER_CORRECTED, Trigger.ORDER_RECORDED]


def test_premises_import_researches_unless_a_dry_run(world):
    a = world.a
    order = OrderFactory(offender=OffenderFactory(force=a.force))
    csv = f"store_code,postcode\n{a.store.code},\n".encode()
    report = workflows.premises_import(order=order, actor=a.admin, content=csv, dry_run=True)
    assert report.ok and triggers() == [] and not Prohibition.objects.exists()
    report = workflows.premises_import(order=order, actor=a.admin, content=csv, dry_run=False)
    assert triggers() == [Trigger.ORDER_RECORDED]
    ResearchJob.objects.update(status=ResearchJob.Status.DONE)  # so that a new request is a new job
    again = workflows.premises_import(
        order=order, actor=a.admin, content=csv, dry_run=False, prohibition=report.prohibition
    )
    assert again.prohibition == report.prohibition and len(triggers()) == 1  # the same store: nothing changed
    more = f"store_code,postcode\n{a.sibling_store.code},\n".encode()
    workflows.premises_import(order=order, actor=a.admin, content=more, dry_run=False, prohibition=report.prohibition)
    assert triggers() == [Trigger.ORDER_RECORDED, Trigger.ORDER_CORRECTED]


@pytest.mark.parametrize("who", ["officer", "worker"])
def test_a_refused_write_requests_nothing_and_writes_nothing(world, who):
    a = world.a
    offender = OffenderFactory(force=a.force)
    order = OrderFactory(offender=offender, served_on=None)
    ProhibitionFactory(order=order, stores=[a.store])
    user = getattr(a, who)
    for call in (
        lambda: workflows.order_create(
            offender=offender, actor=user, prohibitions=[premises(a.store)], **order_kwargs(case_reference="X")
        ),  # fmt: skip
        lambda: workflows.order_serve(order=order, actor=user, served_on=D(2026, 1, 6)),
        lambda: workflows.order_correct(order=order, actor=user, ends_on=D(2027, 1, 1)),
        lambda: workflows.prohibition_add(order=order, actor=user, data=premises(a.sibling_store)),
        lambda: workflows.reference_photo_add(
            offender=offender, actor=user, image=upload(), source="Custody", taken_on=D(2025, 1, 1)
        ),  # fmt: skip
    ):
        with pytest.raises(ApplicationError) as exc:
            call()
        assert exc.value.code == "permission_denied" and exc.value.status_code == 403
    assert not ResearchJob.objects.exists() and not OrderEvent.objects.exists() and not OffenderEvent.objects.exists()
    assert Order.objects.count() == 1 and Prohibition.objects.count() == 1 and not ReferencePhoto.objects.exists()
    assert Order.objects.get().served_on is None


# Reference photos -------------------------------------------------------------------------------


def test_photo_added_is_enrolled_then_researched(world, enrolled, settings):
    a = world.a
    offender = OffenderFactory(force=a.force)
    ProhibitionFactory(order=OrderFactory(offender=offender), stores=[a.store])
    photo = workflows.reference_photo_add(offender=offender, actor=a.admin, image=upload(), source="Custody",
                                          taken_on=D(2025, 11, 2))  # fmt: skip
    assert enrolled == [photo.pk] and FaceTemplate.objects.get().reference_photo == photo
    assert triggers() == [Trigger.PHOTO_ADDED]
    assert offender.events.get().kind == "photo_added"


def test_photo_stored_by_the_service_alone_is_not_enrolled(world, enrolled):
    offender = OffenderFactory(force=world.a.force)
    services.reference_photo_add(offender=offender, actor=world.a.admin, image=upload(), source="Custody",
                                 taken_on=D(2025, 11, 2))  # fmt: skip
    assert enrolled == [] and not FaceTemplate.objects.exists() and ReferencePhoto.objects.count() == 1


@pytest.mark.parametrize("code", ["no_face", "multiple_faces", "face_too_small", "unreadable_image"])
def test_photo_refused_at_enrolment_keeps_nothing(world, monkeypatch, settings, code):
    offender = OffenderFactory(force=world.a.force)
    ProhibitionFactory(order=OrderFactory(offender=offender), stores=[world.a.store])

    def refuse(*, photo):
        raise ApplicationError("Refused.", code=code, fields={"image": ["Refused."]})

    monkeypatch.setattr("recognition.services.reference_photo_enrol", refuse)
    photo_dir = Path(settings.MEDIA_ROOT) / "reference_photos"
    before = stored_files(photo_dir)
    with pytest.raises(ApplicationError) as exc:
        workflows.reference_photo_add(offender=offender, actor=world.a.admin, image=upload(), source="Custody",
                                      taken_on=D(2025, 11, 2))  # fmt: skip
    assert exc.value.code == code
    assert not ReferencePhoto.objects.exists() and not OffenderEvent.objects.exists()
    assert not FaceTemplate.objects.exists() and not ResearchJob.objects.exists()
    assert stored_files(photo_dir) == before  # the file was deleted too


def test_photo_removed_forgets_its_templates(world, enrolled, django_capture_on_commit_callbacks):
    offender = OffenderFactory(force=world.a.force)
    photo = workflows.reference_photo_add(offender=offender, actor=world.a.admin, image=upload(), source="Custody",
                                          taken_on=D(2025, 11, 2))  # fmt: skip
    name = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        workflows.reference_photo_remove(photo=photo, actor=world.a.admin, reason="Wrong person")
    assert not ReferencePhoto.objects.exists() and not FaceTemplate.objects.exists()
    assert not ReferencePhoto._meta.get_field("image").storage.exists(name)
    assert offender.events.filter(kind="photo_removed", reason="Wrong person").exists()


def test_photo_removal_refused_keeps_photo_and_templates(world, enrolled):
    offender = OffenderFactory(force=world.a.force)
    photo = workflows.reference_photo_add(offender=offender, actor=world.a.admin, image=upload(), source="Custody",
                                          taken_on=D(2025, 11, 2))  # fmt: skip
    with pytest.raises(ApplicationError):
        workflows.reference_photo_remove(photo=photo, actor=world.a.officer, reason="x")
    assert ReferencePhoto.objects.filter(pk=photo.pk).exists() and FaceTemplate.objects.count() == 1
    assert not offender.events.filter(kind="photo_removed").exists()


# The seam ---------------------------------------------------------------------------------------


def test_each_workflow_takes_the_arguments_of_the_service_it_wraps():
    import inspect

    from orders import imports
    from orders.services import orders, photos, prohibitions

    for name, service in [
        ("reference_photo_add", photos.reference_photo_add),
        ("reference_photo_remove", photos.reference_photo_remove),
        ("order_create", orders.order_create),
        ("order_correct", orders.order_correct),
        ("order_serve", orders.order_serve),
        ("order_vary", orders.order_vary),
        ("prohibition_add", prohibitions.prohibition_add),
        ("prohibition_correct", prohibitions.prohibition_correct),
        ("premises_import", imports.premises_import),
    ]:
        mine, theirs = inspect.signature(getattr(workflows, name)), inspect.signature(service)
        assert list(mine.parameters) == list(theirs.parameters), name
        assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in mine.parameters.values()), name


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_orders_imports_no_app_downstream_and_only_its_entry_points_import_workflows():
    """Imports follow the data: recognition and cases read orders, never the other way; the hand-offs to
    recognition are imported by orders' entry points (APIs, admin, tasks) only, never by a service."""
    entry_points = ("orders/apis/", "orders/admin/", "orders/desk/", "orders/tasks.py")
    found = []
    for path in sorted((REPO / "orders").rglob("*.py")):
        where = str(path.relative_to(REPO))
        for name in _imports(path):
            top = name.split(".")[0]
            if top in ("recognition", "cases", "incidents") or (
                top == "workflows" and not where.startswith(entry_points)
            ):
                found.append(f"{where}: {name}")
    assert found == []
