from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def demo_login_refused(user) -> bool:
    """Demo accounts (known passwords) are refused unless the embedded default is running."""
    return bool(getattr(user, "is_demo", False)) and not settings.DEMO_LOGINS_ALLOWED


class RetraceModelBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not demo_login_refused(user)
