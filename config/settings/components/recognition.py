"""Face recognition: the model's weights, detection and matching limits, and the task's time limits.

The recognition queue's route and the sweep's schedule (RECOGNITION_SWEEP_EVERY_S) are with the other
Celery settings in ``celery.py``.
"""

from pathlib import Path

from config.env import VAR_DIR, env

# DeepFace reads its weights from $DEEPFACE_HOME/.deepface/weights; nothing is downloaded.
DEEPFACE_HOME = Path(env("DEEPFACE_HOME", default=str(VAR_DIR)))
# Default match threshold (cosine distance, Dlib model); a force admin may set their own.
# Calibrated with `manage.py evaluate_recognition` on ../shared/datasets/faces.
RECOGNITION_DEFAULT_THRESHOLD = env.float("RECOGNITION_DEFAULT_THRESHOLD", default=0.07)
RECOGNITION_VIDEO_FPS = env.float("RECOGNITION_VIDEO_FPS", default=2.0)  # frames sampled per second
RECOGNITION_MAX_VIDEO_SECONDS = env.int("RECOGNITION_MAX_VIDEO_SECONDS", default=4 * 3600)
RECOGNITION_DETECT_MAX_SIDE = env.int("RECOGNITION_DETECT_MAX_SIDE", default=640)  # px, HOG input
RECOGNITION_DETECT_UPSAMPLE = env.int("RECOGNITION_DETECT_UPSAMPLE", default=0)
RECOGNITION_WORK_MAX_SIDE = env.int("RECOGNITION_WORK_MAX_SIDE", default=1600)  # px, reference photos
# Evidence photos keep more pixels, so that a 40 px face in a large still is still 40 px.
RECOGNITION_EVIDENCE_WORK_MAX_SIDE = env.int("RECOGNITION_EVIDENCE_WORK_MAX_SIDE", default=4096)
RECOGNITION_MAX_IMAGE_PIXELS = env.int("RECOGNITION_MAX_IMAGE_PIXELS", default=60_000_000)
# Small faces in evidence (recognition/scan.py): moving people's head regions, and full scans of the
# frame, are enlarged this much for HOG (80 px window): at 2.0 faces from about 36 px are found.
RECOGNITION_SMALL_FACE_SCALE = env.float("RECOGNITION_SMALL_FACE_SCALE", default=2.0)
# A video's whole frame is scanned on its first frame, after a scene change and every this many seconds
# (people who never move); in between, only what moved.
RECOGNITION_FULL_SCAN_EVERY_S = env.float("RECOGNITION_FULL_SCAN_EVERY_S", default=20.0)
# Pixels HOG sees at most (after enlarging) for a video frame's full scan, one moving region, a photo.
RECOGNITION_FRAME_SCAN_MAX_PIXELS = env.int("RECOGNITION_FRAME_SCAN_MAX_PIXELS", default=1920 * 1080 * 4)
RECOGNITION_REGION_SCAN_MAX_PIXELS = env.int("RECOGNITION_REGION_SCAN_MAX_PIXELS", default=1_500_000)
RECOGNITION_STILL_SCAN_MAX_PIXELS = env.int("RECOGNITION_STILL_SCAN_MAX_PIXELS", default=25_000_000)
# Detection threads per file (dlib and OpenCV release the GIL); decoding has a thread of its own.
RECOGNITION_DETECT_THREADS = env.int("RECOGNITION_DETECT_THREADS", default=2)
# Embed faces in a child process forked from the worker (dlib holds the GIL while it embeds, which
# would stop the detection threads): the video pipeline then uses both cores.
RECOGNITION_EMBED_IN_CHILD = env.bool("RECOGNITION_EMBED_IN_CHILD", default=True)
# Sampled frames searched ahead of the one being tracked and embedded (more keeps both cores busy; fewer
# lets people already embedded cost only a small window, where they were predicted to be).
RECOGNITION_DETECT_LOOKAHEAD = env.int("RECOGNITION_DETECT_LOOKAHEAD", default=2)
RECOGNITION_MIN_FACE_PX = env.int("RECOGNITION_MIN_FACE_PX", default=32)  # evidence faces smaller are dropped
RECOGNITION_ENROL_MIN_FACE_PX = env.int("RECOGNITION_ENROL_MIN_FACE_PX", default=80)
# Laplacian variance of the aligned chip at 64x64 (the same for the same blur relative to the face, at
# any face size): below 15, faces did not match in calibration (engine.sharpness).
RECOGNITION_MIN_SHARPNESS = env.float("RECOGNITION_MIN_SHARPNESS", default=15.0)
RECOGNITION_EMBEDS_PER_TRACK = env.int("RECOGNITION_EMBEDS_PER_TRACK", default=2)
RECOGNITION_CANDIDATES = env.int("RECOGNITION_CANDIDATES", default=3)  # best candidates kept per face
# A 4-hour video takes about 30 min on two cores; the limits are per file.
RECOGNITION_TASK_SOFT_TIME_LIMIT = env.int("RECOGNITION_TASK_SOFT_TIME_LIMIT", default=3000)
# The sweep (every RECOGNITION_SWEEP_EVERY_S, celery.py) recovers work by itself:
# - a file whose task could not be sent (broker down or hung at upload) is sent once it has been queued
#   RECOGNITION_SEND_GRACE_S (the time a send on commit may still take);
# - a running file's worker refreshes its heartbeat every RECOGNITION_HEARTBEAT_S; a file whose heartbeat
#   is older than RECOGNITION_HEARTBEAT_STALE_S (its worker killed) is queued and sent again, up to
#   RECOGNITION_MAX_ATTEMPTS attempts (then failed, retryable by an admin);
# - a file sent but still queued after RECOGNITION_REQUEUE_AFTER_S (its message lost) is sent again.
RECOGNITION_SEND_GRACE_S = env.float("RECOGNITION_SEND_GRACE_S", default=30.0)
RECOGNITION_HEARTBEAT_S = env.float("RECOGNITION_HEARTBEAT_S", default=30.0)
RECOGNITION_HEARTBEAT_STALE_S = env.float("RECOGNITION_HEARTBEAT_STALE_S", default=120.0)
RECOGNITION_REQUEUE_AFTER_S = env.int("RECOGNITION_REQUEUE_AFTER_S", default=6 * 3600)
RECOGNITION_MAX_ATTEMPTS = env.int("RECOGNITION_MAX_ATTEMPTS", default=3)
# After a send fails, a process stops trying to send for this long (the files wait for the sweep), so
# a hung broker costs one upload the socket timeout, not every upload.
RECOGNITION_SEND_PAUSE_S = env.float("RECOGNITION_SEND_PAUSE_S", default=10.0)
# A run stopped by a full disk (ENOSPC) is queued again after this back-off, doubled each time up to
# the maximum; it is never failed for that.
RECOGNITION_NO_SPACE_RETRY_S = env.float("RECOGNITION_NO_SPACE_RETRY_S", default=60.0)
RECOGNITION_NO_SPACE_RETRY_MAX_S = env.float("RECOGNITION_NO_SPACE_RETRY_MAX_S", default=1800.0)
