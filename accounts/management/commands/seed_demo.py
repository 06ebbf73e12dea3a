"""Demo data for the embedded default, so that a new user sees what Retrace is for in the first minute.

- One force with two beats (outlined on the maps), two retailers, three stores (with phone numbers), a shop
  worker for each retailer, two beat officers (with collar numbers) and a force admin.
- A demo offender whose reference photos are enrolled with the real face model, through the same workflow the
  admin and the API use, under a served order in force that prohibits the demo store; and an incident at that
  store whose CCTV (a different photo of the same person) is matched by the real pipeline in this process, so
  the officer finds a possible breach case waiting. The shop worker's witness statement is on the incident.
- An earlier breach by the same person, three weeks ago at the same store: matched by the same pipeline, confirmed
  by the Alsager officer the morning it was reported and corroborated by the second officer (a summons), so the
  force admin's review-time chart has a review to show; it waits in nobody's queue.
- A second offender whose order ends within the month, a P1 incident not yet taken on, and a few weeks of
  incidents of every kind, so the home pages and the force admin's charts have something to show.
- A persistent offender not (yet) under an order: Jay Corran, a person of interest linked by an officer to four
  incidents at two Northway Foods stores over the last four months (staff know him; CCTV viewed by an officer),
  one of them with threats to staff and a witness statement, so the persistent-offender list ranks him; and a
  draft CBO application for him with two proposed prohibitions, for the officer to build into a bundle and the
  force admin to record the court's order from (``people.services`` and ``people.bundle``, as the portal does).

Idempotent: each thing is looked up by a natural key (username, PNC ID, case reference, photo hash, incident
submission key) and made only when missing, so running it again creates nothing twice. The photographs ship in
``accounts/management/demo_photos`` (MIT, see its README): a fresh clone needs nothing beside it.
"""

import datetime
import hashlib
import random
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts import otp
from accounts.models import Beat, Force, Retailer, Store, User
from accounts.services import user_create
from cases import services as case_services
from cases.models import Case, CaseDecision, CaseEvent
from core.exceptions import ApplicationError
from incidents import services as incident_services
from incidents.models import Incident
from orders import geo
from orders.models import Offender, Order, Prohibition, ReferencePhoto
from orders.services import offenders as offender_services
from orders.services.prohibitions import ProhibitionInput
from orders.validators import normalise_pnc_id
from people import bundle as people_bundle
from people import services as people_services
from people.models import CBOApplication, IncidentLink, PersonOfInterest, ProposedProhibition
from recognition.models import EvidenceProcessing
from workflows import evidence as evidence_workflow
from workflows import orders as order_workflow

DEMO_PASSWORD = "retrace-demo"
PHOTOS = Path(__file__).resolve().parent.parent / "demo_photos"
# Demo incidents carry submission keys made from their names: a second run finds them instead of filing again.
KEYS = uuid.UUID("5f1d2c1e-7a4b-4c59-9d0e-2f6a1b3c8e71")

# Beat outlines: GeoJSON Polygons, [longitude, latitude], closed rings around each beat's stores.
BEATS = {
    "Alsager": [[-2.3360, 53.0830], [-2.2780, 53.0830], [-2.2700, 53.1010], [-2.2860, 53.1140], [-2.3300, 53.1130]],
    "Crewe Town": [[-2.4720, 53.0790], [-2.4180, 53.0800], [-2.4120, 53.1000], [-2.4350, 53.1120], [-2.4680, 53.1070]],
}

STORES = [
    # retailer, code, name, address, postcode, lat, lon, beat, phone
    ("Northway Foods", "NW-ALS", "Alsager", "12 Crewe Road, Alsager", "ST7 2EW", "53.0960", "-2.3050", "Alsager",
     "01270 880412"),
    ("Northway Foods", "NW-CRW", "Crewe Market St", "4 Market Street, Crewe", "CW1 2EG", "53.0979", "-2.4416",
     "Crewe Town", "01270 255190"),
    ("Valu Corner", "VC-CRW", "Crewe Nantwich Rd", "88 Nantwich Road, Crewe", "CW2 6AL", "53.0900", "-2.4440",
     "Crewe Town", "01270 213377"),
]  # fmt: skip


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    collar_number: str = ""
    stores: tuple[str, ...] = ()  # store codes
    beats: tuple[str, ...] = ()  # beat names


R = User.Role
USERS = [
    DemoUser("shopworker", R.SHOP_WORKER, "Sam", "Shaw", stores=("NW-ALS", "NW-CRW")),
    DemoUser("officer", R.BEAT_OFFICER, "Olivia", "Okafor", "2417", beats=("Alsager",)),
    DemoUser("officer2", R.BEAT_OFFICER, "Ben", "Brierley", "3052", beats=("Alsager", "Crewe Town")),
    DemoUser("forceadmin", R.FORCE_ADMIN, "Adam", "Ashworth", "1186"),
    DemoUser("valuworker", R.SHOP_WORKER, "Vic", "Varley", stores=("VC-CRW",)),
]


@dataclass(frozen=True)
class DemoOffender:
    given_names: str
    family_name: str
    pnc_id: str
    date_of_birth: datetime.date
    photos: tuple[tuple[str, str, int], ...]  # file, source, taken this many days ago
    case_reference: str
    court: str


OFFENDER = DemoOffender(
    "Kelly", "Marsh", "2011/0456789B", datetime.date(1991, 4, 12),
    (("offender-1-custody.jpg", "Custody, Crewe suite", 120), ("offender-1-previous.jpg", "Custody, Middlewich", 400)),
    "DEMO-CBO-0001", "Chester Magistrates' Court",
)  # fmt: skip
SECOND_OFFENDER = DemoOffender(
    "Dean", "Harrow", "2008/0213577V", datetime.date(1986, 9, 30),
    (("offender-2-custody.jpg", "Custody, Crewe suite", 700),),
    "DEMO-CBO-0002", "Crewe County Court",
)  # fmt: skip
DEMO_NOTE = (
    "Demo record: the person and the order are fictional. The photographs are from DeepFace's open test "
    "dataset (MIT licence) and say nothing about the person shown."
)
CCTV = "cctv-till-camera.jpg"

DESCRIPTIONS = {
    "theft": ["Took meat and cheese from the chiller and left without paying.",
              "Filled a rucksack with spirits and walked out past the tills.",
              "Took razor blades and coffee from the shelves; left by the side door."],
    "verbal_abuse": ["Shouted abuse at staff when refused cigarettes without ID.",
                     "Swore at a cashier and other customers after being asked to queue."],
    "threats": ["Threatened to come back and hurt staff after being asked to leave."],
    "physical_assault": ["Pushed a member of staff into the shelving when stopped at the door."],
    "criminal_damage": ["Kicked the self-checkout screen until it cracked."],
    "anti_social_behaviour": ["Group of youths throwing stock around the aisles and blocking the doors."],
}  # fmt: skip
CATEGORY_WEIGHTS = [
    ("theft", 10), ("verbal_abuse", 4), ("threats", 2), ("physical_assault", 1), ("criminal_damage", 1),
    ("anti_social_behaviour", 3),
]  # fmt: skip
HISTORY_COUNT = 36
HISTORY_DAYS = 42


class Command(BaseCommand):
    help = "Create demo data (idempotent). Refused outside the embedded default: demo passwords are public."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000/", help="Where the service listens.")

    def handle(self, *args, **options):
        if not settings.DEMO_LOGINS_ALLOWED:
            raise CommandError(
                "seed_demo is refused here: demo accounts have public passwords and may only be used on the "
                "embedded default (SQLite). Create real users in the admin instead."
            )
        started = time.monotonic()
        with transaction.atomic():
            world = _people_and_places()
        with transaction.atomic():
            _incident_history(world)
        with transaction.atomic():
            _persistent_offender(world)
        warnings: list[str] = []
        # The demo matches a few still images: the face engine embeds them in this process instead of forking
        # its embedding child, which would outlive the command's work holding whatever this process has open
        # (a test's browser pipes, when a test runs the command).
        with override_settings(RECOGNITION_EMBED_IN_CHILD=False):
            case = _demo_breach(world, warnings)
        _urgent_incident(world)
        self._report(options["base_url"], world, case, warnings, time.monotonic() - started)

    def _report(self, base_url: str, world: "World", case: Case | None, warnings: list[str], seconds: float):
        for warning in warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {seconds:.1f} s. Sign in at {base_url} as:"))
        for demo in USERS:
            self.stdout.write(f"  {R(demo.role).label:<13} {demo.username:<11} password: {DEMO_PASSWORD}")
        self.stdout.write(
            "Police accounts also give a one-time code. Add their (public, demo-only) key to an authenticator "
            "app, or print the codes now with `python manage.py demo_code`:"
        )
        for demo in USERS:
            user = world.users[demo.username]
            if user.is_demo and user.is_police:  # police sign in with a code, the demo accounts too
                self.stdout.write(
                    f"  {demo.username:<11} authenticator key: {otp.secret_text(otp.demo_authenticator(user))}"
                )
        self.stdout.write(
            f"Persistent offender: sign in as officer2; under People, {PERSISTENT.given_names} "
            f"{PERSISTENT.family_name} is linked to {len(PERSISTENT_INCIDENTS)} incidents at two stores, with "
            "a draft CBO application to build; then, as forceadmin, record the order the court made from it."
        )
        if case is not None:
            what = "possible breach" if case.is_breach else "possible match"
            self.stdout.write(
                f"First minute: sign in as officer; case {case.reference or case.pk} ({what} of order "
                f"{OFFENDER.case_reference} at Northway Foods Alsager) is waiting under Cases."
            )


# People and places --------------------------------------------------------------------------------


@dataclass
class World:
    force: Force
    beats: dict[str, Beat]
    stores: dict[str, Store]
    users: dict[str, User]


def _people_and_places() -> World:
    force, _ = Force.objects.get_or_create(code="cheshire", defaults={"name": "Cheshire Constabulary"})
    beats = {}
    for name, ring in BEATS.items():
        beat, _ = Beat.objects.get_or_create(force=force, name=name)
        if not beat.boundary:
            beat.boundary = geo.validate_polygon({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
            beat.save(update_fields=["boundary", "updated_at"])
        beats[name] = beat
    stores = {}
    for retailer_name, code, name, address, postcode, lat, lon, beat, phone in STORES:
        retailer, _ = Retailer.objects.get_or_create(name=retailer_name)
        store, _ = Store.objects.get_or_create(
            retailer=retailer,
            code=code,
            defaults=dict(name=name, address=address, postcode=postcode, latitude=lat, longitude=lon, beat=beats[beat]),
        )
        if not store.phone:
            store.phone = phone
            store.save(update_fields=["phone", "updated_at"])
        stores[code] = store
    users = {demo.username: _user(demo, force, beats, stores) for demo in USERS}
    return World(force=force, beats=beats, stores=stores, users=users)


def _user(demo: DemoUser, force: Force, beats: dict[str, Beat], stores: dict[str, Store]) -> User:
    user = User.objects.filter(username=demo.username).first()
    if user is None:
        user = user_create(
            username=demo.username,
            password=DEMO_PASSWORD,
            role=demo.role,
            force=force,
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@demo.retrace.example",
            is_demo=True,
            stores=[stores[code] for code in demo.stores],
            beats=[beats[name] for name in demo.beats],
        )
    if user.is_demo and demo.collar_number and not user.collar_number:
        user.collar_number = demo.collar_number
        user.save(update_fields=["collar_number"])
    return user


# A few weeks of incidents -------------------------------------------------------------------------


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(KEYS, name)


def _reporter(world: World, store: Store) -> User:
    return world.users["valuworker" if store.retailer.name == "Valu Corner" else "shopworker"]


def _incident_history(world: World) -> None:
    """HISTORY_COUNT incidents over the last HISTORY_DAYS days at the three stores, most of them long since
    taken on or closed by police. The same seed gives the same incidents; only the missing ones are made."""
    rng = random.Random(12)
    now = timezone.now()
    keys = [_key(f"history-{i}") for i in range(HISTORY_COUNT)]
    filed = set(Incident.objects.filter(submission_key__in=keys).values_list("submission_key", flat=True))
    categories, weights = zip(*CATEGORY_WEIGHTS, strict=True)
    stores = list(world.stores.values())
    for key in keys:
        category = rng.choices(categories, weights)[0]
        store = rng.choice(stores)
        days_ago = rng.uniform(2.5, HISTORY_DAYS)
        occurred_at = (now - datetime.timedelta(days=days_ago)).replace(
            hour=rng.randint(8, 21), second=0, microsecond=0
        )
        violent = category in ("physical_assault", "threats")
        answers = dict(ongoing=rng.random() < 0.3, injured=violent and rng.random() < 0.5, weapon=rng.random() < 0.05)
        description = rng.choice(DESCRIPTIONS[category])
        goods = Decimal(rng.randint(15, 320)) if category == "theft" else None
        outcome = rng.random()
        if key in filed:
            continue
        incident = incident_services.incident_create(
            reported_by=_reporter(world, store), store=store, occurred_at=occurred_at, category=category,
            description=description, goods_value=goods, submission_key=key, **answers,
        )  # fmt: skip
        # Reported a few minutes after it happened (the charts count by when incidents were reported).
        Incident.objects.filter(pk=incident.pk).update(created_at=occurred_at + datetime.timedelta(minutes=12))
        _police_follow_up(world, incident, outcome, days_ago)


def _police_follow_up(world: World, incident: Incident, outcome: float, days_ago: float) -> None:
    officer = world.users["officer"] if incident.store.beat.name == "Alsager" else world.users["officer2"]
    if days_ago < 7 and outcome < 0.5:
        return  # recent, not yet taken on
    incident_services.incident_status_set(incident=incident, status=Incident.Status.WITH_POLICE, actor=officer)
    if outcome < 0.65:
        reason = "Offender identified and dealt with; no further action needed from the store."
        incident_services.incident_status_set(
            incident=incident, status=Incident.Status.CLOSED, actor=officer, reason=reason
        )


# A persistent offender, linked to incidents by officers -----------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    given_names: str
    family_name: str
    date_of_birth: datetime.date
    description: str


@dataclass(frozen=True)
class LinkedIncident:
    name: str  # its submission key's name
    store: str  # store code
    days_ago: int
    hour: int
    category: str
    description: str
    goods_value: str | None
    identified_by: str
    note: str
    injured: bool = False


PERSISTENT = DemoPerson(
    "Jay", "Corran", datetime.date(1997, 3, 14),
    "Man, about 30, tall and thin, shaved head, usually a grey hooded top and a black rucksack.",
)  # fmt: skip
_STAFF, _CCTV = IncidentLink.Identification.STAFF_KNOWLEDGE, IncidentLink.Identification.CCTV_VIEWED
PERSISTENT_INCIDENTS = [
    LinkedIncident("corran-1", "NW-ALS", 118, 11, "theft", "Took four bottles of vodka from the spirits aisle into a "
                   "rucksack and left past the tills.", "86.00", _STAFF, "Named by the store manager, who has "
                   "banned him before."),
    LinkedIncident("corran-2", "NW-CRW", 76, 15, "theft", "Filled a rucksack with steak and cheese from the chiller "
                   "and ran out of the main doors.", "112.40", _CCTV, "Recognised on the till-camera footage by PC "
                   "3052 Brierley."),
    LinkedIncident("corran-3", "NW-ALS", 33, 18, "threats", "Told the supervisor who stopped him at the door that he "
                   "would come back and stab her; left with a basket of meat.", "45.00", _STAFF, "Named by the "
                   "supervisor, who knows him from earlier thefts.", injured=False),
    LinkedIncident("corran-4", "NW-CRW", 9, 13, "theft", "Took razor blades and coffee from the shelves and left by "
                   "the side door.", "67.50", _CCTV, "Recognised on the door-camera footage by PC 3052 Brierley."),
]  # fmt: skip


def _persistent_offender(world: World) -> PersonOfInterest:
    """Jay Corran and his four linked incidents, each made only when missing."""
    officer = world.users["officer2"]  # covers both beats
    demo = PERSISTENT
    person = PersonOfInterest.objects.filter(
        force=world.force, given_names=demo.given_names, family_name=demo.family_name
    ).first()
    if person is None:
        person = people_services.person_create(
            actor=officer, given_names=demo.given_names, family_name=demo.family_name,
            date_of_birth=demo.date_of_birth, description=demo.description,
        )  # fmt: skip
    now = timezone.localtime()
    for item in PERSISTENT_INCIDENTS:
        key = _key(item.name)
        incident = Incident.objects.filter(submission_key=key).first()
        if incident is None:
            store = world.stores[item.store]
            occurred_at = (now - datetime.timedelta(days=item.days_ago)).replace(
                hour=item.hour, minute=20, second=0, microsecond=0
            )
            incident = incident_services.incident_create(
                reported_by=_reporter(world, store), store=store, occurred_at=occurred_at, category=item.category,
                ongoing=False, injured=item.injured, weapon=False, description=item.description,
                goods_value=Decimal(item.goods_value) if item.goods_value else None,
                offender_description=demo.description, submission_key=key,
            )  # fmt: skip
            Incident.objects.filter(pk=incident.pk).update(created_at=occurred_at + datetime.timedelta(minutes=15))
            incident_services.incident_status_set(incident=incident, status=Incident.Status.WITH_POLICE, actor=officer)
            if item.category == "threats":
                _threat_statement(world, incident)
        if not incident.person_links.filter(person=person, withdrawn_at__isnull=True).exists():
            people_services.link_add(
                actor=officer, incident=incident, person=person, identified_by=item.identified_by,
                role=IncidentLink.Role.SUSPECT, note=item.note,
            )  # fmt: skip
    _draft_application(world, person, officer)
    return person


APPLICATION_SUMMARY = (
    "Jay Corran has stolen from Northway Foods stores in Alsager and Crewe four times in four months, taking goods "
    "worth over £300, and threatened to stab a supervisor who stopped him. Staff know him and are afraid of him. "
    "An order keeping him out of the stores he targets would protect the staff there."
)


def _draft_application(world: World, person: PersonOfInterest, officer: User) -> None:
    """A draft CBO application for him, with the prohibitions the officer proposes: building the bundle and
    recording the order the court makes are left for the demo."""
    if CBOApplication.objects.filter(person=person).exists():
        return
    today = timezone.localdate()
    application = people_bundle.application_create(
        subject=person, user=officer, period_from=today - datetime.timedelta(days=365), period_to=today
    )
    application.summary = APPLICATION_SUMMARY
    application.save(update_fields=["summary", "updated_at"])
    premises = ProposedProhibition.objects.create(
        application=application, kind=Prohibition.Kind.PREMISES, duration_months=24,
        reason="All four incidents were at these two stores; the threats were at Alsager.",
    )  # fmt: skip
    premises.stores.set([world.stores["NW-ALS"], world.stores["NW-CRW"]])
    area = ProposedProhibition.objects.create(
        application=application, kind=Prohibition.Kind.RETAILER_AREA, duration_months=24,
        retailer=world.stores["NW-CRW"].retailer,
        reason="He moved from the Alsager store to Crewe: any Northway Foods store in Crewe town centre.",
    )  # fmt: skip
    area.beats.set([world.beats["Crewe Town"]])


def _threat_statement(world: World, incident: Incident) -> None:
    worker, store = world.users["shopworker"], incident.store
    when = timezone.localtime(incident.occurred_at)
    incident_services.witness_statement_create(
        incident=incident,
        created_by=worker,
        witness_name=worker.get_full_name(),
        occupation=f"Shift supervisor, {store.retailer.name} {store.name}",
        statement=(
            f"I am a shift supervisor at {store.retailer.name}, {store.address}. On {when:%-d %B %Y} at about "
            f"{when:%H:%M} I stopped a man I know as Jay Corran at the door with a basket of meat he had not paid "
            "for. He told me that he would come back and stab me. I was frightened and let him go. I have seen him "
            "take goods from this store many times before and I am now afraid to work the late shift."
        ),
        truth_declaration=True,
        signature=worker.get_full_name(),
        signed_on=when.date(),
        contact_address=f"c/o {store.retailer.name}, {store.address} {store.postcode}",
        contact_phone=store.phone,
        contact_email=worker.email,
    )


# The breach the demo is about ---------------------------------------------------------------------


def _photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def _demo_breach(world: World, warnings: list[str]) -> Case | None:
    """The demo offender under an order prohibiting the demo store, and an incident there whose CCTV the real
    pipeline matches to them: a possible breach case. The second offender's order ends within the month."""
    store = world.stores["NW-ALS"]
    today = timezone.localdate()
    made_on = today - datetime.timedelta(days=75)
    premises = ProhibitionInput(
        kind=Prohibition.Kind.PREMISES,
        stores=[store],
        description="Not to enter Northway Foods, 12 Crewe Road, Alsager.",
    )
    crewe = ProhibitionInput(
        kind=Prohibition.Kind.RETAILER_AREA, retailer=store.retailer, beats=[world.beats["Crewe Town"]],
        description="Not to enter any Northway Foods store in Crewe town centre.",
    )  # fmt: skip
    offender = _offender(
        world,
        OFFENDER,
        made_on=made_on,
        ends_on=_years_later(made_on, 2),
        prohibitions=[premises, crewe],
        warnings=warnings,
    )
    ends_soon = today + datetime.timedelta(days=18)
    zone = ProhibitionInput(
        kind=Prohibition.Kind.ZONE, centre_latitude="53.0979", centre_longitude="-2.4416", radius_m=400,
        description="Not to enter within 400 metres of Market Street, Crewe.",
    )  # fmt: skip
    _offender(
        world, SECOND_OFFENDER, made_on=_years_later(ends_soon, -2) + datetime.timedelta(days=1), ends_on=ends_soon,
        prohibitions=[zone], warnings=warnings,
    )  # fmt: skip
    if offender is None:
        return None
    incident = _breach_incident(world, store)
    _match_cctv(incident, warnings)
    _witness_statement(world, incident)
    case = Case.objects.filter(incident=incident, offender=offender).first()
    if case is None and not warnings:
        warnings.append(
            "The demo CCTV was searched but raised no case: is the force's match threshold stricter than the "
            "demo photos' distance (about 0.02)?"
        )
    _earlier_breach(world, store, offender, warnings)
    return case


# The earlier breach: reported this long ago, its match reviewed and corroborated this long after the report.
EARLIER_DAYS_AGO = 19
EARLIER_TIMES = {
    "case": datetime.timedelta(minutes=4),
    Case.Status.CONFIRMED: datetime.timedelta(hours=5, minutes=35),
    Case.Status.ACTIONED: datetime.timedelta(days=1, hours=2),
}


def _earlier_breach(world: World, store: Store, offender: Offender, warnings: list[str]) -> None:
    """Kelly Marsh at the demo store three weeks ago, on the same till camera: the real pipeline raises the
    case, the Alsager officer confirms it and the second officer corroborates it (``cases.services``, two people),
    then the times are set back to when it happened. Made once; a run that raised no case tries again."""
    incident = Incident.objects.filter(submission_key=_key("earlier-breach")).first()
    if incident is None:
        occurred_at = (timezone.localtime() - datetime.timedelta(days=EARLIER_DAYS_AGO)).replace(
            hour=10, minute=50, second=0, microsecond=0
        )
        incident = evidence_workflow.incident_create(
            reported_by=world.users["shopworker"], store=store, occurred_at=occurred_at,
            category=Incident.Category.THEFT, ongoing=False, injured=False, weapon=False,
            description="The woman banned from the store came in, took cheese and coffee and left without paying. "
            "Till camera still attached.", goods_value=Decimal("23.60"),
            offender_description="Woman, about 35, dark hair, black coat.",
            files=[SimpleUploadedFile(CCTV, _photo(CCTV), "image/jpeg")], submission_key=_key("earlier-breach"),
        )  # fmt: skip
        reported = occurred_at + datetime.timedelta(minutes=25)
        Incident.objects.filter(pk=incident.pk).update(created_at=reported)
        incident.refresh_from_db()
    _match_cctv(incident, warnings)
    case = Case.objects.filter(incident=incident, offender=offender).first()
    if case is None or case.status != Case.Status.AWAITING_REVIEW:
        return
    officer, second = world.users["officer"], world.users["officer2"]
    with transaction.atomic():
        case_services.case_review(
            case=case, reviewer=officer, same_person=True, consequence_acknowledged=True,
            reason="Same woman as the custody photos: face, hairline and the scar by the left eyebrow.",
        )  # fmt: skip
        case_services.case_corroborate(
            case=case, officer=second, action=CaseDecision.Outcome.SUMMONS,
            corroboration="The supervisor named her at the door; the till receipt roll shows no sale at that time.",
            reason="Breach of the order's premises prohibition: summonsed to Crewe Magistrates' Court.",
        )  # fmt: skip
        _set_back(case, incident.created_at)


def _set_back(case: Case, reported: datetime.datetime) -> None:
    """The earlier case's rows dated as the demo tells it, not as the seeding ran (``EARLIER_TIMES``)."""
    Case.objects.filter(pk=case.pk).update(created_at=reported + EARLIER_TIMES["case"])
    stages = {CaseDecision.Stage.REVIEW: Case.Status.CONFIRMED, CaseDecision.Stage.CORROBORATION: Case.Status.ACTIONED}
    for stage, status in stages.items():
        CaseDecision.objects.filter(case=case, stage=stage).update(decided_at=reported + EARLIER_TIMES[status])
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS_CHANGED, details__to=status).update(
            created_at=reported + EARLIER_TIMES[status]
        )
    CaseEvent.objects.filter(case=case).exclude(kind=CaseEvent.Kind.STATUS_CHANGED).update(
        created_at=reported + EARLIER_TIMES["case"]
    )


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _offender(
    world: World, demo: DemoOffender, *, made_on, ends_on, prohibitions, warnings: list[str]
) -> Offender | None:
    """The offender, their photos (enrolled) and their served order, all or nothing: a photo the face model
    refuses (or no model installed) leaves nothing, and the next run tries again."""
    admin, pnc_id = world.users["forceadmin"], normalise_pnc_id(demo.pnc_id)
    today = timezone.localdate()
    officer = world.users["officer"]
    served_by = f"PC {officer.collar_number} {officer.last_name}".replace("  ", " ")
    try:
        with transaction.atomic():
            offender = Offender.objects.filter(force=world.force, pnc_id=pnc_id).first()
            if offender is None:
                offender = offender_services.offender_create(
                    actor=admin, force=world.force, given_names=demo.given_names, family_name=demo.family_name,
                    date_of_birth=demo.date_of_birth, pnc_id=pnc_id, notes=DEMO_NOTE,
                )  # fmt: skip
            for name, source, days_ago in demo.photos:
                content = _photo(name)
                if ReferencePhoto.objects.filter(
                    offender=offender, sha256=hashlib.sha256(content).hexdigest()
                ).exists():
                    continue
                order_workflow.reference_photo_add(
                    offender=offender, actor=admin, image=SimpleUploadedFile(name, content, "image/jpeg"),
                    source=source, taken_on=today - datetime.timedelta(days=days_ago),
                )  # fmt: skip
            if not Order.objects.filter(offender=offender, case_reference=demo.case_reference).exists():
                order_workflow.order_create(
                    offender=offender, actor=admin, court=demo.court, case_reference=demo.case_reference,
                    made_on=made_on, effective_from=made_on, ends_on=ends_on,
                    served_on=made_on + datetime.timedelta(days=1), served_by=served_by,
                    prohibitions=prohibitions,
                )  # fmt: skip
    except ApplicationError as exc:
        warnings.append(
            f"Demo offender {demo.given_names} {demo.family_name} not recorded: {exc.message} The rest of the "
            "demo data is ready; run seed_demo again once this is fixed to add the demo case."
        )
        return None
    return offender


def _breach_incident(world: World, store: Store) -> Incident:
    key = _key("breach")
    incident = Incident.objects.filter(submission_key=key).first()
    if incident is not None:
        return incident
    now = timezone.localtime()
    occurred_at = (now - datetime.timedelta(days=2)).replace(hour=16, minute=40, second=0, microsecond=0)
    return evidence_workflow.incident_create(
        reported_by=world.users["shopworker"],
        store=store,
        occurred_at=occurred_at,
        category=Incident.Category.THEFT,
        ongoing=False,
        injured=False,
        weapon=False,
        description=(
            "A woman we know from previous thefts filled a bag with meat and cheese from the chiller and left "
            "without paying. She was abusive when the supervisor spoke to her at the door. CCTV still from the "
            "till camera attached."
        ),
        goods_value=Decimal("64.80"),
        offender_description="Woman, about 35, dark hair tied back, black top, large grey shoulder bag.",
        files=[SimpleUploadedFile(CCTV, _photo(CCTV), "image/jpeg")],
        submission_key=key,
    )


def _match_cctv(incident: Incident, warnings: list[str]) -> None:
    """Run the worker's own pipeline on the demo CCTV in this process, so the case is there as soon as the
    command ends (a queued copy of the task finds the file done and does nothing). A failed run is retried on
    the next run."""
    for evidence in incident.evidence.all():
        status = EvidenceProcessing.objects.filter(evidence=evidence).values_list("status", flat=True).first()
        if status == EvidenceProcessing.Status.DONE:
            continue
        processing = evidence_workflow.evidence_matching_run(evidence_id=evidence.pk)
        if processing is not None and processing.status == EvidenceProcessing.Status.FAILED:
            warnings.append(f"The demo CCTV {evidence.original_name} could not be matched: {processing.reason}")


def _witness_statement(world: World, incident: Incident) -> None:
    """The supervisor's MG11, signed the day of the incident, through the service the portal uses."""
    if incident.witness_statements.exists():
        return
    worker, store = world.users["shopworker"], incident.store
    when = timezone.localtime(incident.occurred_at)
    incident_services.witness_statement_create(
        incident=incident,
        created_by=worker,
        witness_name=worker.get_full_name(),
        occupation=f"Shift supervisor, {store.retailer.name} {store.name}",
        statement=(
            f"I am a shift supervisor at {store.retailer.name}, {store.address}. On {when:%-d %B %Y} at about "
            f"{when:%H:%M} I saw a woman I recognised from earlier thefts at the store take packs of meat and "
            "cheese from the chiller and put them in a large grey shoulder bag. She walked past the tills without "
            "paying. I spoke to her at the door and she swore at me and left towards Crewe Road. The goods, worth "
            "£64.80, were not recovered. I have produced a still from the till camera as an exhibit."
        ),
        truth_declaration=True,
        signature=worker.get_full_name(),
        signed_on=when.date(),
        contact_address=f"c/o {store.retailer.name}, {store.address} {store.postcode}",
        contact_phone=store.phone,
        contact_email=worker.email,
    )


def _urgent_incident(world: World) -> None:
    """A P1 at the demo store, reported just now and not yet taken on: the officer's home page counts it."""
    key = _key("urgent")
    if Incident.objects.filter(submission_key=key).exists():
        return
    evidence_workflow.incident_create(
        reported_by=world.users["shopworker"],
        store=world.stores["NW-ALS"],
        occurred_at=timezone.now() - datetime.timedelta(minutes=6),
        category=Incident.Category.PHYSICAL_ASSAULT,
        ongoing=True,
        injured=True,
        weapon=False,
        description="Two men are fighting with staff at the tills; a colleague has a cut to the head.",
        offender_description="Two men in their twenties, one in a red tracksuit, one in a black puffer jacket.",
        submission_key=key,
    )
