"""A real SMTP server in the test process (aiosmtpd on a free port) and Django's SMTP backend pointed at it,
and the people of the notification tests: officers of both beats of force A, one who turned emails off, an
officer of force B, a shop worker and a force admin, each with an email address."""

import email
import email.policy
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from accounts.models import User
from notifications.models import NotificationPreference
from tests.conftest import free_port, port_open, wait_for
from tests.factories import UserFactory


@dataclass
class Received:
    to: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class Collector:
    """aiosmtpd handler: keeps every message the server accepted."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(to=list(envelope.rcpt_tos), message=message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1:``port``; ``start``/``stop`` (an outage) as a test needs."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = Collector()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, user) -> list[Received]:
        return [r for r in self.received if user.email in r.to]

    def recipients(self) -> list[str]:
        return sorted(address for r in self.received for address in r.to)

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        wait_for(lambda: port_open("127.0.0.1", self.port), timeout=10, what=f"SMTP server on {self.port}")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def point_email_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 5
    settings.NOTIFICATIONS_SITE_URL = "https://retrace.example.police.uk"


@pytest.fixture
def smtp(settings):
    """A running SMTP server that Django's email backend sends to."""
    server = SmtpServer()
    server.start()
    point_email_at(settings, server.port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_down(settings):
    """An SMTP server that is not running yet (nothing listens on its port): ``start()`` brings it up."""
    server = SmtpServer()
    point_email_at(settings, server.port)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class People:
    officer: User  # covers world.a.beat
    colleague: User  # also covers world.a.beat
    quiet: User  # covers world.a.beat, turned every email off
    other_beat: User  # covers world.a.other_beat only
    other_force: User  # force B, covers world.b.beat
    worker: User  # shop worker of world.a.store
    admin: User  # force admin of force A (emails off by default)


@pytest.fixture
def people(world) -> People:
    a, b = world.a, world.b
    R = User.Role

    def officer(name, force, beats):
        return UserFactory(username=name, email=f"{name}@police.example", role=R.BEAT_OFFICER, force=force, beats=beats)

    quiet = officer("quiet", a.force, [a.beat])
    NotificationPreference.objects.create(user=quiet, p1_incident=False, breach_case=False, daily_digest=False)
    for user in (a.officer, b.officer, a.worker, a.admin):
        user.email = f"{user.username.lower()}@example.org"
        user.save(update_fields=["email"])
    return People(
        officer=a.officer,
        colleague=officer("colleague", a.force, [a.beat]),
        quiet=quiet,
        other_beat=officer("southbeat", a.force, [a.other_beat]),
        other_force=b.officer,
        worker=a.worker,
        admin=a.admin,
    )
