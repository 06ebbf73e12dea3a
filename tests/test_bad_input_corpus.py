"""The bad-input corpus: every API endpoint and the main portal forms, sent input that is
wrong in one way each: wrong types, NUL, huge and negative numbers and ids, unicode oddities, oversized strings,
impossible dates, malformed JSON and multipart bodies, wrong content types, bad files (zero-byte, truncated,
polyglot, wrong extension, decompression bomb, extreme aspect ratio), bad query parameters, bad Range and
Authorization headers, methods a route does not take.

Every case must answer below 500, with the status it names; an API error has the one error shape
(``tests.api_helpers.assert_error``: ``message``, ``code``, ``fields``, in words) and a page error is a page.
It runs on whatever ``DATABASE_URL`` the suite runs on: PostgreSQL in CI (where NUL in text, a lone surrogate or
an integer past 64 bits fail in the database itself) and SQLite on the embedded default.

The per-app ``tests/<app>/test_apis_bad_input.py`` files pin particular defects with their own assertions
(another force's ids, schema conformance, nothing written); this corpus is the breadth, one row per kind."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from cases.services import case_justify, case_raise_for_match
from recognition.models import EvidenceProcessing
from tests.api_helpers import HUGE, SUPERSCRIPT_TWO, assert_error
from tests.cases.factories import evidence_on, incident_at, offender_barred_from, possible_match

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
LONE_SURROGATE = '"\\ud800 lone surrogate"'  # valid JSON text, but no UTF-8 can hold it
INT64_PAST = str(2**63)  # one past the largest PostgreSQL bigint
LONG = "x" * 100_001
RTL = "\u202egpj.exe"  # right-to-left override: shows as "exe.jpg"
ZERO_WIDTH = "Took\u200b\u200dgin\ufeff"
EMOJI = "Took gin \U0001f37e\U0001f3c3"
COMBINING = "Z\u0351\u0352\u0357\u0358" * 200  # "zalgo": 1,000 combining marks on a few letters


# Files -------------------------------------------------------------------------------------------------------------


def _image(size=(64, 48), fmt="JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(out, format=fmt)
    return out.getvalue()


def _png_of(width: int, height: int) -> bytes:
    from tests.orders.test_images import png_of

    return png_of(width, height)


def _video(width=64, height=48, ext=".mp4", fourcc="mp4v") -> bytes:
    import tempfile
    from pathlib import Path

    from tests.incidents.test_files import shaped_video

    with tempfile.TemporaryDirectory() as folder:
        return shaped_video(Path(folder), width, height, ext, fourcc)


def _broken_mp4() -> bytes:
    import tempfile
    from pathlib import Path

    from tests.incidents.conftest import broken_mp4

    with tempfile.TemporaryDirectory() as folder:
        return broken_mp4(Path(folder))


BAD_FILES: dict[str, Callable[[], tuple[str, bytes, str]]] = {
    "zero-byte file": lambda: ("empty.jpg", b"", "image/jpeg"),
    "truncated jpeg": lambda: ("cut.jpg", _image((640, 480))[:2000], "image/jpeg"),
    "pdf named .jpg": lambda: ("till.jpg", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "image/jpeg"),
    "html/script polyglot named .jpg": lambda: ("x.jpg", b"<script>alert(1)</script>" * 20, "image/jpeg"),
    "gif (an image type not taken)": lambda: ("anim.gif", _image(fmt="GIF"), "image/gif"),
    "png named .jpg (wrong extension)": lambda: ("door.jpg", _image(fmt="PNG"), "image/png"),
    "jpeg sent as application/x-php": lambda: ("door.jpg", _image(), "application/x-php"),
    "decompression bomb png (30000 x 30000)": lambda: ("bomb.png", _png_of(30_000, 30_000), "image/png"),
    "extreme aspect png (100000 x 1)": lambda: ("strip.png", _png_of(100_000, 1), "image/png"),
    "extreme aspect png (1 x 200000)": lambda: ("column.png", _png_of(1, 200_000), "image/png"),
    "tiny png (8 x 8)": lambda: ("dot.png", _png_of(8, 8), "image/png"),
    "png with a damaged header": lambda: ("bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "image/png"),
    "mp4 cut after 2 KB": lambda: ("cut.mp4", _broken_mp4(), "video/mp4"),
    "video of an extreme aspect (2000 x 40)": lambda: (
        "strip.avi",
        _video(2000, 40, ".avi", "MJPG"),
        "video/x-msvideo",
    ),
    "random bytes": lambda: ("noise.bin", bytes(range(256)) * 40, "application/octet-stream"),
}


def _file(kind: str) -> SimpleUploadedFile:
    name, data, content_type = BAD_FILES[kind]()
    return SimpleUploadedFile(name, data, content_type=content_type)


# The corpus --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """One kind of bad input: ``method path`` (``{name}`` filled from the scene) as ``role``, with ``body`` (a value,
    or a function of the scene) sent as ``fmt`` ("json", "multipart", "form" or "raw" with ``content_type``)."""

    kind: str
    method: str
    path: str
    role: str = "admin"
    body: Any = None
    fmt: str = "json"
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    expect: int | tuple[int, ...] = 400


@dataclass(frozen=True)
class Ref:
    """A value taken from the scene when the case runs (an id made there)."""

    name: str


def _filled(s: dict, body: Any) -> Any:
    """``body`` with each ``Ref`` in it replaced by the scene's value."""
    if isinstance(body, Ref):
        return s[body.name]
    if isinstance(body, dict):
        return {key: _filled(s, value) for key, value in body.items()}
    if isinstance(body, list):
        return [_filled(s, value) for value in body]
    return body


def _json_with(s: dict, body: dict, raw_value: str) -> str:
    """``body`` as JSON text, its ``"@@"`` value replaced by ``raw_value`` (JSON that ``json.dumps`` cannot write)."""
    return json.dumps(_filled(s, body)).replace('"@@"', raw_value)


INCIDENT = {
    "store": Ref("store"),
    "occurred_at": "2026-03-02T14:30:00Z",
    "category": "theft",
    "ongoing": False,
    "injured": False,
    "weapon": False,
    "description": "Filled a bag with meat and left.",
}
ORDER = {
    "offender": Ref("offender"),
    "court": "Crewe Magistrates' Court",
    "case_reference": "CBO/2026/0199",
    "made_on": "2026-01-05",
    "effective_from": "2026-01-05",
    "ends_on": "2027-01-04",
}
REPORT_FORM = {
    "store": Ref("store"),
    "occurred_at": "2026-03-02T14:30",
    "category": "theft",
    "ongoing": "no",
    "injured": "no",
    "weapon": "no",
    "description": "Filled a bag with meat and left.",
}
REGION = {"evidence": Ref("evidence"), "box": [10, 10, 60, 60], "justification": "Officer search of the CCTV frame"}
REASON = "Calibrated on the force's own data"


def get(kind: str, path: str, role: str = "admin", expect: int | tuple[int, ...] = 400, **headers) -> Bad:
    return Bad(kind, "GET", path, role, headers=headers, expect=expect)


def send(kind: str, path: str, role: str, body: Any, expect: int | tuple[int, ...] = 400, method="POST") -> Bad:
    """A JSON body (a dict may hold ``Ref``s)."""
    return Bad(
        kind, method, path, role, (lambda s: _filled(s, body)) if isinstance(body, dict) else body, expect=expect
    )


def raw(kind: str, path: str, role: str, body: Any, content_type="application/json", expect=400) -> Bad:
    """A body sent as it is (text, bytes, or a function of the scene giving them) with ``content_type``."""
    return Bad(kind, "POST", path, role, body, "raw", content_type, expect=expect)


def form(kind: str, path: str, role: str, body: dict, expect: int | tuple[int, ...] = 400) -> Bad:
    return Bad(kind, "POST", path, role, lambda s: _filled(s, body), "form", expect=expect)


def upload(kind: str, path: str, role: str, body: Callable[[dict], dict], expect: int | tuple[int, ...] = 400) -> Bad:
    return Bad(kind, "POST", path, role, body, "multipart", expect=expect)


def new_incident(kind: str, expect: int | tuple[int, ...] = 400, **changes) -> Bad:
    return send(f"incident: {kind}", "/api/incidents/", "worker", INCIDENT | changes, expect)


def new_order(kind: str, prohibition: dict | None = None, **changes) -> Bad:
    prohibitions = [prohibition or {"kind": "premises", "stores": [Ref("store")]}]
    return send(f"order: {kind}", "/api/orders/", "admin", ORDER | {"prohibitions": prohibitions} | changes)


def zone(**fields) -> dict:
    return {"kind": "zone", "centre_latitude": 53.1, "centre_longitude": -2.4, "radius_m": 50} | fields


def new_offender(kind: str, expect: int | tuple[int, ...] = 400, role: str = "admin", **changes) -> Bad:
    body = {"given_names": "Jason", "family_name": "Smith"} | changes
    return send(f"offender: {kind}", "/api/offenders/", role, body, expect)


def new_photo(kind: str, image: Callable[[], Any] | str = "zero-byte file", **changes) -> Bad:
    def body(s: dict) -> dict:
        picture = _file(image) if isinstance(image, str) else image()
        return {"image": picture, "source": "Custody", "taken_on": "2025-11-02"} | changes

    return upload(f"photo: {kind}", "/api/offenders/{offender}/photos/", "admin", body)


def face() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", _image((200, 200)), content_type="image/jpeg")


def evidence(kind: str, path: str = "/api/incidents/{incident}/evidence/", label: str = "evidence") -> Bad:
    return upload(f"{label}: {kind}", path, "worker", lambda s: {"files": [_file(kind)]})


def premises(kind: str, content: bytes, expect: int | tuple[int, ...] = 400, dry_run: str = "true") -> Bad:
    def body(s: dict) -> dict:
        return {"file": SimpleUploadedFile("premises.csv", content, content_type="text/csv"), "dry_run": dry_run}

    return upload(f"premises import: {kind}", "/api/orders/{order}/premises-import/", "admin", body, expect)


def threshold(kind: str, body: Any, role: str = "admin", expect: int | tuple[int, ...] = 400) -> Bad:
    return send(f"threshold: {kind}", "/api/recognition/threshold/change/", role, body, expect)


def region(kind: str, role: str = "officer", expect: int | tuple[int, ...] = 400, **changes) -> Bad:
    return send(f"region search: {kind}", "/api/recognition/region-search/", role, REGION | changes, expect)


def report_form(kind: str, files: str | None = None, **changes) -> Bad:
    if files is None:
        return form(f"report form: {kind}", "/incidents/new/", "worker", REPORT_FORM | changes)
    # A refused file does not lose the report: it is kept and the receipt (302 to it) names the file and why.
    return upload(
        f"report form: {kind}",
        "/incidents/new/",
        "worker",
        lambda s: _filled(s, REPORT_FORM) | {"files": [_file(files)]},
        expect=302,
    )


def exhibit(kind: str, value: str, expect: int) -> Bad:
    return get(f"exhibit: {kind}", "/cases/{case}/evidence/{evidence}/", "officer", expect, Range=value)


def me(kind: str, authorization: str) -> Bad:
    return get(f"auth header: {kind}", "/api/me/", "token", 401, Authorization=authorization)


TOKEN = "/api/auth/token/"
ACCOUNTS = [
    send("token: body is a JSON array", TOKEN, "anon", ["a", "b"]),
    send("token: username is a list", TOKEN, "anon", {"username": ["x"], "password": "y"}),
    send("token: NUL in the username", TOKEN, "anon", {"username": NUL, "password": "y"}),
    send("token: missing password", TOKEN, "anon", {"username": "nobody-corpus"}),
    raw("token: malformed JSON", TOKEN, "anon", '{"username": "x", '),
    raw("token: body as text/plain", TOKEN, "anon", "username=x", "text/plain", expect=415),
    get("token: GET on a POST-only route", TOKEN, "anon", 405),
    me("token with a space", "Token a b"),
    me("non-ASCII token", "Token é"),
    me("unknown scheme", "Basic Og=="),
    me("empty token", "Token"),
    me("10 KB token", "Token " + "a" * 10_000),
    get("no role: the signed-in user has none", "/api/stores/", "norole", 403),
    send("me: DELETE not allowed", "/api/me/", "worker", None, 405, "DELETE"),
    send("stores: POST not allowed", "/api/stores/", "admin", {"name": "x"}, 405),
    get("stores: beat filter is unicode digits", f"/api/stores/?beat={SUPERSCRIPT_TWO}"),
    get("stores: beat filter is negative", "/api/stores/?beat=-1", expect=200),
    get("stores: NUL in a filter", "/api/stores/?beat=%00"),
    get("stores: page size negative", "/api/stores/?page_size=-5"),
    get("stores: page of 5,000 digits", "/api/stores/?page=" + "9" * 5000, expect=404),
    get("stores: unknown query parameter", "/api/stores/?colour=red", expect=200),
    get("store: id 0", "/api/stores/0/", expect=404),
    get("store: negative id", "/api/stores/-1/", expect=404),
    get("store: id past 64 bits", f"/api/stores/{INT64_PAST}/", expect=404),
    get("users: id too large", f"/api/users/{HUGE}/", expect=404),
    get("users: role filter not a role", "/api/users/?role=wizard"),
    get("beats: page is a word", "/api/beats/?page=first"),
    get("forces: page_size is a decimal", "/api/forces/?page_size=1.5"),
    get("retailers: page with a NUL", "/api/retailers/?page=%00"),
]

INCIDENTS = [
    new_incident("store is a word", store="abc"),
    new_incident("store id negative", store=-1),
    new_incident("store id past 64 bits", store=2**63),
    new_incident("store id a float", store=1.5),
    new_incident("store of another force", store=Ref("b_store")),
    new_incident("30 February", occurred_at="2026-02-30T10:00:00Z"),
    new_incident("year 0", occurred_at="0000-01-01T00:00:00Z"),
    new_incident("the last moment of 9999", occurred_at="9999-12-31T23:59:59-14:00"),
    new_incident("date as a number", occurred_at=1767225600),
    new_incident("timezone offset +25:00", occurred_at="2026-03-02T14:30:00+25:00"),
    new_incident("category not a choice", category="arson "),
    new_incident("boolean is 'maybe'", ongoing="maybe"),
    new_incident("boolean is null", injured=None),
    new_incident("NUL in the description", description=NUL),
    new_incident("description of 100,001 characters", description=LONG),
    new_incident("description is an object", description={"a": 1}),
    new_incident("goods value NaN", goods_value="NaN"),
    new_incident("goods value 1e400", goods_value="1e400"),
    new_incident("goods value negative", goods_value="-5"),
    new_incident("submission key not a UUID", submission_key="123"),
    new_incident("zero-width characters in text", 201, description=ZERO_WIDTH),
    new_incident("emoji in text", 201, description=EMOJI),
    new_incident("1,000 combining marks", 201, description=COMBINING),
    raw(
        "incident: lone surrogate in JSON text",  # PostgreSQL cannot store it: refused as input
        "/api/incidents/",
        "worker",
        lambda s: _json_with(s, INCIDENT | {"description": "@@"}, LONE_SURROGATE),
    ),
    raw("incident: body is JSON null", "/api/incidents/", "worker", "null"),
    raw("incident: body is a JSON string", "/api/incidents/", "worker", '"report"'),
    raw("incident: JSON with trailing garbage", "/api/incidents/", "worker", '{"store": 1}xyz'),
    raw("incident: JSON that is not UTF-8", "/api/incidents/", "worker", b'{"description": "\xff\xfe"}'),
    raw("incident: JSON with a byte-order mark", "/api/incidents/", "worker", "\ufeff{}".encode()),
    raw("incident: JSON of NaN", "/api/incidents/", "worker", '{"store": NaN}'),
    raw("incident: XML body", "/api/incidents/", "worker", "<incident/>", "application/xml", 415),
    raw("incident: multipart with no boundary", "/api/incidents/", "worker", "--x\r\n", "multipart/form-data"),
    raw(
        "incident: multipart cut short",
        "/api/incidents/",
        "worker",
        b'--B\r\nContent-Disposition: form-data; name="description"\r\n\r\nTook',
        "multipart/form-data; boundary=B",
    ),
    upload(
        "incident: file field sent as text",
        "/api/incidents/",
        "worker",
        lambda s: _filled(s, INCIDENT) | {"files": "x"},
    ),
    send("incident: officer may not report", "/api/incidents/", "officer", INCIDENT, 403),
    get("incidents: status filter not a choice", "/api/incidents/?status=lost"),
    get("incidents: store filter NUL", "/api/incidents/?store=%00"),
    get("incidents: date filter not a date", "/api/incidents/?occurred_after=yesterday"),
    get("incident: id past 64 bits", f"/api/incidents/{INT64_PAST}/", expect=404),
    get("incident: another force's", "/api/incidents/{b_incident}/", expect=404),
    send("incident: PUT not allowed", "/api/incidents/{incident}/", "worker", {}, 405, "PUT"),
    upload("evidence: no files", "/api/incidents/{incident}/evidence/", "worker", lambda s: {}),
    send("evidence: files as JSON", "/api/incidents/{incident}/evidence/", "worker", {"files": ["a.jpg"]}, 415),
    *[evidence(kind) for kind in BAD_FILES],
    upload(
        "evidence: a file name with path, NUL and RTL override",  # stored under a clean name
        "/api/incidents/{incident}/evidence/",
        "worker",
        lambda s: {"files": [SimpleUploadedFile(f"../../etc/{RTL}\x00.jpg", _image(), content_type="image/jpeg")]},
        201,
    ),
    upload(
        "evidence: a file name of 5,000 characters",
        "/api/incidents/{incident}/evidence/",
        "worker",
        lambda s: {"files": [SimpleUploadedFile("x" * 5000 + ".jpg", _image(), content_type="image/jpeg")]},
        201,
    ),
]

ORDERS = [
    new_offender("NUL in a name", given_names=NUL),
    new_offender("name of 121 characters", family_name="x" * 121),
    new_offender("aliases is a string", aliases="Jay"),
    new_offender("alias is null", aliases=[None]),
    new_offender("13th month", date_of_birth="1990-13-01"),
    new_offender("born in the future", date_of_birth="2999-01-01"),
    new_offender("PNC id with a wrong check letter", pnc_id="2010/0001000Z"),
    new_offender("officer may not create", 403, role="officer"),
    send("offender: PATCH a name to empty", "/api/offenders/{offender}/", "admin", {"family_name": ""}, method="PATCH"),
    send("offender: PATCH a list body", "/api/offenders/{offender}/", "admin", [1], method="PATCH"),
    get("offender: negative id", "/api/offenders/-5/", expect=404),
    get("offenders: page 0", "/api/offenders/?page=0"),
    upload(
        "photo: no image",
        "/api/offenders/{offender}/photos/",
        "admin",
        lambda s: {"source": "x", "taken_on": "2025-11-02"},
    ),
    new_photo("image is text", lambda: "x"),
    send(
        "photo: sent as JSON", "/api/offenders/{offender}/photos/", "admin", {"image": "aGVsbG8=", "source": "x"}, 415
    ),
    new_photo("zero-byte image"),
    new_photo("decompression bomb", "decompression bomb png (30000 x 30000)"),
    new_photo("extreme aspect (100000 x 1)", "extreme aspect png (100000 x 1)"),
    new_photo("extreme aspect (1 x 200000)", "extreme aspect png (1 x 200000)"),
    new_photo("truncated jpeg", "truncated jpeg"),
    new_photo("polyglot", "html/script polyglot named .jpg"),
    new_photo("taken in the future", face, taken_on="2999-01-01"),
    new_photo("NUL in the source", face, source=NUL),
    send(
        "photo: PATCH taken_on not a date",
        "/api/offenders/{offender}/photos/{photo}/",
        "admin",
        {"taken_on": "soon"},
        method="PATCH",
    ),
    send(
        "photo: DELETE with a NUL reason",
        "/api/offenders/{offender}/photos/{photo}/?reason=a%00b",
        "admin",
        None,
        method="DELETE",
    ),
    send(
        "photo: DELETE with a 2,001-character reason",
        "/api/offenders/{offender}/photos/{photo}/?reason=" + "x" * 2001,
        "admin",
        None,
        method="DELETE",
    ),
    get("photo image: ids too large", f"/api/offenders/{HUGE}/photos/{HUGE}/image/", expect=404),
    send("order: prohibitions is an object", "/api/orders/", "admin", ORDER | {"prohibitions": {"kind": "premises"}}),
    new_order("29 February of a common year", made_on="2025-02-29"),
    new_order("ends before it is made", ends_on="2025-01-01"),
    new_order("ends in year 9999", ends_on="9999-12-31"),
    new_order("NUL in the case reference", case_reference=NUL),
    new_order("offender is a word", offender="abc"),
    new_order("offender id negative", offender=-1),
    new_order("store id past 64 bits", {"kind": "premises", "stores": [2**63]}),
    new_order("zone polygon is a string", {"kind": "zone", "polygon": "square"}),
    raw(
        "order: zone polygon with a NaN corner",
        "/api/orders/",
        "admin",
        lambda s: _json_with(
            s,
            ORDER | {"prohibitions": [{"kind": "zone", "polygon": "@@"}]},
            '{"type": "Polygon", "coordinates": [[[NaN, 53], [-2.4, 53], [-2.4, 53.1], [NaN, 53]]]}',
        ),
    ),
    new_order("zone radius negative", zone(radius_m=-5)),
    new_order("latitude 1e308", zone(centre_latitude=1e308)),
    new_order("radius past 64 bits", zone(radius_m=2**63)),
    get("orders: offender filter a word", "/api/orders/?offender=abc"),
    send(
        "order: PATCH made_on year 1",
        "/api/orders/{order}/",
        "admin",
        {"made_on": "0001-01-01", "reason": "typo"},
        method="PATCH",
    ),
    send("order: serve on a date that is not one", "/api/orders/{order}/serve/", "admin", {"served_on": "garbage"}),
    send(
        "order: discharge with a NUL reason",
        "/api/orders/{order}/discharge/",
        "admin",
        {"discharged_on": "2026-03-01", "reason": NUL},
    ),
    send(
        "order: vary adding a string of prohibitions",
        "/api/orders/{order}/vary/",
        "admin",
        {"varied_on": "2026-03-01", "reason": "Varied.", "add_prohibitions": "all"},
    ),
    send(
        "order: vary removing ids that are words",
        "/api/orders/{order}/vary/",
        "admin",
        {"varied_on": "2026-03-01", "reason": "Varied.", "remove_prohibitions": ["x"]},
    ),
    send("prohibition: empty body", "/api/orders/{order}/prohibitions/", "admin", {}),
    send(
        "prohibition: PUT a retailer that is a word",
        "/api/orders/{order}/prohibitions/{prohibition}/",
        "admin",
        {"kind": "retailer_area", "retailer": "abc"},
        method="PUT",
    ),
    send(
        "prohibition: DELETE with a NUL reason",
        "/api/orders/{order}/prohibitions/{prohibition}/?reason=%00",
        "admin",
        None,
        method="DELETE",
    ),
    get("prohibited-at: store a word", "/api/orders/prohibited-at/?store=abc&at=2026-03-01T10:00:00Z"),
    get("prohibited-at: moment not a date", "/api/orders/prohibited-at/?store={store}&at=tomorrow"),
    get("prohibited-at: no moment", "/api/orders/prohibited-at/?store={store}"),
    upload("premises import: no file", "/api/orders/{order}/premises-import/", "admin", lambda s: {"dry_run": "true"}),
    premises("a PNG as the CSV", _image(fmt="PNG")),
    premises("an empty file", b""),
    premises("NUL bytes in the CSV", b"store_code,postcode\nA-1\x00,ST7\n"),
    premises("Latin-1 bytes in the CSV", b"store_code,postcode\nCaf\xe9,ST7 2EW\n"),
    premises("a cell over the CSV field limit", b'store_code,postcode\n"' + b"x" * 200_000 + b'",ST7\n'),
    premises("formula cells", b'store_code,postcode\n"=HYPERLINK(""http://evil.example"")",@SUM(A1)\n', 200),
    premises("dry run is 'maybe'", b"store_code,postcode\nA-1,ST7 2EW\n", dry_run="maybe"),
]

RECOGNITION = [
    get("processing: status filter not a choice", "/api/recognition/processing/?status=lost"),
    get("processing: incident filter is 1.5", "/api/recognition/processing/?incident=1.5"),
    get("processing: id past 64 bits", f"/api/recognition/processing/{INT64_PAST}/", expect=404),
    send(
        "retry: reason of 401 characters",
        "/api/recognition/processing/{evidence}/retry/",
        "admin",
        {"reason": "x" * 401},
    ),
    send("retry: NUL in the reason", "/api/recognition/processing/{evidence}/retry/", "admin", {"reason": NUL}),
    send("retry: shop worker", "/api/recognition/processing/{evidence}/retry/", "worker", {}, 403),
    get("matches: offender filter a word", "/api/recognition/matches/?offender=abc"),
    threshold("NaN", {"threshold": "NaN", "reason": REASON}),
    threshold("infinity", {"threshold": "Infinity", "reason": REASON}),
    raw(
        "threshold: 1e309 in JSON", "/api/recognition/threshold/change/", "admin", '{"threshold": 1e309, "reason": "x"}'
    ),
    threshold("zero", {"threshold": 0, "reason": REASON}),
    threshold("a list", {"threshold": [0.1], "reason": REASON}),
    threshold("NUL in the reason", {"threshold": 0.06, "reason": NUL}),
    threshold("officer may not change it", {"threshold": 0.06, "reason": REASON}, "officer", 403),
    get("research jobs: status not a choice", "/api/recognition/research-jobs/?status=lost"),
    get("research job: id past 64 bits", f"/api/recognition/research-jobs/{INT64_PAST}/", expect=404),
    send(
        "incident research: NUL in the reason",
        "/api/recognition/incidents/{incident}/research/",
        "admin",
        {"reason": NUL},
    ),
    send("incident research: no reason", "/api/recognition/incidents/{incident}/research/", "admin", {}),
    send(
        "incident research: id too large",
        f"/api/recognition/incidents/{HUGE}/research/",
        "admin",
        {"reason": "New lead"},
        404,
    ),
    get("evidence media: id too large", f"/api/recognition/evidence/{HUGE}/media/", "officer", 404),
    get("frame: t is a word", "/api/recognition/evidence/{evidence}/frame/?t=abc", "officer"),
    get("frame: t negative", "/api/recognition/evidence/{evidence}/frame/?t=-1", "officer"),
    get("frame: t NaN", "/api/recognition/evidence/{evidence}/frame/?t=NaN", "officer"),
    get("frame: t infinite", "/api/recognition/evidence/{evidence}/frame/?t=inf", "officer"),
    get("frame: t of 5,000 digits", "/api/recognition/evidence/{evidence}/frame/?t=" + "9" * 5000, "officer"),
    region("box is a string", box="10,10,60,60"),
    region("box of three numbers", box=[1, 2, 3]),
    region("negative box", box=[-10, -10, 60, 60]),
    region("box of NaN", box=["NaN", 1, 60, 60]),
    region("box wider than the frame", box=[0, 0, 10**9, 10**9]),
    region("frame time a word", frame_time_s="noon"),
    region("evidence id too large", evidence=int(HUGE)),
    region("NUL in the justification", justification=NUL),
    region("shop worker", "worker", 403),
]

CASE = "/api/cases/{case}"
CASES = [
    get("cases: status filter not a choice", "/api/cases/?status=lost", "officer"),
    get("cases: breach filter 'maybe'", "/api/cases/?breach=maybe", "officer"),
    get("cases: beat filter negative", "/api/cases/?beat=-1", "officer", 200),
    get("case: id past 64 bits", f"/api/cases/{INT64_PAST}/", "officer", 404),
    get("case image: not cctv or reference", CASE + "/images/passport/", "officer", 404),
    get("case image: NUL as the kind", CASE + "/images/%00/", "officer", 404),
    send("justification: a list", CASE + "/justification/", "officer", {"justification": ["Triage of my beat"]}),
    send("justification: 2,001 characters", CASE + "/justification/", "officer", {"justification": "x" * 2001}),
    send("justification: spaces only", CASE + "/justification/", "officer", {"justification": " \t " * 10}),
    send("justification: NUL", CASE + "/justification/", "officer", {"justification": "Triage\x00 of my beat"}),
    get("justification: in the query string", CASE + "/?justification=Triage+of+my+beat", "officer"),
    send("review: same_person 'perhaps'", CASE + "/review/", "officer", {"same_person": "perhaps", "reason": "Scar"}),
    send("review: no reason", CASE + "/review/", "officer", {"same_person": True}),
    send("review: NUL in the reason", CASE + "/review/", "officer", {"same_person": True, "reason": NUL}),
    send("corroborate: action not a choice", CASE + "/corroborate/", "officer", {"action": "shoot", "reason": "x"}),
    send("close: reason of 4,001 characters", CASE + "/close/", "officer", {"reason": "x" * 4001}),
    get("evidence pack: unknown format", CASE + "/evidence-pack/?as=docx", "officer"),
    get("access logs: user filter a word", "/api/access-logs/?user=abc"),
    get("access logs: officer may not read them", "/api/access-logs/", "officer", 403),
    get("access log export: unknown format suffix", "/api/access-logs/export/?format=xml", expect=404),
    send("case counts: POST not allowed", "/api/cases/counts/", "officer", {}, 405),
]

CORE = [
    get("api: an address that matches no route", "/api/cases/abc/", "officer", 404),
    send("api: a write without its trailing slash", "/api/offenders", "admin", {}, 308),
    raw("api: JSON nested 100,000 deep", "/api/offenders/", "admin", "[" * 100_000 + "]" * 100_000),
    raw(
        "api: a form with 5,000 fields",
        "/api/offenders/",
        "admin",
        "&".join(f"f{i}=1" for i in range(5000)),
        "application/x-www-form-urlencoded",
    ),
    raw(
        "api: a JSON body over the upload limit",
        "/api/offenders/",
        "admin",
        '{"notes": "' + "x" * 6_000_000 + '"}',
        expect=413,
    ),
    Bad("api: an unknown HTTP method", "BREW", "/api/cases/", "officer", expect=405),
]

PAGES = [
    form("sign-in form: NUL in the username", "/login/", "anon", {"username": NUL, "password": "x"}, 200),
    form("sign-in form: a 100 KB password", "/login/", "anon", {"username": "nobody-corpus", "password": LONG}, 200),
    report_form("date not a date", occurred_at="soon"),
    report_form("NUL in the description", description=NUL),
    report_form("another force's store", store=Ref("b_store")),
    report_form("goods value NaN", goods_value="NaN"),
    report_form("yes/no is 'perhaps'", weapon="perhaps"),
    report_form("a decompression bomb", files="decompression bomb png (30000 x 30000)"),
    report_form("a strip of a picture", files="extreme aspect png (100000 x 1)"),
    get("incident list: filters that are not choices", "/incidents/?store=abc&status=lost&page=-1", "worker", 200),
    form("incident page: status change not offered", "/incidents/{incident}/", "officer", {"status_change": "x"}, 302),
    form(
        "incident page: closing reason with NUL",
        "/incidents/{incident}/",
        "officer",
        {"status_change": "close", "reason": NUL},
        302,
    ),
    evidence("zero-byte file", "/incidents/{incident}/evidence/", "evidence form"),
    evidence("extreme aspect png (1 x 200000)", "/incidents/{incident}/evidence/", "evidence form"),
    get("processing page: filters that are not choices", "/recognition/?status=lost&page=abc", "officer", 200),
    form("threshold form: NaN", "/recognition/threshold/", "admin", {"threshold": "NaN", "reason": REASON}, 200),
    form(
        "threshold form: NUL in the reason",
        "/recognition/threshold/",
        "admin",
        {"threshold": "0.06", "reason": NUL},
        200,
    ),
    form(
        "re-search form: NUL in the reference",
        "/recognition/research/",
        "admin",
        {"reference": NUL, "reason": "A new lead"},
    ),
    form(
        "re-search form: a 5,000-character reference",
        "/recognition/research/",
        "admin",
        {"reference": "x" * 5000, "reason": "Lead"},
    ),
    form(
        "face search form: box corner a word",
        "/recognition/evidence/{evidence}/search/",
        "officer",
        REGION | {"x": "abc", "y": "1", "w": "60", "h": "60"},
    ),
    form(
        "face search form: time NaN",
        "/recognition/evidence/{evidence}/search/",
        "officer",
        REGION | {"t": "NaN", "x": "1", "y": "1", "w": "60", "h": "60"},
    ),
    form("retry form: NUL in the reason", "/recognition/{evidence}/retry/", "admin", {"reason": NUL}, 302),
    get("case queue: filters that are not choices", "/cases/?status=lost&breach=maybe&sort=%00", "officer", 200),
    form("justify form: NUL", "/cases/{case}/", "officer", {"justification": "Triage\x00 of my beat"}, 302),
    form(
        "review form: NUL in the reason",
        "/cases/{case}/review/",
        "officer",
        {"decision": "confirm", "reason": NUL + " scar"},
        302,
    ),
    form(
        "corroborate form: action not offered",
        "/cases/{case}/corroborate/",
        "officer",
        {"action": "shoot", "reason": "y"},
        302,
    ),
    form("close form: NUL in the reason", "/cases/{case}/close/", "officer", {"reason": "Closed\x00 now"}, 302),
    get("case image page: not cctv or reference", "/cases/{case}/image/passport/", "officer", 404),
    get("evidence pack page: unknown format", "/cases/{case}/pack.docx", "officer", 302),
    exhibit("Range of 5,000 digits", "bytes=" + "9" * 5000 + "-", 416),
    exhibit("Range end of 5,000 digits", "bytes=0-" + "9" * 5000, 206),
    exhibit("Range suffix of 5,000 digits", "bytes=-" + "9" * 5000, 206),
    exhibit("Range that is words", "bytes=start-end", 200),
    exhibit("Range of several parts", "bytes=0-1,5-6", 200),
    exhibit("Range in another unit", "items=0-5", 200),
    exhibit("Range last before first", "bytes=9-3", 416),
    exhibit("Range in Arabic-Indic digits", "bytes=\u0661-\u0663", 200),
    get("access log page: export in an unknown format", "/cases/access-log/?export=xml", "admin", 200),
]


def admin_photo(kind: str, file_kind: str, expect: int) -> Bad:
    def body(s: dict) -> dict:
        from tests.orders.test_photos import _offender_form

        return _offender_form(_file(file_kind))

    return upload(f"admin: reference photo {kind}", "/admin/orders/offender/add/", "admin", body, expect)


ADMIN = [
    get("admin: search with a NUL", "/admin/orders/offender/?q=%00", "admin", 200),
    get("admin: search of 5,000 characters", "/admin/incidents/incident/?q=" + "x" * 5000, "admin", 200),
    get("admin: a filter value that is a word", "/admin/orders/order/?id__exact=abc", "admin", 302),
    get("admin: change page of an id past 64 bits", f"/admin/orders/offender/{INT64_PAST}/change/", "admin", 302),
    admin_photo("that is a bomb", "decompression bomb png (30000 x 30000)", 200),  # the form's own image check
    admin_photo("that is a strip", "extreme aspect png (100000 x 1)", 302),  # "Nothing was saved: ..." (the service)
    admin_photo("of zero bytes", "zero-byte file", 200),
]

CORPUS = ACCOUNTS + INCIDENTS + ORDERS + RECOGNITION + CASES + CORE + PAGES + ADMIN


def test_the_corpus_holds_at_least_114_kinds_each_named_once():
    kinds = [bad.kind for bad in CORPUS]
    assert len(kinds) == len(set(kinds)), [k for k in kinds if kinds.count(k) > 1]
    assert len(kinds) >= 114, len(kinds)


# The scene every case runs in ---------------------------------------------------------------------------------------


@pytest.fixture
def scene(world, media_root) -> dict:
    """Ids of one of each thing in force A (an incident with a stored still, its processing record, an offender
    barred from the store with an order, prohibition and photo, a case justified by the officer and the admin),
    and force B's store and incident."""
    a = world.a
    offender, order, prohibition = offender_barred_from(a.store)
    evidence = evidence_on(incident_at(a.store, a.worker))
    EvidenceProcessing.objects.create_for(evidence)
    case = case_raise_for_match(match=possible_match(evidence, offender))
    for user in (a.officer, a.admin):
        case_justify(case=case, user=user, justification="Triage of my beat's retail cases")
    b_incident = incident_at(world.b.store, world.b.worker)
    return {
        "world": world,
        "store": a.store.pk,
        "incident": evidence.incident_id,
        "evidence": evidence.pk,
        "offender": offender.pk,
        "order": order.pk,
        "prohibition": prohibition.pk,
        "photo": case.best_match.reference_photo_id,
        "case": case.pk,
        "b_store": world.b.store.pk,
        "b_incident": b_incident.pk,
    }


def _client(bad: Bad, s: dict):
    world = s["world"]
    users = {"worker": world.a.worker, "officer": world.a.officer, "admin": world.a.admin, "norole": world.norole}
    is_api = bad.path.startswith("/api/")
    client = APIClient() if is_api else Client()
    user = users.get(bad.role)
    if user is not None:
        if is_api:
            client.force_authenticate(user)
        else:
            client.force_login(user)
    return client


def _send(bad: Bad, s: dict):
    ids = {k: v for k, v in s.items() if k != "world"}
    path = bad.path.format(**ids) if "{" in bad.path else bad.path
    body = bad.body(s) if callable(bad.body) else bad.body
    client = _client(bad, s)
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in bad.headers.items()}
    if bad.method == "GET":
        return client.get(path, **extra)
    if bad.fmt == "raw":
        data = body.encode() if isinstance(body, str) else body
        return client.generic(bad.method, path, data or b"", content_type=bad.content_type, **extra)
    if bad.fmt == "form":
        from urllib.parse import urlencode

        data = urlencode(body or {}, doseq=True)
        return client.generic(bad.method, path, data, content_type="application/x-www-form-urlencoded", **extra)
    if bad.fmt == "multipart":
        if bad.method != "POST":
            raise AssertionError("multipart bodies are POSTed")
        if isinstance(client, APIClient):
            return client.post(path, body or {}, format="multipart", **extra)
        return client.post(path, body or {}, **extra)
    if body is None:
        return client.generic(bad.method, path, **extra)
    return client.generic(bad.method, path, json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.kind for bad in CORPUS])
def test_bad_input_is_answered_below_500_with_the_error_shape(scene, bad):
    r = _send(bad, scene)
    expected = bad.expect if isinstance(bad.expect, tuple) else (bad.expect,)
    assert r.status_code < 500, (bad.kind, r.status_code, r.content[:500])
    assert r.status_code in expected, (bad.kind, r.status_code, r.content[:300])
    if r.status_code >= 400 and bad.path.startswith("/api/"):
        assert r["Content-Type"].startswith("application/json"), (bad.kind, r["Content-Type"])
        assert_error(r, r.status_code)
    elif r.status_code >= 400 and r.status_code != 416:
        content = r.content.decode(errors="replace")
        assert r["Content-Type"].startswith("text/html") and "Traceback" not in content, (bad.kind, content[:300])
