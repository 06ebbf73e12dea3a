"""Face recognition: the model's weights, detection and matching limits, and the task's time limits.

The recognition queue's route and the safety net's schedule are with the other Celery settings in
``celery.py``.
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
# Files queued this long (a lost message) are sent again; "running" files after the time limit too,
# up to RECOGNITION_MAX_ATTEMPTS attempts (then failed, retryable by an admin).
RECOGNITION_REQUEUE_AFTER_S = env.int("RECOGNITION_REQUEUE_AFTER_S", default=6 * 3600)
RECOGNITION_MAX_ATTEMPTS = env.int("RECOGNITION_MAX_ATTEMPTS", default=3)
