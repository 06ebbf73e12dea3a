"""Officer-selected face search (recognition.region and its API), on the real model and real photographs.

The clip is a 1080p shop scene with a dataset face shrunk to about 24 px: the automatic pass does not
find it, an officer who boxes it does."""

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cases.models import Case, CaseAccess
from incidents.models import Evidence
from recognition import engine
from recognition.models import EvidenceProcessing, PossibleMatch
from recognition.services import reference_photo_enrol
from tests.conftest import client_for
from tests.incidents.factories import IncidentFactory
from tests.recognition.factories import evidence_for, face_bytes, offender_with_order, reference_photo
from workflows.evidence import evidence_matching_run as evidence_process

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]

SIZE = (1920, 1080)
FACE_PX = 24
FPS = 10
SEARCH = "/api/recognition/region-search/"
WHY = "Suspect at the till, not found by the automatic search"


@dataclass
class Scene:
    path: Path
    face: tuple[int, int, int, int]  # [x, y, w, h] of the face in each frame, from APPEARS_S on


APPEARS_S = 1.0


def _background() -> np.ndarray:
    width, height = SIZE
    rng = np.random.default_rng(3)
    y = np.linspace(70, 190, height, dtype=np.float32)[:, None]
    image = np.repeat(np.repeat(y, width, axis=1)[:, :, None], 3, axis=2)
    for shelf in range(5):  # shelves with goods
        top = 120 + shelf * 190
        image[top : top + 24, :, :] = (90, 70, 50)
        for x in range(0, width, 48):
            image[top - 60 : top, x + 6 : x + 42, :] = rng.integers(40, 220, size=3)
    return image.astype(np.uint8)


def _person(face_engine, name: str, face_px: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Head and shoulders from a dataset photo, shrunk so the face is ``face_px`` across; and the
    face's box within it."""
    import cv2

    photo = engine.load_image(face_bytes(name))
    box = face_engine.detect_image(photo)[0].box
    x1, y1 = max(0, box.x - box.w // 2), max(0, box.y - box.h // 2)
    x2, y2 = min(photo.shape[1], box.x + box.w + box.w // 2), min(photo.shape[0], box.y + 2 * box.h)
    scale = face_px / box.w
    person = cv2.resize(photo[y1:y2, x1:x2], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    face = (round((box.x - x1) * scale), round((box.y - y1) * scale), face_px, round(box.h * scale))
    return person, face


def _clip(tmp_path, face_engine, name: str | None, *, seconds: float = 3.0) -> Scene:
    """A still 1080p shop: from APPEARS_S on, a person stands at (1100, 520), face FACE_PX across."""
    import cv2

    background = _background()
    scene = background.copy()
    face = (0, 0, 0, 0)
    if name:
        person, (fx, fy, fw, fh) = _person(face_engine, name, FACE_PX)
        left, top = 1100, 520
        scene[top : top + person.shape[0], left : left + person.shape[1]] = person
        face = (left + fx, top + fy, fw, fh)
    path = tmp_path / f"cctv-{name or 'empty'}.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, SIZE)
    try:
        for index in range(int(seconds * FPS)):
            frame = scene if index / FPS >= APPEARS_S else background
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return Scene(path=path, face=face)


def _drawn(face, pad: int = 6) -> list[int]:
    """A box as an officer would draw it: round the face, a little loose."""
    x, y, w, h = face
    return [x - pad, y - pad, w + 2 * pad, h + 2 * pad]


@pytest.fixture
def enrolled(world, face_engine):
    """Force A's gallery: one offender under an order in force, enrolled from img1.jpg."""
    offender = offender_with_order(world.a.force)
    reference_photo_enrol(photo=reference_photo(offender, "img1.jpg"))
    return offender


def _video(world, scene: Scene, side: str = "a") -> Evidence:
    s = getattr(world, side)
    incident = IncidentFactory(store=s.store, reported_by=s.worker, in_order_period=True)  # the order is in force
    return evidence_for(incident, scene.path.read_bytes(), scene.path.name, kind="video")


def _media(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _search(user, evidence, box, *, t=2.0, justification=WHY):
    body = {"evidence": evidence.pk, "frame_time_s": t, "box": box, "justification": justification}
    return client_for(user).post(SEARCH, body, format="json")


def _nothing_written(before_media: set[str], settings) -> None:
    assert not PossibleMatch.objects.exists() and not Case.objects.exists()
    assert _media(settings) == before_media


# The premise, the match, the log -----------------------------------------------------------


def test_a_face_too_small_for_the_automatic_pass_is_matched_when_an_officer_boxes_it(
    world, enrolled, face_engine, tmp_path, settings
):
    scene = _clip(tmp_path, face_engine, "img2.jpg")  # img2: the same person as img1
    evidence = _video(world, scene)
    processing = evidence_process(evidence_id=evidence.pk)
    assert processing.status == EvidenceProcessing.Status.DONE
    assert processing.result != EvidenceProcessing.Result.MATCH and not PossibleMatch.objects.exists()
    before = _media(settings)

    response = _search(world.a.officer, evidence, _drawn(scene.face))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["result"] == "match" and body["found_by"] == "detector" and body["gallery_size"] == 1
    assert body["frame_time_s"] == pytest.approx(2.0)
    assert body["box"] == _drawn(scene.face)
    fx, fy, fw, fh = body["face_box"]
    assert abs(fx - scene.face[0]) <= 8 and abs(fy - scene.face[1]) <= 8 and 0.6 * FACE_PX <= fw <= 1.6 * FACE_PX
    case = Case.objects.get()
    assert body["cases"] == [{"id": case.pk, "outcome": "raised", "url": f"http://testserver/api/cases/{case.pk}/"}]
    match = PossibleMatch.objects.get()
    assert (match.evidence, match.offender, match.source) == (evidence, enrolled, PossibleMatch.Source.OFFICER)
    assert match.distance <= match.threshold == settings.RECOGNITION_DEFAULT_THRESHOLD
    assert match.frame_time_s == pytest.approx(2.0) and match.face_box == body["face_box"]
    assert case.best_match == match and case.offender == enrolled and case.incident == evidence.incident
    assert _media(settings) - before == {match.crop.name}  # the crop, nothing else
    crop = Image.open(match.crop.path)
    assert FACE_PX <= crop.size[0] <= 3 * FACE_PX  # the frame's own pixels, not upsampled

    log = CaseAccess.objects.get(kind=CaseAccess.Kind.SEARCH, user=world.a.officer)
    assert log.justification == WHY and log.force == world.a.force and log.case == case
    assert f"evidence {evidence.pk} at 2.00 s" in log.detail and "box [{},{},{},{}]".format(*body["box"]) in log.detail
    assert f"case {case.pk} raised" in log.detail and body["access_log_id"] == log.pk

    # The case says the face was officer-selected, in the API and on its page.
    officer = client_for(world.a.officer)
    justified = officer.post(
        f"/api/cases/{case.pk}/justification/", {"justification": "Reviewing my officer-selected search"}, format="json"
    )
    assert justified.status_code == 201
    detail = officer.get(f"/api/cases/{case.pk}/")
    assert detail.status_code == 200 and detail.json()["match_source"] == "officer"
    matches = officer.get("/api/recognition/matches/", {"evidence": evidence.pk}).json()["results"]
    assert [(m["id"], m["source"]) for m in matches] == [(match.pk, "officer")]
    from tests.conftest import signed_in

    page = signed_in(world.a.officer).get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and b"Officer-selected face" in page.content


def test_a_second_search_of_the_same_person_in_the_same_file_keeps_the_one_match(
    world, enrolled, face_engine, tmp_path, settings
):
    evidence = _video(world, _clip(tmp_path, face_engine, "img2.jpg"))
    scene_face = _clip(tmp_path, face_engine, "img2.jpg").face
    first = _search(world.a.officer, evidence, _drawn(scene_face)).json()
    media = _media(settings)
    second = _search(world.a.admin, evidence, _drawn(scene_face, pad=10), t=2.5).json()
    assert second["result"] == "match" and second["cases"][0]["id"] == first["cases"][0]["id"]
    assert second["cases"][0]["outcome"] == "unchanged"
    assert PossibleMatch.objects.count() == 1 and Case.objects.count() == 1 and _media(settings) == media
    assert CaseAccess.objects.filter(kind=CaseAccess.Kind.SEARCH).count() == 2  # both searches logged


def test_a_match_in_another_file_of_the_incident_is_added_to_the_persons_case(world, enrolled, face_engine, tmp_path):
    scene = _clip(tmp_path, face_engine, "img2.jpg")
    evidence = _video(world, scene)
    photo = evidence_for(evidence.incident, face_bytes("img4.jpg"), "till.jpg")  # img4: the same person
    evidence_process(evidence_id=photo.pk)
    case = Case.objects.get()
    body = _search(world.a.officer, evidence, _drawn(scene.face)).json()
    assert body["cases"] == [{"id": case.pk, "outcome": "updated", "url": f"http://testserver/api/cases/{case.pk}/"}]
    assert PossibleMatch.objects.filter(source=PossibleMatch.Source.OFFICER, evidence=evidence).count() == 1
    assert case.events.filter(kind="match_added").count() == 1


def test_a_photo_is_searched_as_its_one_frame(world, enrolled, face_engine):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker, in_order_period=True)
    evidence = evidence_for(incident, face_bytes("img2.jpg"), "till.jpg")
    face = face_engine.detect_image(engine.load_image(face_bytes("img2.jpg")))[0].box
    response = _search(world.a.officer, evidence, _drawn((face.x, face.y, face.w, face.h)), t=None)
    assert response.status_code == 200 and response.json()["result"] == "match"
    assert response.json()["frame_time_s"] is None and PossibleMatch.objects.get().frame_time_s is None


# Nothing left behind -----------------------------------------------------------------------


def test_another_person_matches_nobody_and_leaves_nothing(world, enrolled, face_engine, tmp_path, settings):
    scene = _clip(tmp_path, face_engine, "img17.jpg")  # a different person
    evidence = _video(world, scene)
    before = _media(settings)
    response = _search(world.a.officer, evidence, _drawn(scene.face))
    assert response.status_code == 200
    body = response.json()
    assert (body["result"], body["cases"], body["found_by"]) == ("no_match", [], "detector")
    assert "nothing was kept" in body["message"]
    _nothing_written(before, settings)
    log = CaseAccess.objects.get(kind=CaseAccess.Kind.SEARCH)
    assert log.user == world.a.officer and log.case is None and log.justification == WHY
    assert "no match, nothing kept" in log.detail and f"evidence {evidence.pk}" in log.detail


def test_an_empty_area_is_searched_as_drawn_and_leaves_nothing(world, enrolled, face_engine, tmp_path, settings):
    scene = _clip(tmp_path, face_engine, None)
    evidence = _video(world, scene)
    before = _media(settings)
    body = _search(world.a.officer, evidence, [300, 400, 60, 60]).json()
    assert (body["result"], body["found_by"]) == ("no_match", "drawn_box")
    _nothing_written(before, settings)
    assert CaseAccess.objects.filter(kind=CaseAccess.Kind.SEARCH, user=world.a.officer).count() == 1


def test_an_empty_gallery_embeds_nothing_and_logs_the_search(world, face_engine, tmp_path, settings, monkeypatch):
    scene = _clip(tmp_path, face_engine, "img2.jpg")
    evidence = _video(world, scene)

    def refuse(chips):
        raise AssertionError("nothing to match against: nothing may be embedded")

    monkeypatch.setattr(face_engine, "embed_chips", refuse)
    body = _search(world.a.officer, evidence, _drawn(scene.face)).json()
    assert (body["result"], body["gallery_size"]) == ("no_match", 0)
    assert "0 template(s)" in CaseAccess.objects.get(kind=CaseAccess.Kind.SEARCH).detail


# Refusals write nothing --------------------------------------------------------------------


@pytest.fixture
def small_face(world, enrolled, face_engine, tmp_path):
    scene = _clip(tmp_path, face_engine, "img2.jpg")
    return scene, _video(world, scene)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"justification": ""}, "justification", "invalid"),
        ({"justification": "because"}, "justification", "justification_too_short"),
        ({"justification": None}, "justification", "invalid"),
        ({"box": [1900, 1000, 40, 100]}, "box", "invalid_box"),  # past the frame's edge
        ({"box": [-4, 10, 40, 40]}, "box", "invalid_box"),
        ({"box": [100, 100, 7, 40]}, "box", "invalid_box"),  # under 8 px
        ({"box": [100, 100, 0, 0]}, "box", "invalid_box"),
        ({"box": [100, 100, 40]}, "box", "invalid"),
        ({"box": ["a", 1, 2, 3]}, "box", "invalid"),
        ({"frame_time_s": 3.5}, "frame_time_s", "time_out_of_range"),  # the clip lasts 3 s
        ({"frame_time_s": -1}, "frame_time_s", "invalid"),
        ({"frame_time_s": "soon"}, "frame_time_s", "invalid"),
        ({"evidence": "x"}, "evidence", "invalid"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(world, small_face, settings, change, field, code):
    scene, evidence = small_face
    before = _media(settings)
    body = {"evidence": evidence.pk, "frame_time_s": 2.0, "box": _drawn(scene.face), "justification": WHY}
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    response = client_for(world.a.officer).post(SEARCH, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and any(k.startswith(field) for k in response.json()["fields"])
    _nothing_written(before, settings)
    assert not CaseAccess.objects.exists()


def test_a_file_that_cannot_be_decoded_is_a_400(world, enrolled, settings):
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    broken = evidence_for(incident, b"\x00\x00\x00\x18ftypmp42" + bytes(5000), "broken.mp4", kind="video")
    bad_photo = evidence_for(incident, b"\xff\xd8\xff\xe0 truncated", "broken.jpg")
    before = _media(settings)
    for evidence, code in ((broken, "corrupt_video"), (bad_photo, "unreadable_image")):
        response = _search(world.a.officer, evidence, [10, 10, 40, 40], t=0)
        assert response.status_code == 400 and response.json()["code"] == code
        frame = client_for(world.a.officer).get(f"/api/recognition/evidence/{evidence.pk}/frame/")
        assert frame.status_code == 400 and frame.json()["code"] == code
    _nothing_written(before, settings)
    assert not CaseAccess.objects.exists()


def test_out_of_scope_is_404_and_shop_workers_are_refused(world, small_face, settings):
    scene, evidence = small_face
    before = _media(settings)
    assert _search(world.b.officer, evidence, _drawn(scene.face)).status_code == 404
    assert _search(world.b.admin, evidence, _drawn(scene.face)).status_code == 404
    missing = {"evidence": 2**62, "frame_time_s": 2.0, "box": [1, 1, 20, 20], "justification": WHY}
    assert client_for(world.a.officer).post(SEARCH, missing, format="json").status_code == 404
    worker = _search(world.a.worker, evidence, _drawn(scene.face))  # their own store's exhibit
    assert worker.status_code == 403 and worker.json()["code"] == "permission_denied"
    assert _search(world.norole, evidence, _drawn(scene.face)).status_code == 403
    for user, status in ((world.b.officer, 404), (world.a.worker, 403)):
        assert client_for(user).get(f"/api/recognition/evidence/{evidence.pk}/frame/?t=2").status_code == status
        assert client_for(user).get(f"/api/recognition/evidence/{evidence.pk}/media/").status_code == status
    _nothing_written(before, settings)
    assert not CaseAccess.objects.exists()


# Frames ------------------------------------------------------------------------------------


def test_the_frame_is_served_at_full_size_and_its_view_logged(world, small_face):
    scene, evidence = small_face
    client = client_for(world.a.officer)
    media = client.get(f"/api/recognition/evidence/{evidence.pk}/media/")
    assert media.status_code == 200
    assert media.json() == {
        "evidence": evidence.pk,
        "kind": "video",
        "width": 1920,
        "height": 1080,
        "duration_s": 3.0,
        "fps": 10.0,
    }
    before = client.get(f"/api/recognition/evidence/{evidence.pk}/frame/?t=0.5")
    after = client.get(f"/api/recognition/evidence/{evidence.pk}/frame/", {"t": "2.04"})
    assert after.status_code == 200 and after["Content-Type"] == "image/jpeg"
    assert after["X-Frame-Time"] == "2.000" and after["Cache-Control"] == "private, no-store"
    image = np.asarray(Image.open(io.BytesIO(after.content)).convert("L"), dtype=np.int16)
    empty = np.asarray(Image.open(io.BytesIO(before.content)).convert("L"), dtype=np.int16)
    assert image.shape == (1080, 1920)
    x, y, w, h = scene.face
    assert np.abs(image[y : y + h, x : x + w] - empty[y : y + h, x : x + w]).mean() > 10  # the person is there
    views = CaseAccess.objects.filter(kind=CaseAccess.Kind.VIEW_EVIDENCE, user=world.a.officer).order_by("pk")
    assert views.count() == 2 and "at 2.00 s" in views.last().detail
    assert evidence.incident.reference in views.last().justification
    for bad in ("3.5", "-1", "nan", "x"):
        response = client.get(f"/api/recognition/evidence/{evidence.pk}/frame/", {"t": bad})
        assert response.status_code == 400 and response.json()["fields"], bad
    assert views.count() == 2


def test_a_photos_frame_is_the_working_image_the_box_is_drawn_on(world, enrolled, settings):
    settings.RECOGNITION_WORK_MAX_SIDE = settings.RECOGNITION_EVIDENCE_WORK_MAX_SIDE = 300
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, face_bytes("img2.jpg"), "till.jpg")
    client = client_for(world.a.officer)
    frame = client.get(f"/api/recognition/evidence/{evidence.pk}/frame/")
    size = Image.open(io.BytesIO(frame.content)).size
    assert frame.status_code == 200 and max(size) == 300
    assert client.get(f"/api/recognition/evidence/{evidence.pk}/media/").json()["width"] == size[0]
    assert client.get(f"/api/recognition/evidence/{evidence.pk}/frame/?t=2").status_code == 400
    outside = _search(world.a.officer, evidence, [size[0] - 20, 10, 40, 40], t=None)
    assert outside.status_code == 400 and outside.json()["code"] == "invalid_box"


def test_bodies_match_the_schema(world, small_face):
    import jsonschema
    from drf_spectacular.generators import SchemaGenerator

    from tests.api_helpers import as_json_schema

    scene, evidence = small_face
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = as_json_schema(schema["components"])
    media = client_for(world.a.officer).get(f"/api/recognition/evidence/{evidence.pk}/media/")
    search = _search(world.a.officer, evidence, _drawn(scene.face))
    frame = schema["paths"]["/api/recognition/evidence/{evidence_id}/frame/"]["get"]["responses"]["200"]
    assert list(frame["content"]) == ["image/jpeg"]
    for path, method, response in (
        ("/api/recognition/evidence/{evidence_id}/media/", "get", media),
        (SEARCH, "post", search),
    ):
        assert response.status_code == 200
        body_schema = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        validator = jsonschema.Draft7Validator({**as_json_schema(body_schema), "components": components})
        assert not [e.message for e in validator.iter_errors(response.json())], path


BITS = 10


def _counter_clip(path: Path, *, frames: int, fps: int = 10) -> Path:
    """A small clip showing its own frame number in binary, as black and white columns."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (320, 240))
    try:
        for index in range(frames):
            frame = np.zeros((240, 320, 3), dtype=np.uint8)
            for bit in range(BITS):
                if index >> bit & 1:
                    frame[:, bit * 32 : bit * 32 + 32] = 255
            writer.write(frame)
    finally:
        writer.release()
    return path


def _frame_number(image: np.ndarray) -> int:
    return sum(1 << bit for bit in range(BITS) if image[:, bit * 32 + 8 : bit * 32 + 24].mean() > 128)


@pytest.mark.parametrize("t", [0.0, 5.0, 29.95, 35.0, 39.9])  # up to frame 300 by grabbing, beyond by seeking
def test_the_frame_served_is_the_one_at_that_time(world, tmp_path, t):
    from recognition import region

    clip = _counter_clip(tmp_path / "counter.mp4", frames=400)
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, clip.read_bytes(), "counter.mp4", kind="video")
    frame = region.frame_at(evidence, t)
    index = int(t * 10 + 1e-6)  # the frame showing at that time
    assert frame.time_s == pytest.approx(index / 10)
    assert _frame_number(frame.image) == index


def test_a_time_past_the_limit_of_what_is_searched_is_refused(world, tmp_path, settings):
    settings.RECOGNITION_MAX_VIDEO_SECONDS = 2
    clip = _counter_clip(tmp_path / "counter.mp4", frames=40)
    incident = IncidentFactory(store=world.a.store, reported_by=world.a.worker)
    evidence = evidence_for(incident, clip.read_bytes(), "counter.mp4", kind="video")
    response = client_for(world.a.officer).get(f"/api/recognition/evidence/{evidence.pk}/frame/?t=2.5")
    assert response.status_code == 400 and response.json()["code"] == "time_out_of_range"
    assert "first 2 s" in response.json()["message"]
