import datetime

import pytest

from orders import services
from orders.services import ProhibitionInput
from tests.conftest import FACES, require


def face_file(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    require((FACES / name).is_file(), f"Face photo {name} not found in {FACES}")
    return SimpleUploadedFile(name, (FACES / name).read_bytes(), content_type="image/jpeg")


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-2.32, 53.09], [-2.29, 53.09], [-2.29, 53.11], [-2.32, 53.11], [-2.32, 53.09]]],
}


def order_kwargs(**overrides) -> dict:
    data = dict(
        court="Crewe Magistrates' Court",
        case_reference="CBO/2026/0001",
        made_on=datetime.date(2026, 1, 5),
        effective_from=datetime.date(2026, 1, 5),
        ends_on=datetime.date(2028, 1, 4),
        served_on=datetime.date(2026, 1, 5),
    )
    data.update(overrides)
    return data


def premises(*stores, **extra) -> ProhibitionInput:
    return ProhibitionInput(kind="premises", stores=list(stores), **extra)


def zone(polygon=SQUARE, **extra) -> ProhibitionInput:
    return ProhibitionInput(kind="zone", polygon=polygon, **extra)


@pytest.fixture
def offender(world):
    return services.offender_create(actor=world.a.admin, force=world.a.force, given_names="Jo", family_name="Bloggs")
