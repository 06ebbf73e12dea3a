"""The one-time codes the demo police accounts' authenticator would show now (embedded default only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp


class Command(BaseCommand):
    help = "Print the demo accounts' current one-time codes (their keys are public; embedded default only)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="Demo accounts (default: every one with an authenticator).")

    def handle(self, *args, **options):
        if not settings.DEMO_LOGINS_ALLOWED:
            raise CommandError("demo_code is refused here: demo accounts may only be used on the embedded default.")
        devices = TOTPDevice.objects.filter(user__is_demo=True, confirmed=True).select_related("user")
        if options["usernames"]:
            devices = devices.filter(user__username__in=options["usernames"])
        if not devices:
            raise CommandError("No demo account with an authenticator: run `python manage.py seed_demo` first.")
        for device in devices.order_by("user__username"):
            self.stdout.write(f"{device.user.username:<11} {otp.current_code(device)}")
        self.stdout.write("Each code works for about 30 seconds, once.")
