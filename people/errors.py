"""Error codes the people API answers with (besides core's ``ErrorCode``: ``invalid``, ``not_found``, ...)."""

from core.exceptions import ErrorCodes


class PeopleErrorCode(ErrorCodes):
    REQUIRED = "required", "A required field is empty: see `fields` (400)."
    INVALID_PNC_ID = "invalid_pnc_id", "The PNC ID is not valid: the message says what is wrong (400)."
    DATE_OF_BIRTH_INVALID = "date_of_birth_invalid", "The date of birth is in the future or before 1900 (400)."
    DUPLICATE_PNC_ID = (
        "duplicate_pnc_id",
        "The force already holds a person of interest or an offender with that PNC ID: use that record (409).",
    )
    SUBJECT_REQUIRED = (
        "subject_required",
        "A link names exactly one person: `offender` (an offender record) or `person` (a person of interest) (400).",
    )
    CASE_REQUIRED = (
        "case_required",
        "Identified by a confirmed case: give the case of this incident and offender whose match a reviewer "
        "confirmed (400).",
    )
    CASE_NOT_CONFIRMED = (
        "case_not_confirmed",
        "The case is not for this incident and person, or no reviewer confirmed its match (400).",
    )
    DUPLICATE_LINK = (
        "duplicate_link",
        "The incident is already linked to this person (an active link): withdraw it first to link again (409).",
    )
    ALREADY_WITHDRAWN = "already_withdrawn", "The link was already withdrawn (409)."
    REASON_REQUIRED = "reason_required", "Say why: a reason is required (400)."
    HAS_ORDER = (
        "has_order",
        "The person is under an order (an offender record): they are not reviewed for deletion (409).",
    )
    INVALID_PERIOD = "invalid_period", "`since` is after `until`, or a date is not YYYY-MM-DD (400)."
    APPLICATION_CLOSED = (
        "application_closed",
        "The court has made the order on this application: it is kept as it was (409).",
    )
