"""Error codes the cases API answers with (besides core's ``ErrorCode``: ``invalid``, ``not_found``, ...)."""

from core.exceptions import ErrorCodes


class CaseErrorCode(ErrorCodes):
    INVALID_TRANSITION = (
        "invalid_transition",
        "The case is not at the stage this decision belongs to (review, corroboration, closure) (409).",
    )
    JUSTIFICATION_REQUIRED = (
        "justification_required",
        "Give a justification before viewing a case's face images or exhibits: POST it to "
        "`/api/cases/{id}/justification/` (DPA 2018 s.62) (403).",
    )
    JUSTIFICATION_TOO_SHORT = (
        "justification_too_short",
        "A justification must say why, in at least 10 characters (400).",
    )
    JUSTIFICATION_IN_URL = (
        "justification_in_url",
        "A justification was sent in a URL's query string: URLs are written to access logs, so it is "
        "refused and not stored; send it in the body of `POST /api/cases/{id}/justification/` (400).",
    )
    PACK_NOT_AVAILABLE = (
        "pack_not_available",
        "An evidence pack is built only for a CBO-breach case whose match a reviewer has confirmed (409).",
    )
    EVIDENCE_INTEGRITY = (
        "evidence_integrity",
        "An exhibit no longer matches the SHA-256 recorded at upload: the evidence pack was not built (409).",
    )
    CONSEQUENCE_NOT_ACKNOWLEDGED = (
        "consequence_not_acknowledged",
        "A review decision is recorded only with `consequence_acknowledged: true`: the message says what the "
        "decision does (a rejection closes the case; a confirmation sends it to corroboration) (400).",
    )
    SAME_OFFICER = (
        "same_officer",
        "The officer who confirmed the match may not corroborate it; another officer must "
        "(CASES_SEPARATE_CORROBORATOR) (403).",
    )
