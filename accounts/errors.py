"""Error codes of sign-in (besides core's ``ErrorCode``: ``authentication_failed``, ``token_expired``,
``throttled``, ...). Clients branch on these strings: never change one."""

from core.exceptions import ErrorCodes


class AccountErrorCode(ErrorCodes):
    LOCKED_OUT = (
        "locked_out",
        "Too many failed sign-ins for this account or from this address: signing in is paused for the cool-off "
        "(`Retry-After` says how many seconds), unless a force admin lifts it (429).",
    )
    OTP_REQUIRED = (
        "otp_required",
        "This account signs in with a second factor: send `otp`, the code from its authenticator app or a "
        "recovery code (401); or, signed in on the portal, enter the code at /login/code/ first (403).",
    )
    OTP_INVALID = "otp_invalid", "The one-time code is wrong or already used (401)."
    OTP_THROTTLED = (
        "otp_throttled",
        "Too many wrong one-time codes in a row: wait `Retry-After` seconds before the next try (429).",
    )
    OTP_NOT_SET_UP = (
        "otp_not_set_up",
        "This account needs a second factor but has none yet: sign in on the portal (/login/) once to set up "
        "an authenticator app, then ask for a token with its code (403).",
    )
