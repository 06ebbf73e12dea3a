"""The pipeline on real photographs and videos made from them (real model)."""

import io

import numpy as np
import pytest
from PIL import Image

from bench import synthetic
from recognition import engine
from recognition.models import EvidenceProcessing, EvidenceProcessingEvent, FaceTemplate, PossibleMatch
from recognition.services import reference_photo_enrol
from tests.incidents.factories import IncidentFactory
from tests.orders.factories import OffenderFactory
from tests.recognition.factories import evidence_for, face_bytes, offender_with_order, reference_photo
from workflows.evidence import evidence_matching_run as evidence_process

pytestmark = [pytest.mark.django_db, pytest.mark.deepface]
Status, Result = EvidenceProcessing.Status, EvidenceProcessing.Result


@pytest.fixture
def raised(monkeypatch):
    """Matches handed to the cases app (which raises their cases as usual)."""
    from cases import services as case_services

    calls, real = [], case_services.case_raise_for_match

    def spy(*, match):
        calls.append(match)
        return real(match=match)

    monkeypatch.setattr(case_services, "case_raise_for_match", spy)
    return calls


@pytest.fixture
def enrolled(world, face_engine):
    """Force A's gallery: one offender under an order, enrolled from img1.jpg."""
    offender = offender_with_order(world.a.force)
    photo = reference_photo(offender, "img1.jpg")
    reference_photo_enrol(photo=photo)
    return offender, photo


def _incident(world, side="a"):
    s = getattr(world, side)
    return IncidentFactory(store=s.store, reported_by=s.worker, in_order_period=True)  # while the order is in force


def _process(evidence):
    evidence_process(evidence_id=evidence.pk)
    return EvidenceProcessing.objects.get(evidence=evidence)


def _media_files(settings, sub="recognition"):
    root = settings.MEDIA_ROOT / sub
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_same_person_in_a_photo_is_matched(world, enrolled, raised, settings):
    offender, photo = enrolled
    before = set(_media_files(settings))
    evidence = evidence_for(_incident(world), face_bytes("img2.jpg"), "till.jpg")
    processing = _process(evidence)
    assert (processing.status, processing.result, processing.matches) == (Status.DONE, Result.MATCH, 1)
    match = PossibleMatch.objects.get(evidence=evidence)
    assert match.offender == offender and match.reference_photo == photo
    assert match.distance <= match.threshold == settings.RECOGNITION_DEFAULT_THRESHOLD
    assert abs(match.similarity - (1 - match.distance)) < 1e-6
    assert match.frame_time_s is None and match.crop.name
    assert Image.open(match.crop.path).size[0] > 100
    assert raised == [match]
    assert len(set(_media_files(settings)) - before) == 1  # the crop, nothing else
    assert processing.model_name == "Dlib" and processing.gallery_size == 1 and processing.faces_embedded == 1


def test_another_person_is_not_matched_and_leaves_nothing(world, enrolled, raised, settings):
    before = set(_media_files(settings))
    evidence = evidence_for(_incident(world), face_bytes("img17.jpg"), "till.jpg")
    processing = _process(evidence)
    assert (processing.status, processing.result) == (Status.DONE, Result.NO_MATCH)
    assert processing.faces_detected == 1 and processing.faces_embedded == 1
    # No crop, no embedding, no match: only counts.
    assert not PossibleMatch.objects.exists() and raised == []
    assert set(_media_files(settings)) == before
    assert FaceTemplate.objects.count() == 1  # the offender's own template only
    binary = [f.name for f in EvidenceProcessing._meta.get_fields() if f.get_internal_type() == "BinaryField"]
    assert binary == []


def test_gallery_is_only_offenders_under_an_order_in_force_in_the_force(world, face_engine, raised):
    no_order = OffenderFactory(force=world.a.force)
    reference_photo_enrol(photo=reference_photo(no_order, "img1.jpg"))
    other_force = offender_with_order(world.b.force)
    reference_photo_enrol(photo=reference_photo(other_force, "img4.jpg"))
    processing = _process(evidence_for(_incident(world), face_bytes("img2.jpg"), "till.jpg"))
    assert processing.result == Result.NO_MATCH or processing.gallery_size == 0
    assert processing.gallery_size == 0 and processing.faces_embedded == 0  # nothing to match: nothing embedded
    assert not PossibleMatch.objects.exists()


def test_video_made_from_stills_finds_the_person(world, enrolled, raised, tmp_path, face_engine):
    offender, _ = enrolled
    stills = [engine.load_image(face_bytes(n)) for n in ("img17.jpg", "img16.jpg", "img2.jpg", "img2.jpg", "img20.jpg")]
    clip = synthetic.stills_clip(tmp_path / "cctv.mp4", stills, seconds_each=1.0, fps=10)
    evidence = evidence_for(_incident(world), clip.path.read_bytes(), "cctv.mp4", kind="video")
    processing = _process(evidence)
    assert (processing.status, processing.result) == (Status.DONE, Result.MATCH)
    match = PossibleMatch.objects.get(evidence=evidence)
    assert match.offender == offender and 2.0 <= match.frame_time_s < 4.0
    assert processing.frames_decoded == 50 and processing.frames_sampled == 10
    assert processing.media_seconds == pytest.approx(5.0)
    # Four scenes (img2 is shown twice in a row): each cut is searched in full and starts new tracks;
    # the 6 sampled frames where nothing changed are not searched again.
    assert processing.frames_skipped_still == 6
    assert (processing.faces_detected, processing.faces_tracked, processing.faces_embedded) == (4, 4, 4)


def test_walking_face_tracked_and_embedded_a_few_times(world, enrolled, raised, tmp_path, face_engine, settings):
    photo = engine.load_image(face_bytes("img2.jpg"))
    box = face_engine.detect_image(photo)[0].box
    clip = synthetic.walking_clip(
        tmp_path / "walk.mp4",
        photo_rgb=photo,
        face_box=(box.x, box.y, box.w, box.h),
        seconds=12,
        face_from_s=2,
        face_to_s=10,
    )
    processing = _process(evidence_for(_incident(world), clip.path.read_bytes(), "walk.mp4", kind="video"))
    assert processing.result == Result.MATCH
    assert processing.faces_detected >= 10  # 8 s at 2 frames/s
    assert processing.faces_tracked <= 2
    assert processing.faces_embedded <= settings.RECOGNITION_EMBEDS_PER_TRACK * processing.faces_tracked


def _png(width, height):
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_bad_files_fail_clearly_and_others_keep_processing(world, enrolled, raised, tmp_path, settings):
    settings.RECOGNITION_MAX_IMAGE_PIXELS = 20_000_000
    incident = _incident(world)
    empty_clip = tmp_path / "empty.mp4"
    import cv2

    cv2.VideoWriter(str(empty_clip), cv2.VideoWriter_fourcc(*"mp4v"), 25, (640, 360)).release()
    files = {
        "corrupt.mp4": (b"\x00\x00\x00\x18ftypmp42" + np.random.default_rng(1).bytes(5000), "video"),
        "empty.mp4": (empty_clip.read_bytes(), "video"),
        "huge.png": (_png(6000, 4000), "image"),
        "wall.jpg": (_png(800, 600), "image"),
        "broken.jpg": (b"\xff\xd8\xff\xe0 truncated", "image"),
        "good.jpg": (face_bytes("img2.jpg"), "image"),
    }
    states = {}
    for name, (data, kind) in files.items():
        p = _process(evidence_for(incident, data, name, kind=kind))
        states[name] = (p.status, p.result or p.reason_code)
        assert p.reason or p.status == Status.DONE
    assert states == {
        "corrupt.mp4": (Status.FAILED, "corrupt_video"),
        "empty.mp4": (Status.FAILED, states["empty.mp4"][1]),
        "huge.png": (Status.FAILED, "image_too_large"),
        "wall.jpg": (Status.DONE, Result.NO_FACE),
        "broken.jpg": (Status.FAILED, "unreadable_image"),
        "good.jpg": (Status.DONE, Result.MATCH),
    }
    assert states["empty.mp4"][1] in ("corrupt_video", "no_frames")


def test_processing_is_idempotent(world, enrolled, raised):
    evidence = evidence_for(_incident(world), face_bytes("img2.jpg"), "till.jpg")
    first = _process(evidence)
    assert evidence_process(evidence_id=evidence.pk) is None  # done: returns at once
    assert PossibleMatch.objects.count() == 1 and len(raised) == 1
    assert EvidenceProcessing.objects.get(pk=first.pk).attempts == 1
    written = EvidenceProcessingEvent.objects.filter(processing=first)
    assert list(written.values_list("kind", "status")) == [
        (EvidenceProcessingEvent.Kind.ATTEMPT_STARTED, Status.RUNNING),
        (EvidenceProcessingEvent.Kind.DONE, Status.DONE),
    ]
    assert written.last().details == {"result": Result.MATCH, "matches": 1, "faces_embedded": 1}


def test_blurred_and_small_faces_are_counted_not_embedded(world, enrolled, raised, settings):
    settings.RECOGNITION_MIN_SHARPNESS = 10_000  # every face counts as blurred
    processing = _process(evidence_for(_incident(world), face_bytes("img2.jpg"), "a.jpg"))
    assert (processing.faces_blurred, processing.faces_embedded, processing.result) == (1, 0, Result.NO_FACE)
    settings.RECOGNITION_MIN_SHARPNESS = 0
    settings.RECOGNITION_MIN_FACE_PX = 10_000
    processing = _process(evidence_for(_incident(world), face_bytes("img4.jpg"), "b.jpg"))
    assert (processing.faces_too_small, processing.faces_embedded, processing.result) == (1, 0, Result.NO_FACE)


def test_a_file_left_running_by_a_crashed_worker_is_re_run_once(world, enrolled, raised):
    evidence = evidence_for(_incident(world), face_bytes("img2.jpg"), "till.jpg")
    EvidenceProcessing.objects.create_for(evidence, status=Status.RUNNING, attempts=1)  # the worker died
    processing = _process(evidence)  # the redelivered task
    assert (processing.status, processing.attempts, processing.matches) == (Status.DONE, 2, 1)
    _process(evidence)  # a duplicate delivery changes nothing
    assert PossibleMatch.objects.filter(evidence=evidence).count() == 1 and len(raised) == 1


def test_task_runs_the_service_and_returns_the_state(world, enrolled, raised):
    from recognition.tasks import evidence_process_task

    evidence = evidence_for(_incident(world), face_bytes("img17.jpg"), "till.jpg")
    assert evidence_process_task.apply(args=[evidence.pk]).get() == Status.DONE
    assert evidence_process_task.apply(args=[evidence.pk + 1000]).get() is None  # gone: nothing to do


def test_an_empty_shop_is_not_searched_until_someone_walks_in(world, enrolled, raised, tmp_path, face_engine):
    photo = engine.load_image(face_bytes("img2.jpg"))
    box = face_engine.detect_image(photo)[0].box
    clip = synthetic.walking_clip(
        tmp_path / "shop.mp4",
        photo_rgb=photo,
        face_box=(box.x, box.y, box.w, box.h),
        seconds=20,
        face_from_s=12,
        face_to_s=16,
    )
    processing = _process(evidence_for(_incident(world), clip.path.read_bytes(), "shop.mp4", kind="video"))
    assert processing.result == Result.MATCH
    # 24 sampled frames of an empty shop: only the first is searched (in full); 16-20 s is empty again.
    assert processing.frames_skipped_still >= 28


def _shrunk(name: str, face_px: int, face_engine):
    """A dataset photo scaled so that its face is ``face_px`` wide (as HOG boxes it)."""
    import cv2

    photo = engine.load_image(face_bytes(name))
    box = face_engine.detect_image(photo)[0].box
    scale = face_px / box.w
    small = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return small, engine.Box(int(box.x * scale), int(box.y * scale), face_px, face_px)


def test_a_44_px_face_walking_through_1080p_cctv_is_matched_at_the_defaults(
    world, enrolled, raised, tmp_path, face_engine
):
    offender, _ = enrolled
    photo = engine.load_image(face_bytes("img2.jpg"))
    box = face_engine.detect_image(photo)[0].box
    clip = synthetic.walking_clip(
        tmp_path / "far.mp4",
        photo_rgb=photo,
        face_box=(box.x, box.y, box.w, box.h),
        seconds=10,
        size=(1920, 1080),
        face_from_s=2,
        face_to_s=9,
        face_px=44,
    )
    evidence = evidence_for(_incident(world), clip.path.read_bytes(), "far.mp4", kind="video")
    processing = _process(evidence)
    assert (processing.status, processing.result) == (Status.DONE, Result.MATCH)
    match = PossibleMatch.objects.get(evidence=evidence)
    assert match.offender == offender and 2.0 <= match.frame_time_s < 9.0
    assert 36 <= match.face_box[2] <= 60  # the face as the camera recorded it, not enlarged
    assert processing.faces_tracked <= 2  # one walker, followed across the frame at 2 frames/s


def test_a_44_px_face_in_a_1080p_photo_is_matched(world, enrolled, raised, face_engine):
    import cv2

    offender, _ = enrolled
    face, _ = _shrunk("img2.jpg", 44, face_engine)
    canvas = np.full((1080, 1920, 3), 96, dtype=np.uint8)
    canvas[600 : 600 + face.shape[0], 1300 : 1300 + face.shape[1]] = face
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    evidence = evidence_for(_incident(world), jpeg.tobytes(), "far.jpg")
    processing = _process(evidence)
    assert (processing.result, processing.faces_detected) == (Result.MATCH, 1)
    assert PossibleMatch.objects.get(evidence=evidence).offender == offender


def test_a_small_face_of_someone_else_matches_nobody(world, enrolled, raised, face_engine, settings):
    import cv2

    before = set(_media_files(settings))
    face, _ = _shrunk("img17.jpg", 44, face_engine)  # not the enrolled person
    canvas = np.full((1080, 1920, 3), 96, dtype=np.uint8)
    canvas[300 : 300 + face.shape[0], 500 : 500 + face.shape[1]] = face
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    processing = _process(evidence_for(_incident(world), jpeg.tobytes(), "other.jpg"))
    assert (processing.result, processing.faces_embedded) == (Result.NO_MATCH, 1)
    assert not PossibleMatch.objects.exists() and set(_media_files(settings)) == before


@pytest.mark.parametrize(("blur", "kept"), [(0.025, True), (0.08, False)])
def test_blur_is_judged_relative_to_the_face_so_what_can_match_is_kept(
    world, enrolled, raised, face_engine, blur, kept
):
    import cv2

    photo = engine.load_image(face_bytes("img2.jpg"))
    width = face_engine.detect_image(photo)[0].box.w
    blurred = cv2.GaussianBlur(photo, (0, 0), blur * width)  # a blur of 2.5% / 8% of the face's width
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(blurred, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
    processing = _process(evidence_for(_incident(world), jpeg.tobytes(), "blurred.jpg"))
    if kept:
        assert (processing.faces_blurred, processing.result) == (0, Result.MATCH)
    else:
        assert (processing.faces_blurred, processing.faces_embedded, processing.result) == (1, 0, Result.NO_FACE)
