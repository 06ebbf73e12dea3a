"""Demo data for the embedded default: one force, two beats, two retailers, three stores, one user per role."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import otp
from accounts.models import Beat, Force, Retailer, Store, User
from accounts.services import user_create

DEMO_PASSWORD = "retrace-demo"

STORES = [
    # retailer, code, name, address, postcode, lat, lon, beat
    ("Northway Foods", "NW-ALS", "Alsager", "12 Crewe Road, Alsager", "ST7 2EW", "53.0960", "-2.3050", "Alsager"),
    (
        "Northway Foods",
        "NW-CRW",
        "Crewe Market St",
        "4 Market Street, Crewe",
        "CW1 2EG",
        "53.0979",
        "-2.4416",
        "Crewe Town",
    ),
    (
        "Valu Corner",
        "VC-CRW",
        "Crewe Nantwich Rd",
        "88 Nantwich Road, Crewe",
        "CW2 6AL",
        "53.0900",
        "-2.4440",
        "Crewe Town",
    ),
]

USERS = [
    ("shopworker", User.Role.SHOP_WORKER, "Sam", "Shaw"),
    ("officer", User.Role.BEAT_OFFICER, "Olivia", "Okafor"),
    ("forceadmin", User.Role.FORCE_ADMIN, "Adam", "Ashworth"),
]


class Command(BaseCommand):
    help = "Create demo data (idempotent). Refused outside the embedded default: demo passwords are public."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000/", help="Where the service listens.")

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEMO_LOGINS_ALLOWED:
            raise CommandError(
                "seed_demo is refused here: demo accounts have public passwords and may only be used on the "
                "embedded default (SQLite). Create real users in the admin instead."
            )
        force, _ = Force.objects.get_or_create(code="cheshire", defaults={"name": "Cheshire Constabulary"})
        beats = {name: Beat.objects.get_or_create(force=force, name=name)[0] for name in ("Alsager", "Crewe Town")}
        stores = []
        for retailer_name, code, name, address, postcode, lat, lon, beat in STORES:
            retailer, _ = Retailer.objects.get_or_create(name=retailer_name)
            store, _ = Store.objects.get_or_create(
                retailer=retailer,
                code=code,
                defaults=dict(
                    name=name, address=address, postcode=postcode, latitude=lat, longitude=lon, beat=beats[beat]
                ),
            )
            stores.append(store)
        memberships = {
            User.Role.SHOP_WORKER: {"stores": stores[:2]},  # both Northway Foods stores
            User.Role.BEAT_OFFICER: {"beats": [beats["Alsager"]]},
            User.Role.FORCE_ADMIN: {},
        }
        keys = {}
        for username, role, first, last in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    force=force,
                    first_name=first,
                    last_name=last,
                    is_demo=True,
                    **memberships[role],
                )
            if user.is_demo and user.is_police:  # police sign in with a code, the demo accounts too
                keys[username] = otp.secret_text(otp.demo_authenticator(user))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in at {options['base_url']} as:"))
        for username, role, _, _ in USERS:
            self.stdout.write(f"  {role.label:<13} {username:<11} password: {DEMO_PASSWORD}")
        self.stdout.write(
            "Police accounts also give a one-time code. Add their (public, demo-only) key to an authenticator "
            "app, or print the codes now with `python manage.py demo_code`:"
        )
        for username, key in keys.items():
            self.stdout.write(f"  {username:<11} authenticator key: {key}")
