"""Error codes of face matching: files the engine cannot use, faces refused for a reference photo, an
officer's boxed-face search, re-searches, and why a file's processing failed.

Clients branch on these strings: never change one. ``permission_denied`` and ``conflict`` are
``core.exceptions.ErrorCode``'s. The face engine (``recognition.engine``, which imports no Django model)
raises ``EngineError`` with these codes too, so this module imports nothing but ``core.exceptions``.
A failed file's ``reason_code`` (``GET /api/recognition/processing/``) is one of the file codes or one
of the processing codes at the end."""

from core.exceptions import ErrorCodes


class RecognitionErrorCode(ErrorCodes):
    # Files the engine cannot use (an error body's code, and a failed file's reason_code)
    CORRUPT_VIDEO = "corrupt_video", "The video cannot be opened: the file is damaged or not a video."
    NO_FRAMES = "no_frames", "The video holds no frame that can be decoded."
    VIDEO_TOO_LONG = "video_too_long", "The video is longer than the part of a file that is searched."
    UNREADABLE_IMAGE = "unreadable_image", "The face engine cannot decode the image (damaged or not an image)."
    IMAGE_TOO_LARGE = "image_too_large", "The image has more pixels than the face engine reads."

    # The face of a reference photo
    NO_FACE = "no_face", "No face was found in the reference photo."
    MULTIPLE_FACES = "multiple_faces", "The reference photo shows several faces: crop it to the one person."
    FACE_TOO_SMALL = "face_too_small", "The face in the reference photo is too small for a reliable template."
    FACE_ENGINE_UNAVAILABLE = (
        "face_engine_unavailable",
        "The face model is not installed on this server (503): ask the system administrator.",
    )

    # An officer's boxed-face search
    TIME_OUT_OF_RANGE = "time_out_of_range", "The time is not a frame of the exhibit (negative, or past its end)."
    INVALID_BOX = "invalid_box", "The box is not four numbers, is too small, or lies outside the frame."
    JUSTIFICATION_TOO_SHORT = (
        "justification_too_short",
        "Say why you search this face, in at least 10 characters (DPA 2018 s.62).",
    )

    # Re-searches
    REASON_REQUIRED = "reason_required", "Say why the incident's CCTV is searched again (at least 5 characters)."
    RESEARCH_PENDING = "research_pending", "A re-search of this incident is already queued or running (409)."
    NOTHING_TO_SEARCH = "nothing_to_search", "The incident has no CCTV file whose first search has finished (409)."

    # Why a file's processing failed (a processing record's reason_code, never an error body's code)
    TIMEOUT = "timeout", "A file's processing took longer than the time limit."
    ERROR = "error", "A file's processing stopped on an unexpected error (logged on the server)."
    WORKER_LOST = "worker_lost", "The worker stopped during each attempt at a file, so it was given up."
