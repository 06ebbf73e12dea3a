"""Where the pipeline looks for faces (scan) and how it follows them (the tracker): no model needed,
except where marked."""

import threading

import numpy as np
import pytest

from recognition import engine, matching, scan
from recognition.engine import Box
from recognition.video import Frame


def _frame(t, image):
    return Frame(index=int((t or 0) * 25), time_s=t, image=image)


# The tracker -----------------------------------------------------------------------------------


def test_a_fast_walker_stays_one_track_at_two_frames_a_second():
    tracker = matching.Tracker(per_track=2)
    # A 40 px face crossing 1080p at 1.5 m/s: 150 px (almost 4 face widths) between sampled frames.
    tracks = [tracker.assign_all([Box(100 + 150 * i, 500, 40, 40)], i * 0.5)[0] for i in range(8)]
    assert tracker.started == 1 and all(t is tracks[0] for t in tracks)


def test_two_people_walking_past_each_other_stay_two_tracks():
    tracker = matching.Tracker(per_track=2)
    for i in range(8):
        left, right = Box(200 + 120 * i, 400, 48, 48), Box(1300 - 120 * i, 430, 48, 48)
        a, b = tracker.assign_all([left, right], i * 0.5)
        if i == 0:
            first_a, first_b = a, b
        assert (a, b) == (first_a, first_b)  # through the crossing, each keeps its own
    assert tracker.started == 2


def test_someone_who_stops_walking_stays_one_track():
    tracker = matching.Tracker(per_track=2)
    for i, x in enumerate((100, 250, 400, 400, 400, 410)):  # walks up, stops, stands
        tracker.assign_all([Box(x, 500, 40, 40)], i * 0.5)
    assert tracker.started == 1


def test_a_searched_person_passing_close_to_someone_is_searched_again():
    tracker = matching.Tracker(per_track=1)
    (done,) = tracker.assign_all([Box(100, 400, 48, 48)], 0.0)
    done.embeds = 1  # searched, no match: only followed from now on
    tracker.assign_all([Box(200, 400, 48, 48), Box(900, 400, 48, 48)], 0.5)  # someone far off: no doubt
    assert not tracker.wants_embedding(done, 1.5)
    tracker.assign_all([Box(300, 400, 48, 48), Box(340, 420, 48, 48)], 1.0)  # two faces where it should be
    assert tracker.wants_embedding(done, 2.0)  # the tracks may have swapped: search it again


def test_a_face_of_another_size_or_too_far_is_someone_new():
    tracker = matching.Tracker(per_track=2)
    tracker.assign_all([Box(100, 100, 40, 40)], 0.0)
    tracker.assign_all([Box(110, 100, 90, 90)], 0.5)  # twice the size: another person
    tracker.assign_all([Box(1800, 900, 40, 40)], 1.0)  # across the frame in half a second
    assert tracker.started == 3


def test_a_track_is_embedded_a_few_times_then_only_followed():
    tracker = matching.Tracker(per_track=2, spacing_s=1.0)
    track = tracker.assign_all([Box(100, 100, 40, 40)], 0.0)[0]
    assert tracker.wants_embedding(track, 0.0)
    track.embeds, track.last_embed_s = 1, 0.0
    assert not tracker.wants_embedding(track, 0.5)  # too soon after the last
    assert tracker.wants_embedding(track, 1.0)
    track.matched = True
    assert not tracker.wants_embedding(track, 2.0)  # it matched: no more embeddings needed
    assert [box for box, _ in tracker.finished_at(0.5)] == [Box(100, 100, 40, 40)]


def test_a_cut_ends_every_track():
    tracker = matching.Tracker(per_track=2)
    tracker.assign_all([Box(100, 100, 40, 40)], 0.0)
    tracker.cut()
    tracker.assign_all([Box(100, 100, 40, 40)], 0.5)
    assert tracker.started == 2


# Planning --------------------------------------------------------------------------------------


def test_a_moving_person_gives_one_head_region_enlarged_for_small_faces(settings):
    motion = scan.MotionRegions()
    background = np.full((1080, 1920, 3), 120, dtype=np.uint8)
    assert motion.changed(background) == ([], 1.0)  # the first frame only primes the model
    frame = background.copy()
    frame[400:760, 900:1020] = 30  # a person 120 px wide and 360 px tall (a face of about 40 px)
    regions, share = motion.changed(frame)
    ((region, scale),) = regions
    assert 0.01 < share < 0.05
    assert region.x <= 900 and region.x + region.w >= 1020 and region.y <= 400
    assert region.h < 360  # the upper part, where the head is
    assert scale == settings.RECOGNITION_SMALL_FACE_SCALE


def test_a_tall_person_close_to_the_camera_is_not_enlarged():
    motion = scan.MotionRegions()
    background = np.full((1080, 1920, 3), 120, dtype=np.uint8)
    motion.changed(background)
    frame = background.copy()
    frame[100:1000, 600:950] = 30  # 900 px tall: a face over 90 px
    ((_, scale),) = motion.changed(frame)[0]
    assert scale == 1.0


def test_the_planner_scans_in_full_on_the_first_frame_after_a_cut_and_periodically(settings):
    settings.RECOGNITION_FULL_SCAN_EVERY_S = 20.0
    planner = scan.Planner()
    image = np.zeros((720, 1280, 3), dtype=np.uint8)
    assert planner.plan(_frame(0.0, image), ([], 1.0), []).full
    assert planner.plan(_frame(0.5, image), ([], 0.0), []).empty  # nothing moved
    cut = planner.plan(_frame(1.0, image), ([], 0.9), [])
    assert cut.full and cut.cut
    assert (
        planner.plan(_frame(21.0, image), ([], 0.0), []).full
        and not planner.plan(_frame(21.5, image), ([], 0.0), []).full
    )
    photo = planner.plan(_frame(None, image), None, [])
    assert photo.full and photo.regions[0][1] == settings.RECOGNITION_SMALL_FACE_SCALE


def test_someone_already_embedded_costs_a_small_window_not_a_region():
    planner = scan.Planner()
    image = np.zeros((1080, 1920, 3), dtype=np.uint8)
    planner.plan(_frame(0.0, image), ([], 1.0), [])
    person = Box(880, 380, 160, 160)
    plan = planner.plan(_frame(0.5, image), ([(person, 2.0)], 0.02), [(Box(940, 400, 40, 40), 28.0)])
    ((window, scale),) = plan.regions
    assert window.w * window.h < person.w * person.h / 2 and scale == 2.0
    group = Box(700, 380, 600, 200)  # wider than one person round that face: someone else may be there
    plan = planner.plan(_frame(1.0, image), ([(group, 2.0)], 0.05), [(Box(940, 400, 40, 40), 28.0)])
    assert plan.regions == ((group, 2.0),)


def test_overlapping_regions_merge_and_full_scans_split_into_overlapping_bands():
    merged = scan._merge([(Box(0, 0, 100, 100), 2.0), (Box(50, 50, 100, 100), 1.0), (Box(500, 0, 10, 10), 1.5)])
    assert sorted(merged, key=lambda r: r[0].x) == [(Box(0, 0, 150, 150), 2.0), (Box(500, 0, 10, 10), 1.5)]
    parts = scan._parts(scan.full_plan(1920, 1080, max_pixels=10**8), 2)
    (top,), (bottom,) = parts
    assert top[0].y == 0 and bottom[0].y + bottom[0].h == 1080
    assert top[0].y + top[0].h - bottom[0].y >= 200  # a face on the seam is whole in one band


# Threads ---------------------------------------------------------------------------------------


def test_a_decoding_error_reaches_the_caller_and_no_thread_is_left_behind(face_engine):
    before = threading.active_count()

    def frames():
        yield _frame(0.0, np.zeros((360, 640, 3), dtype=np.uint8))
        raise engine.EngineError("The video cannot be opened.", code="corrupt_video")

    with pytest.raises(engine.EngineError), scan.Scanner(face_engine, frames()) as scanner:
        while scanner.next() is not None:
            pass
    assert threading.active_count() == before


@pytest.mark.deepface
def test_faces_come_back_in_frame_order_from_the_pool(face_engine, settings):
    settings.RECOGNITION_DETECT_THREADS = 2
    import cv2

    from tests.recognition.factories import face_bytes

    faces = [cv2.resize(engine.load_image(face_bytes(n)), (640, 640)) for n in ("img2.jpg", "img17.jpg", "img20.jpg")]
    blank = np.zeros_like(faces[0])
    images = [faces[i // 3] if i % 3 == 0 else blank for i in range(9)]  # another face every third frame
    seen = []
    with scan.Scanner(face_engine, (_frame(i * 0.5, im) for i, im in enumerate(images))) as scanner:
        current = scanner.next()
        while current is not None:
            seen.append((current.frame.index, len(current.detections())))
            current = scanner.next()
    assert [index for index, _ in seen] == [int(i * 0.5 * 25) for i in range(9)]
    assert [n for _, n in seen] == [1 if i % 3 == 0 else 0 for i in range(9)]


@pytest.mark.deepface
def test_the_embedding_child_gives_the_same_vectors_and_is_replaced_when_it_dies(face_engine):
    from tests.recognition.factories import face_bytes

    image = engine.load_image(face_bytes("img2.jpg"))
    chip = face_engine.chip(image, face_engine.detect_image(image)[0])
    in_process = face_engine.embed_chips([chip])
    embedder = face_engine.embedder()
    assert embedder.usable()
    assert np.allclose(embedder.embed([chip]), in_process, atol=1e-6)
    embedder._process.kill()
    embedder._process.join()
    assert not embedder.usable()
    assert np.allclose(embedder.embed([chip]), in_process, atol=1e-6)  # embedded in process meanwhile
    replacement = face_engine.embedder()
    assert replacement is not embedder and replacement.usable()
