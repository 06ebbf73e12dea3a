"""A DPA 2018 s.62 justification: why a person looks at biometric data or searches it. The one check
for opening a case and for searching a face an officer boxed."""

from core.exceptions import ApplicationError

JUSTIFICATION_MIN = 10


def clean_justification(text: str | None, *, why: str, code: str) -> str:
    """The justification with its spacing tidied, or a 400 saying what is wrong. ``why`` completes
    "Say why you ..." (e.g. "need to open this case"); ``code`` is the app's ``justification_too_short``."""
    if "\x00" in (text or ""):  # PostgreSQL refuses NUL in text
        raise ApplicationError(
            "The justification contains a character that cannot be stored (NUL).",
            fields={"justification": ["Null characters are not allowed."]},
        )
    justification = " ".join((text or "").split())
    if len(justification) < JUSTIFICATION_MIN:
        raise ApplicationError(
            f"Say why you {why} (at least {JUSTIFICATION_MIN} characters): it is logged under DPA 2018 s.62.",
            code=code,
            fields={"justification": [f"At least {JUSTIFICATION_MIN} characters."]},
        )
    return justification
