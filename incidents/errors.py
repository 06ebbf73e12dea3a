"""Error codes of incidents: reports, their CCTV files and their status.

Clients branch on these strings: never change one. ``permission_denied`` is ``core.exceptions.ErrorCode``'s;
the checks of an uploaded image's contents (``image_too_many_pixels``, ``unreadable_image``) are
``core.images.ImageErrorCode``'s, the same for a still from CCTV as for a custody photo. ``empty_file`` and
``file_too_large`` are listed here as well because incidents answers them for videos too."""

from core.exceptions import ErrorCodes


class IncidentErrorCode(ErrorCodes):
    # Reports
    STORE_NOT_YOURS = "store_not_yours", "Shop workers report incidents only for their own stores."
    OCCURRED_IN_FUTURE = "occurred_in_future", "When it happened is in the future (more than 5 minutes ahead)."
    OCCURRED_TOO_LONG_AGO = (
        "occurred_too_long_ago",
        "When it happened is further back than the oldest incident taken (`INCIDENT_OLDEST_DAYS`, five years).",
    )
    POSSIBLE_DUPLICATE = (
        "possible_duplicate",
        "A file of the report was already sent with another incident at the same store within "
        "`INCIDENT_DUPLICATE_WINDOW_DAYS` (7 days): `earlier_incidents` lists them. Send again with "
        "`confirm_duplicate=true` if this is a different incident (409).",
    )
    DUPLICATE_SUBMISSION = (
        "duplicate_submission",
        "This report (its `submission_key`) was already sent by someone else, or twice at the same moment (409).",
    )

    # CCTV files (each message names the file)
    NO_FILES = "no_files", "Adding evidence needs at least one file."
    TOO_MANY_FILES = "too_many_files", "More files in one upload than the limit: send the rest in another upload."
    EMPTY_FILE = "empty_file", "A file is empty (0 bytes)."
    UNSUPPORTED_TYPE = (
        "unsupported_type",
        "A file's contents are not a JPEG, PNG or WebP photo nor an MP4, MOV, AVI or MKV video.",
    )
    TYPE_MISMATCH = "type_mismatch", "A file's contents are not the type its name or declared content type says."
    FILE_TOO_LARGE = "file_too_large", "A photo or video is larger than the limit for its kind."
    VIDEO_UNREADABLE = "video_unreadable", "A video cannot be opened (damaged, or a format we cannot play)."
    VIDEO_NO_FRAME = "video_no_frame", "No picture could be read from the start of a video."
    DUPLICATE_FILE = "duplicate_file", "The same file (by SHA-256) is already attached to the incident, or sent twice."

    # Status
    INVALID_STATUS = "invalid_status", "The status is not one of received, with_police, closed."
    INVALID_STATUS_TRANSITION = (
        "invalid_status_transition",
        "The incident cannot move to that status from the one it has (a closed incident stays closed) (409).",
    )
    CLOSING_REASON_REQUIRED = (
        "closing_reason_required",
        "Closing an incident needs a reason of at least 5 characters.",
    )

    # Witness statements (MG11)
    TRUTH_NOT_DECLARED = "truth_not_declared", "A witness statement needs the statement-of-truth declaration."
    SIGNATURE_MISMATCH = "signature_mismatch", "The typed signature is not the witness's name as given."
    SIGNED_ON_INVALID = (
        "signed_on_invalid",
        "The statement's date is in the future or before the incident happened.",
    )
    CONTACT_REQUIRED = "contact_required", "A witness statement needs at least one way to contact the witness."
