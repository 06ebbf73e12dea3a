"""CSV import of prohibited premises: dry-run preview, row-by-row errors, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import ApplicationError
from orders.imports import premises_import
from orders.models import OrderEvent, Prohibition
from tests.conftest import client_for
from tests.factories import RetailerFactory, StoreFactory
from tests.orders.factories import OffenderFactory, OrderFactory, ProhibitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(world):
    return OrderFactory(offender=OffenderFactory(force=world.a.force))


@pytest.fixture
def shops(world):
    """Stores with their own postcodes: two at CW1 2AB in force A, one at CW9 9ZZ in force B."""
    return {
        "crewe": StoreFactory(retailer=world.a.retailer, beat=world.a.beat, code="CRW1", postcode="CW1 2AB"),
        "crewe2": StoreFactory(beat=world.a.beat, code="CRW2", postcode="CW1 2AB"),
        "nantwich": StoreFactory(retailer=world.a.retailer, beat=world.a.other_beat, code="NTW1", postcode="CW5 5AA"),
        "far": StoreFactory(retailer=world.a.retailer, beat=world.b.beat, code="FAR1", postcode="CW9 9ZZ"),
    }


def run(order, world, text, *, dry_run=False, encoding="utf-8", **kwargs):
    content = text.encode(encoding) if isinstance(text, str) else text
    return premises_import(order=order, actor=world.a.admin, content=content, dry_run=dry_run, **kwargs)


def test_dry_run_previews_and_saves_nothing(world, order, shops):
    report = run(order, world, "store_code,postcode\nCRW1,\n,cw5 5aa\n\n,CW1 2AB\n", dry_run=True)
    assert report.ok and report.dry_run
    assert [r.line for r in report.rows] == [2, 3, 5]  # blank line 4 skipped
    assert [s.code for s in report.rows[1].stores] == ["NTW1"]
    assert {s.code for s in report.stores} == {"CRW1", "NTW1", "CRW2"}
    assert Prohibition.objects.count() == 0 and OrderEvent.objects.count() == 0


def test_import_creates_named_premises(world, order, shops):
    report = run(order, world, "\ufeffStore_Code , Postcode\nCRW1,CW1 2AB\nNTW1,\n", description="Northway, Crewe")
    p = report.prohibition
    assert p.kind == "premises" and p.description == "Northway, Crewe"
    assert set(p.stores.values_list("code", flat=True)) == {"CRW1", "NTW1"}
    event = order.events.get(kind="premises_imported")
    assert event.new["rows"] == 2 and event.actor == world.a.admin and len(event.new["file_sha256"]) == 64
    assert order.events.filter(kind="prohibition_added").count() == 1


def test_import_adds_to_an_existing_prohibition(world, order, shops):
    p = ProhibitionFactory(order=order, stores=[shops["crewe"]])
    run(order, world, "store_code,postcode\nNTW1,\nCRW1,\n", prohibition=p)
    assert set(p.stores.values_list("code", flat=True)) == {"CRW1", "NTW1"}
    corrected = order.events.get(kind="prohibition_corrected")
    assert corrected.old["store_ids"] == [shops["crewe"].pk]


def test_row_errors_reported_line_by_line_and_nothing_imported(world, order, shops):
    text = "store_code,postcode\nCRW1,\nFAR1,\nNOPE,\n,ZZ\n,\nCRW1,CW5 5AA\nNTW1,,extra\n,CW9 9ZZ\n"
    report = run(order, world, text, dry_run=True)
    assert not report.ok
    assert report.errors == {
        "line 3": ["No store in this force has code FAR1."],
        "line 4": ["No store in this force has code NOPE."],
        "line 5": ["ZZ is not a UK postcode."],
        "line 7": ["Store CRW1 is not at postcode CW5 5AA."],
        "line 8": ["The row has 3 cells; the header has 2."],
        "line 9": ["No store in this force is at postcode CW9 9ZZ."],
    }
    with pytest.raises(ApplicationError) as exc:
        run(order, world, text)
    assert exc.value.code == "csv_rows_invalid" and "6 rows are wrong; nothing was imported" in exc.value.message
    assert exc.value.fields["line 3"] == ["No store in this force has code FAR1."]
    assert Prohibition.objects.count() == 0 and OrderEvent.objects.count() == 0


@pytest.mark.parametrize("retailer", ["", "Northway Foods"])
def test_another_forces_store_is_answered_as_one_that_does_not_exist(world, order, shops, retailer):
    """It said "belongs to a store in another force" for another force's code and "The stores at ... are in
    another force" for its postcode: a way to learn which codes and postcodes the other forces hold."""
    assert shops["far"].beat.force == world.b.force and shops["far"].retailer.name == "Northway Foods"
    header = "store_code,postcode,retailer\n"
    rows = {
        "theirs by code": f"FAR1,,{retailer}",
        "nobody's code": f"NOPE,,{retailer}",
        "theirs by code and postcode": f"FAR1,CW9 9ZZ,{retailer}",
        "nobody's code and postcode": f"NOPE,CW9 9ZY,{retailer}",
        "theirs by postcode": f",CW9 9ZZ,{retailer}",
        "nobody's postcode": f",CW9 9ZY,{retailer}",
    }
    report = run(order, world, header + "\n".join(rows.values()) + "\n", dry_run=True)
    answers = dict(zip(rows, (r.error for r in report.rows), strict=True))

    def blanked(name: str) -> str:
        for value in ("FAR1", "NOPE", "CW9 9ZZ", "CW9 9ZY"):
            answers[name] = answers[name].replace(value, "<value>")
        return answers[name]

    for how in ("by code", "by code and postcode", "by postcode"):
        assert blanked(f"theirs {how}") == blanked(f"nobody's {how[3:]}"), (how, answers)
    assert all("another force" not in error for error in answers.values())
    assert all(not row.stores for row in report.rows)


def test_api_dry_run_answers_another_forces_code_as_an_unknown_one(world, order, shops):
    admin = client_for(world.a.admin)
    url = f"/api/orders/{order.pk}/premises-import/"
    bodies = []
    for code in ("FAR1", "NOPE"):
        r = admin.post(url, {"file": upload(f"store_code,postcode\n{code},\n"), "dry_run": "true"}, format="multipart")
        assert r.status_code == 200
        bodies.append(r.content.decode().replace(code, "<code>"))
    assert bodies[0] == bodies[1]
    assert shops["far"].name not in bodies[0]


def test_same_code_at_two_retailers_needs_the_retailer_column(world, order, shops):
    other = RetailerFactory(name="Quickmart")
    StoreFactory(retailer=other, beat=world.a.beat, code="CRW1")
    report = run(order, world, "store_code,postcode\nCRW1,\n", dry_run=True)
    assert "several retailers" in report.errors["line 2"][0]
    report = run(order, world, "store_code,postcode,retailer\nCRW1,,quickmart\n", dry_run=True)
    assert report.ok and report.stores[0].retailer == other
    report = run(order, world, "store_code,postcode,retailer\n,,quickmart\n", dry_run=True)
    assert report.errors == {"line 2": ["Give a store code or a postcode."]}


@pytest.mark.parametrize(
    "content, code",
    [
        (b"code,postcode\nCRW1,\n", "csv_header"),
        (b"store_code\nCRW1\n", "csv_header"),
        (b"store_code,postcode,colour\nCRW1,,red\n", "csv_header"),
        (b"", "csv_header"),
        (b"store_code,postcode\n", "csv_empty"),
        ("store_code,postcode\nCAF\u00c9,\n".encode("latin-1"), "csv_encoding"),
        ("store_code,postcode\nCRW1,\n".encode("utf-16"), "csv_encoding"),
    ],
)
def test_bad_files(world, order, shops, content, code):
    for dry_run in (True, False):
        with pytest.raises(ApplicationError) as exc:
            run(order, world, content, dry_run=dry_run)
        assert exc.value.code == code, exc.value.message
    assert Prohibition.objects.count() == 0


def test_wrong_header_message_names_what_was_found(world, order):
    with pytest.raises(ApplicationError, match="found: code,postcode"):
        run(order, world, "code,postcode\nX,\n")


def test_only_a_premises_prohibition_of_this_order(world, order, shops):
    zone = ProhibitionFactory(order=order, kind="zone", polygon=None, centre_latitude=53.1, centre_longitude=-2.3,
                              radius_m=100)  # fmt: skip
    with pytest.raises(ApplicationError) as exc:
        run(order, world, "store_code,postcode\nCRW1,\n", prohibition=zone)
    assert exc.value.code == "not_in_order"


def test_officer_cannot_import(world, order, shops):
    with pytest.raises(ApplicationError) as exc:
        premises_import(order=order, actor=world.a.officer, content=b"store_code,postcode\nCRW1,\n", dry_run=False)
    assert exc.value.code == "permission_denied"


# Through the API ------------------------------------------------------------------------------


def upload(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile("premises.csv", data, content_type="text/csv")


def test_api_dry_run_then_import(world, order, shops):
    admin = client_for(world.a.admin)
    url = f"/api/orders/{order.pk}/premises-import/"
    r = admin.post(url, {"file": upload("store_code,postcode\nCRW1,\nFAR1,\n"), "dry_run": "true"}, format="multipart")
    assert r.status_code == 200, r.json()
    assert r.json()["ok"] is False and r.json()["rows"][1]["error"] == "No store in this force has code FAR1."
    assert r.json()["rows"][0]["stores"][0]["code"] == "CRW1"
    r = admin.post(url, {"file": upload("store_code,postcode\nCRW1,\nFAR1,\n"), "dry_run": "false"}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "csv_rows_invalid"
    assert r.json()["fields"] == {"line 3": ["No store in this force has code FAR1."]}
    r = admin.post(url, {"file": upload("store_code,postcode\nCRW1,\n"), "dry_run": "false"}, format="multipart")
    assert r.status_code == 201 and r.json()["prohibition"]["stores"][0]["code"] == "CRW1"
    r = admin.post(url, {"file": upload(b"\xff\xfe\x00s"), "dry_run": "true"}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "csv_encoding"
    officer = client_for(world.a.officer)
    r = officer.post(url, {"file": upload("store_code,postcode\nCRW1,\n"), "dry_run": "false"}, format="multipart")
    assert r.status_code == 403
    assert Prohibition.objects.count() == 1
