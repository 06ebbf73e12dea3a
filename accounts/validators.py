"""A password validator (AUTH_PASSWORD_VALIDATORS): passwords that are public are refused for real accounts."""

import re

from django.core.exceptions import ValidationError

# Published passwords: the demo accounts' (README, `seed_demo`) and the like. Compared on letters only,
# lower case, so that "Retrace-Demo", "retrace_demo!" or "retrace-demo-2024" are refused too.
PUBLIC_PASSWORDS = frozenset({"retracedemo", "demoretrace", "retrace", "retracepassword", "retraceadmin"})


def _letters(password: str) -> str:
    return re.sub(r"[^a-z]", "", password.lower())


class PublicPasswordValidator:
    """Refuse the demo password and its variants, and any password built on the service's name."""

    message = (
        "This password is public (it is the demo accounts' password, or built on the name Retrace): "
        "anyone could guess it. Choose another."
    )

    def validate(self, password: str, user=None) -> None:
        letters = _letters(password)
        short_on_name = letters.startswith("retrace") and len(letters) <= len("retrace") + 8
        if letters in PUBLIC_PASSWORDS or short_on_name or ("retrace" in letters and "demo" in letters):
            raise ValidationError(self.message, code="password_public")

    def get_help_text(self) -> str:
        return "Your password can't be a demo password such as retrace-demo, or built on the name Retrace."
