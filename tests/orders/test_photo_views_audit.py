"""Every reference photo's image served to a person is audited (``photo_viewed``): the order desk, the API
and the admin (whose previews are the API's image). One row per image served; a refused request writes none."""

import datetime
import re

import pytest
from django.urls import reverse

from orders.admin.history import PHOTO_VIEWS_SHOWN
from orders.events import describe, photo_viewed_event
from orders.models import OffenderEvent, ReferencePhoto
from tests.conftest import client_for, signed_in
from tests.orders.factories import OffenderFactory
from tests.orders.test_desk_views import jpeg

pytestmark = pytest.mark.django_db

VIEWED = OffenderEvent.Kind.PHOTO_VIEWED


def _photo(offender, source="Custody, Crewe suite") -> ReferencePhoto:
    return ReferencePhoto.objects.create(
        offender=offender, image=jpeg(), source=source, taken_on=datetime.date(2025, 12, 1)
    )


def _viewed():
    return OffenderEvent.objects.filter(kind=VIEWED)


@pytest.fixture
def photo(world, media_root):
    return _photo(OffenderFactory(force=world.a.force))


def test_the_desk_image_writes_one_row_naming_the_viewer_and_the_photo(world, photo):
    r = signed_in(world.a.admin).get(reverse("desk-offender-photo", args=[photo.offender_id, photo.pk]))
    assert r.status_code == 200
    b"".join(r.streaming_content)
    event = _viewed().get()
    assert (event.actor, event.offender_id, event.photo_id) == (world.a.admin, photo.offender_id, photo.pk)
    assert event.new == {"via": "desk"}  # which photo and where only: no image data, no file name
    assert describe(event) == "Reference photo viewed: Custody, Crewe suite, taken 1 Dec 2025 (on the order desk)"


def test_the_desk_person_page_writes_none_and_each_image_it_embeds_writes_one(world, photo):
    second = _photo(photo.offender, source="Custody, Macclesfield")
    c = signed_in(world.a.admin)
    page = c.get(reverse("desk-offender", args=[photo.offender_id])).content.decode()
    assert not _viewed().exists()  # the page itself serves no image
    urls = sorted(set(re.findall(r'<img src="(/desk/offenders/\d+/photos/\d+/image/)"', page)))
    assert len(urls) == 2
    for url in urls:
        assert c.get(url).status_code == 200
    assert sorted(_viewed().values_list("photo_id", flat=True)) == sorted([photo.pk, second.pk])


def test_the_api_image_writes_one_row(world, photo):
    r = client_for(world.a.officer).get(f"/api/offenders/{photo.offender_id}/photos/{photo.pk}/image/")
    assert r.status_code == 200 and r["Cache-Control"] == "private, no-store"
    event = _viewed().get()
    assert (event.actor, event.photo_id, event.new) == (world.a.officer, photo.pk, {"via": "api"})
    # The photo's details (not its image) are not an image served.
    assert client_for(world.a.officer).get(f"/api/offenders/{photo.offender_id}/photos/{photo.pk}/").status_code == 200
    assert _viewed().count() == 1


def test_the_admin_preview_is_the_audited_api_image(world, photo):
    c = signed_in(world.a.admin)
    page = c.get(f"/admin/orders/offender/{photo.offender_id}/change/").content.decode()
    assert not _viewed().exists()
    url = reverse("api-offender-photo-image", kwargs={"offender_id": photo.offender_id, "photo_id": photo.pk})
    assert f'<img src="{url}"' in page
    assert c.get(url).status_code == 200
    event = _viewed().get()
    assert (event.actor, event.photo_id) == (world.a.admin, photo.pk)
    # The admin lists the viewing apart from the history of changes (the page itself still writes none).
    page = c.get(f"/admin/orders/offender/{photo.offender_id}/change/").content.decode()
    words = "Reference photo viewed: Custody, Crewe suite, taken 1 Dec 2025 (through the API or the admin)"
    assert "1 image served" in page and page.count(words) == 1
    assert page.index(words) < page.index("History (who changed what")  # not among the changes
    assert _viewed().count() == 1


def test_the_desk_history_keeps_to_changes(world, photo):
    c = signed_in(world.a.admin)
    assert c.get(reverse("desk-offender-photo", args=[photo.offender_id, photo.pk])).status_code == 200
    page = c.get(reverse("desk-offender", args=[photo.offender_id])).content.decode()
    assert "Reference photo viewed" not in page
    assert _viewed().count() == 1


def test_refused_requests_write_nothing(world, photo):
    desk = reverse("desk-offender-photo", args=[photo.offender_id, photo.pk])
    api = f"/api/offenders/{photo.offender_id}/photos/{photo.pk}/image/"
    assert signed_in(world.b.admin).get(desk).status_code == 404  # another force's photo
    assert signed_in(world.a.worker).get(desk).status_code in (403, 404)  # not the desk's people
    assert client_for(world.b.officer).get(api).status_code == 404
    assert client_for(world.a.worker).get(api).status_code in (403, 404)
    assert client_for(world.norole).get(api).status_code in (403, 404)
    wrong = reverse("desk-offender-photo", args=[OffenderFactory(force=world.a.force).pk, photo.pk])
    assert signed_in(world.a.admin).get(wrong).status_code == 404  # the photo is not that person's
    assert not _viewed().exists()


def test_the_admin_says_how_many_views_when_it_lists_only_the_latest(world, photo):
    for _ in range(PHOTO_VIEWS_SHOWN + 1):
        photo_viewed_event(photo=photo, actor=world.a.officer, via="desk")
    page = signed_in(world.a.admin).get(f"/admin/orders/offender/{photo.offender_id}/change/").content.decode()
    assert f"{PHOTO_VIEWS_SHOWN + 1} images served; the latest {PHOTO_VIEWS_SHOWN} are listed" in page
    assert page.count("(on the order desk)") == PHOTO_VIEWS_SHOWN
