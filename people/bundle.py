"""The criminal behaviour order application bundle for one person: a PDF, and a zip of the PDF, a JSON
manifest and the original exhibits of the linked incidents, for the prosecutor's application (Sentencing Act
2020, s.331; notice under Criminal Procedure Rule 31.3).

What wins an order is the chronology, so the bundle is built from Retrace's own records, each with its
reference: the incidents linked to the person by an officer (active links only, in the order they happened)
with their threat priority and the harm to staff, the staff witness statements attached to them (MG11 shape,
contact details on a page of their own marked not for disclosure), a map of where, the proposed prohibitions
with the reason for each, previous orders and their breaches, and for an under-18 on the day of building the
marker that the youth offending team must be consulted first (s.331(5)). The officer adds the summary.

Exhibit hashes are recomputed from storage as the bundle is built, from the very bytes written into the zip;
a mismatch with the hash recorded at upload stops the build (``evidence_integrity``), as in the breach evidence
pack (``cases.pack``), whose page furniture (protective marking, "Page N of M", headings kept with what they
head, one way of writing dates and people) the bundle shares.

Also here, the maps of where a person's incidents happened, drawn without tiles (nothing is fetched from
outside): ``incidents_map_png`` for the PDF and ``incidents_svg`` for the portal, store dots numbered by the
chronology.
"""

import datetime
import hashlib
import io
import json
import logging
import math
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import IO
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape as html_escape
from django.utils.safestring import SafeString, mark_safe
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.access import scope_to_police
from cases.models import Case
from cases.pack import (
    BODY,
    CELL,
    MONO,
    NOT_FOR_DISCLOSURE,
    PACK_STATUSES,
    PAGE_WIDTH,
    TITLE,
    EvidenceIntegrityError,
    contacts_part,
    copy_exhibit,
    pack_canvas,
    person,
    section,
    sha256_of_stored,
    statements_part,
    table,
    uk_date,
    zip_name,
)
from core.exceptions import ApplicationError
from core.templatetags.retrace import uk_datetime
from incidents.models import Incident, WitnessStatement
from orders import geo
from orders.models import Offender, Order, Prohibition
from people import events, selectors
from people.models import CBOApplication, IncidentLink, PersonOfInterest

logger = logging.getLogger(__name__)
ZIP_IN_MEMORY = 32 * 1024 * 1024  # a zip is kept in memory up to this size, then on disk
YOUTH_MARKER = "Youth offending team must be consulted before the application (Sentencing Act 2020 s.331(5))"
LEGAL_TEST = (
    "A criminal behaviour order may be made on conviction, on the prosecution's application, where the court is "
    "satisfied that the offender has engaged in behaviour that caused or was likely to cause harassment, alarm "
    "or distress to any person, and considers that making the order will help in preventing the offender from "
    "engaging in such behaviour (Sentencing Act 2020, s.331). Every entry below is a Retrace record with its "
    "reference."
)
MARKER = ParagraphStyle("youth-marker", parent=BODY, fontName="Helvetica-Bold", textColor=colors.HexColor("#b00020"))


class ApplicationErrorCode:
    NOT_BUILT = "application_not_built"
    LINK_WITHDRAWN = "application_link_withdrawn"
    NO_INCIDENTS = "application_no_incidents"


# The person -----------------------------------------------------------------------------------------------


def subject_of(application: CBOApplication) -> Offender | PersonOfInterest:
    return application.offender if application.offender_id else application.person


def offender_of(subject) -> Offender | None:
    """The offender record behind a subject: itself, or a person of interest's once an order is recorded."""
    if isinstance(subject, Offender):
        return subject
    return subject.offender if subject.offender_id else None


def subject_name(subject) -> str:
    return subject.full_name if isinstance(subject, Offender) else subject.name


def age_on(date_of_birth: datetime.date | None, day: datetime.date) -> int | None:
    if date_of_birth is None:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def is_youth(subject, day: datetime.date) -> bool:
    """Under 18 on ``day`` (a person without a recorded date of birth is not marked)."""
    age = age_on(subject.date_of_birth, day)
    return age is not None and age < 18


# The chronology ----------------------------------------------------------------------------------------


def chronology_links(application: CBOApplication, user, *, incident_ids: list[int] | None = None) -> list[IncidentLink]:
    """The active links of the application's person (either of their records) to incidents in its period (or,
    once built, to the frozen ``incident_ids``), in the order the incidents happened; only links ``user`` may
    see (``people.selectors.chronology``)."""
    links = selectors.chronology(subject_of(application), user)
    if incident_ids is not None:
        links = links.filter(incident_id__in=incident_ids)
    else:
        start = timezone.make_aware(datetime.datetime.combine(application.period_from, datetime.time.min))
        end = timezone.make_aware(
            datetime.datetime.combine(application.period_to + datetime.timedelta(days=1), datetime.time.min)
        )
        links = links.filter(incident__occurred_at__gte=start, incident__occurred_at__lt=end)
    return list(links.select_related("incident__reported_by"))


def applications_for(user) -> QuerySet[CBOApplication]:
    """The force's applications, for its police; none for shop workers (a 404)."""
    return scope_to_police(CBOApplication.objects.select_related("offender", "person", "created_by"), user)


def application_create(*, subject, user, period_from: datetime.date, period_to: datetime.date) -> CBOApplication:
    """A draft application for ``subject`` (an offender or a person of interest of the user's force), its
    reference "CBO-2026-000001" (the year it was made, local time, and its number)."""
    if period_to < period_from:
        raise ApplicationError("The period cannot end before it starts.", fields={"period_to": ["Before the start."]})
    key = "offender" if isinstance(subject, Offender) else "person"
    with transaction.atomic():
        application = CBOApplication.objects.create(
            force_id=user.force_id,
            created_by=user,
            period_from=period_from,
            period_to=period_to,
            **{key: subject},
        )
        application.reference = f"CBO-{timezone.localdate(application.created_at).year}-{application.pk:06d}"
        application.save(update_fields=["reference"])
    return application


def harm_text(incident: Incident) -> str:
    """The harm to staff, in words: injury, weapon, threats (or violence by category)."""
    harms = []
    if incident.injured:
        harms.append("someone injured")
    if incident.weapon:
        harms.append("weapon seen or threatened")
    if incident.category == Incident.Category.THREATS:
        harms.append("threats")
    elif incident.category == Incident.Category.PHYSICAL_ASSAULT:
        harms.append("physical assault")
    elif incident.category == Incident.Category.VERBAL_ABUSE:
        harms.append("verbal abuse")
    return "; ".join(harms).capitalize() if harms else "None recorded"


def goods_text(incident: Incident) -> str:
    return f"£{incident.goods_value:,.2f}" if incident.goods_value is not None else "Not recorded"


def identified_text(link: IncidentLink) -> str:
    role = f"; role: {link.get_role_display().lower()}" if link.role else ""
    case = f"; case {link.case.reference}" if link.case_id and link.case.reference else ""
    by = f"linked by {person(link.created_by)} on {uk_datetime(link.created_at)}"
    return f"{link.get_identified_by_display()}, {by}{role}{case}"


# Exhibits ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exhibit:
    incident: str
    name: str
    kind: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str
    zip_name: str = ""


def _integrity_error(incident: Incident, evidence, actual: str) -> EvidenceIntegrityError:
    logger.error(
        "Evidence integrity failure: evidence %s of incident %s recorded %s, storage now %s",
        evidence.pk,
        incident.reference,
        evidence.sha256,
        actual,
    )
    return EvidenceIntegrityError(
        f"Exhibit '{evidence.original_name}' of {incident.reference} no longer matches the SHA-256 recorded at "
        f"upload (recorded {evidence.sha256[:12]}…, stored file {actual[:12]}…). The bundle was not built; "
        "report this to the force's digital evidence officer."
    )


def _exhibit(incident: Incident, evidence, sha256: str, zip_name: str = "") -> Exhibit:
    return Exhibit(
        incident=incident.reference or str(incident.pk),
        name=evidence.original_name,
        kind=evidence.kind,
        size=evidence.size,
        sha256=sha256,
        uploaded_by=person(evidence.uploaded_by),
        uploaded_at=uk_datetime(evidence.uploaded_at),
        zip_name=zip_name,
    )


def _verified(incidents: list[Incident]) -> dict[int, list[Exhibit]]:
    """Each incident's exhibits, their SHA-256 recomputed from storage; a mismatch stops the build."""
    out: dict[int, list[Exhibit]] = {}
    for incident in incidents:
        out[incident.pk] = []
        for evidence in incident.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"):
            actual = sha256_of_stored(evidence.file)
            if actual != evidence.sha256:
                raise _integrity_error(incident, evidence, actual)
            out[incident.pk].append(_exhibit(incident, evidence, actual))
    return out


def _zip_exhibits(incidents: list[Incident], zf: zipfile.ZipFile) -> dict[int, list[Exhibit]]:
    """Copy each original exhibit into the zip, under its incident's reference, hashing the very bytes written."""
    out: dict[int, list[Exhibit]] = {}
    for incident in incidents:
        out[incident.pk] = []
        evidence_qs = incident.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")
        for number, evidence in enumerate(evidence_qs, start=1):
            name = f"exhibits/{incident.reference or incident.pk}/" + zip_name(number, evidence.original_name)[9:]
            actual = copy_exhibit(zf, evidence, name)
            if actual != evidence.sha256:
                raise _integrity_error(incident, evidence, actual)
            out[incident.pk].append(_exhibit(incident, evidence, actual, name))
    return out


# Maps, drawn without tiles ------------------------------------------------------------------------------


@dataclass
class MapStore:
    """A store on a person's map and the chronology numbers of the incidents there."""

    store: object
    numbers: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ", ".join(str(n) for n in self.numbers)


def map_stores(incidents: list[Incident]) -> list[MapStore]:
    """The stores of ``incidents`` (in chronological order), each with the numbers of its incidents."""
    by_store: dict[int, MapStore] = {}
    for number, incident in enumerate(incidents, start=1):
        by_store.setdefault(incident.store_id, MapStore(incident.store)).numbers.append(number)
    return list(by_store.values())


def _zone_rings(prohibition) -> list[list[tuple[float, float]]]:
    """A proposed prohibition's outline (its polygon's outer ring and/or its circle), as (lon, lat)."""
    rings = []
    if prohibition.polygon:
        rings.append([(float(x), float(y)) for x, y in prohibition.polygon["coordinates"][0]])
    if None not in (prohibition.centre_latitude, prohibition.centre_longitude, prohibition.radius_m):
        circle = geo.circle_polygon(
            lat=float(prohibition.centre_latitude),
            lon=float(prohibition.centre_longitude),
            radius_m=float(prohibition.radius_m),
            sides=72,
        )
        rings.append([(x, y) for x, y in circle["coordinates"][0]])
    return rings


def _projection(points: list[tuple[float, float]], size: int, pad: int):
    """(lon, lat) -> pixel, in local metres around the points' middle, north up, the same scale both ways."""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    lat0 = (min(lats) + max(lats)) / 2
    kx = 111_320 * math.cos(math.radians(lat0))
    ky = 110_540
    span = max((max(lons) - min(lons)) * kx, (max(lats) - min(lats)) * ky, 200.0)
    scale = (size - 2 * pad) / span
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2

    def px(lon: float, lat: float) -> tuple[float, float]:
        return size / 2 + (lon - cx) * kx * scale, size / 2 - (lat - cy) * ky * scale

    return px, span


def incidents_map_png(stores: list[MapStore], prohibitions=()) -> bytes | None:
    """The PDF's map: each store a dot labelled with the chronology numbers of its incidents, and the outline of
    each proposed zone or circle (red). None without stores."""
    if not stores:
        return None
    rings = [ring for p in prohibitions for ring in _zone_rings(p)]
    points = [(float(s.store.longitude), float(s.store.latitude)) for s in stores] + [pt for r in rings for pt in r]
    size, pad = 600, 60
    px, span = _projection(points, size, pad)
    img = Image.new("RGB", (size, size + 30), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, size - 1, size - 1], outline=(200, 200, 200))
    font, small = ImageFont.load_default(size=18), ImageFont.load_default(size=14)
    zones = [(n, ring) for n, p in enumerate(prohibitions, start=1) for ring in _zone_rings(p)]
    for _n, ring in zones:
        draw.polygon([px(x, y) for x, y in ring], outline=(176, 0, 32), fill=(255, 230, 230))
    for n, ring in zones:
        # Each outline numbered as its row in the proposed prohibitions table (P1, P2...), at its top left.
        corner = min((px(x, y) for x, y in ring), key=lambda p: (p[1], p[0]))
        draw.text((corner[0] + 4, corner[1] + 3), f"P{n}", fill=(176, 0, 32), font=font, anchor="la")
    seen: dict[tuple[int, int], int] = {}
    for s in stores:
        x, y = px(float(s.store.longitude), float(s.store.latitude))
        # Stores at the same spot: their labels stack below one another.
        spot = (round(x / 8), round(y / 8))
        below = seen.get(spot, 0)
        seen[spot] = below + 1
        draw.ellipse([x - 7, y - 7, x + 7, y + 7], fill=(18, 53, 91))
        # Labels to the right of the dot, or to its left near the right edge, so that none is cut off.
        lx, anchor = (x + 11, "la") if x < size * 0.6 else (x - 11, "ra")
        draw.text((lx, y - 11 + 36 * below), s.label, fill=(0, 0, 0), font=font, anchor=anchor)
        draw.text((lx, y + 8 + 36 * below), s.store.name, fill=(18, 53, 91), font=small, anchor=anchor)
    bar_px = 1000 * (size - 2 * pad) / span
    if 20 <= bar_px <= size - 2 * pad:
        draw.line([(pad, size - 20), (pad + bar_px, size - 20)], fill=(0, 0, 0), width=3)
        draw.text((pad + bar_px + 6, size - 29), "1 km", fill=(0, 0, 0), font=small)
    draw.text((10, size + 6), f"Width shown about {span:,.0f} m.", fill="black", font=small)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def incidents_svg(stores: list[MapStore], *, label: str = "Map of where the incidents happened") -> SafeString:
    """The portal's map: an SVG of the stores, numbered by the chronology, with a 1 km scale bar when it fits.
    The page lists the same stores as its text alternative."""
    if not stores:
        return mark_safe("")
    size, pad = 320, 30
    px, span = _projection([(float(s.store.longitude), float(s.store.latitude)) for s in stores], size, pad)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="people-map" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{html_escape(label)}">',
        f'<rect x="0.5" y="0.5" width="{size - 1}" height="{size - 1}" fill="#f4f6f8" stroke="#ccc"/>',
    ]
    for s in stores:
        x, y = px(float(s.store.longitude), float(s.store.latitude))
        title = html_escape(f"{s.store.retailer.name} {s.store.name} ({s.store.postcode}): incidents {s.label}")
        # The label to the right of the dot, or to its left near the right edge, so that none is cut off.
        lx, anchor = (x + 9, "start") if x < size * 0.6 else (x - 9, "end")
        parts.append(
            f'<g><title>{title}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#12355b"/>'
            f'<text x="{lx:.1f}" y="{y + 4:.1f}" font-size="12" fill="#111" text-anchor="{anchor}">'
            f"{html_escape(s.label)}</text></g>"
        )
    bar_px = 1000 / (span / (size - 2 * pad))
    if 10 <= bar_px <= size - 2 * pad:
        parts.append(
            f'<line x1="{pad}" y1="{size - 10}" x2="{pad + bar_px:.1f}" y2="{size - 10}" '
            'stroke="#000" stroke-width="2"/>'
            f'<text x="{pad + bar_px + 4:.1f}" y="{size - 6}" font-size="11">1 km</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


# Prohibitions, orders and breaches ----------------------------------------------------------------------


def prohibition_text(p) -> str:
    """What a proposed prohibition forbids, in words."""
    stores = ", ".join(f"{s.retailer.name} {s.name} ({s.postcode})" for s in p.stores.select_related("retailer"))
    if p.kind == Prohibition.Kind.PREMISES:
        return f"Entering {stores or 'the named stores'}"
    circle = (
        f"within {p.radius_m:,} m of {float(p.centre_latitude):.5f}, {float(p.centre_longitude):.5f}"
        if None not in (p.centre_latitude, p.centre_longitude, p.radius_m)
        else ""
    )
    if p.kind == Prohibition.Kind.RETAILER_AREA:
        beats = ", ".join(b.name for b in p.beats.all())
        where = " and ".join(w for w in (f"in beats {beats}" if beats else "", circle) if w) or "in the area"
        return f"Entering any {p.retailer.name if p.retailer_id else 'retailer'} store {where}"
    zone = "the zone drawn on the map" if p.polygon else ""
    return "Entering " + (" and ".join(w for w in (zone, f"the area {circle}" if circle else "") if w) or "the zone")


def _months(n: int) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


def previous_orders(subject) -> list[Order]:
    offender = offender_of(subject)
    if offender is None:
        return []
    return list(Order.objects.filter(offender=offender).order_by("made_on", "pk"))


def previous_breaches(subject) -> list[Case]:
    """The offender's breach cases whose match a reviewer confirmed (confirmed, actioned or closed)."""
    offender = offender_of(subject)
    if offender is None:
        return []
    qs = Case.objects.filter(offender=offender, is_breach=True, status__in=PACK_STATUSES)
    return list(qs.select_related("incident__store__retailer", "breach_order").order_by("incident__occurred_at", "pk"))


def _order_state(order: Order, today: datetime.date) -> str:
    if order.discharged_on:
        return f"Discharged {uk_date(order.discharged_on)}"
    if order.superseded_on:
        return f"Superseded {uk_date(order.superseded_on)}"
    if order.ends_on and order.ends_on < today:
        return "Ended"
    return "In force" if order.effective_from <= today else "Not yet in force"


# The PDF -----------------------------------------------------------------------------------------------


@dataclass
class Contents:
    """Everything a bundle says, gathered once for the PDF and the manifest."""

    application: CBOApplication
    subject: object
    links: list[IncidentLink]
    exhibits: dict[int, list[Exhibit]]
    statements: list[WitnessStatement]
    prohibitions: list
    orders: list[Order]
    breaches: list[Case]
    youth: bool
    built_by: object
    built_at: datetime.datetime
    map_png: bytes | None

    @property
    def incidents(self) -> list[Incident]:
        return [link.incident for link in self.links]


def _cover(c: Contents) -> list:
    a, s = c.application, c.subject
    today = timezone.localdate(c.built_at)
    dob = s.date_of_birth
    age = age_on(dob, today)
    dob_text = f"{uk_date(dob)} (age {age} on {uk_date(today)})" if dob else "Not recorded"
    record = f"Offender record {s.pk}" if isinstance(s, Offender) else f"Person of interest record {s.pk}"
    part: list = [
        Paragraph(f"Criminal behaviour order application: {escape(a.reference)}", TITLE),
        Paragraph(
            f"Built {uk_datetime(c.built_at)} by {escape(person(c.built_by))} from Retrace's records.",
            BODY,
        ),
    ]
    if c.youth:
        marker = Table([[Paragraph(escape(YOUTH_MARKER), MARKER)]], colWidths=[PAGE_WIDTH], hAlign="LEFT")
        marker.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.HexColor("#b00020"))]))
        part += [Spacer(1, 3 * mm), marker, Spacer(1, 3 * mm)]
    part.append(
        section(
            "Person",
            table(
                [
                    ["Name", subject_name(s)],
                    ["Date of birth", dob_text],
                    ["PNC ID", s.pnc_id or "Not recorded"],
                    ["Retrace record", record],
                    ["Force", str(a.force)],
                    ["Application", f"{a.reference}, prepared by {person(a.created_by)}"],
                    ["Incidents from / to", f"{uk_date(a.period_from) or 'any'} to {uk_date(a.period_to) or 'any'}"],
                ],
                widths=(40, 120),
            ),
        )
    )
    summary = [Paragraph(escape(line) or "&nbsp;", BODY) for line in (a.summary or "").splitlines()]
    part.append(section("Officer's summary", *(summary or [Paragraph("No summary written.", BODY)])))
    part.append(section("The test for an order", Paragraph(escape(LEGAL_TEST), BODY)))
    return part


def _chronology(c: Contents) -> list:
    rows = [["#", "Incident", "When", "Store", "Category / priority", "Harm to staff", "Goods"]]
    for number, incident in enumerate(c.incidents, start=1):
        rows.append(
            [
                str(number),
                incident.reference or str(incident.pk),
                uk_datetime(incident.occurred_at),
                f"{incident.store.retailer.name} {incident.store.name} ({incident.store.postcode})",
                f"{incident.get_category_display()} / {incident.priority}",
                harm_text(incident),
                goods_text(incident),
            ]
        )
    if len(rows) == 1:
        return [section("Chronology of incidents", Paragraph("No incident is linked to this person.", BODY))]
    part: list = [
        section(
            f"Chronology of incidents ({len(c.incidents)})",
            Paragraph("Incidents linked to the person by an officer, in the order they happened.", BODY),
            Spacer(1, 3 * mm),
            table(rows, widths=(6, 28, 23, 34, 22, 29, 18)),
        )
    ]
    for number, link in enumerate(c.links, start=1):
        incident = link.incident
        exhibits = c.exhibits.get(incident.pk, [])
        hashes = [["Exhibit", "SHA-256 (recomputed from storage)"]] + [
            [e.name + (f" (zip: {e.zip_name})" if e.zip_name else ""), Paragraph(e.sha256, MONO)] for e in exhibits
        ]
        statements = [st for st in c.statements if st.incident_id == incident.pk]
        part.append(
            section(
                f"{number}. {incident.reference}",
                table(
                    [
                        ["When", uk_datetime(incident.occurred_at)],
                        ["Store", f"{incident.store}, {incident.store.address}, {incident.store.postcode}"],
                        ["Reported by", person(incident.reported_by)],
                        ["Category", incident.get_category_display()],
                        ["Threat priority", f"{incident.priority}: {incident.priority_reason}"],
                        [
                            "Harm to staff",
                            f"Injured: {'yes' if incident.injured else 'no'}; weapon: "
                            f"{'yes' if incident.weapon else 'no'}; threats: "
                            f"{'yes' if incident.category == Incident.Category.THREATS else 'no'}",
                        ],
                        ["Goods value", goods_text(incident)],
                        ["How identified", identified_text(link)],
                        ["What happened", incident.description[:1500]],
                        ["Witness statements", f"{len(statements)} (below)" if statements else "None attached"],
                    ],
                    widths=(40, 120),
                ),
                Spacer(1, 2 * mm),
                table(hashes, widths=(60, 100)) if exhibits else Paragraph("No CCTV exhibit.", BODY),
            )
        )
    return part


def _map_part(c: Contents) -> list:
    if not c.map_png:
        return []
    stores = map_stores(c.incidents)
    key = [[s.label, f"{s.store.retailer.name} {s.store.name}, {s.store.address}, {s.store.postcode}"] for s in stores]
    zones = [n for n, p in enumerate(c.prohibitions, start=1) if _zone_rings(p)]
    caption = "Blue dots: the stores, labelled with the numbers of their incidents in the chronology."
    if zones:
        caption += (
            " Red outlines: the areas of the proposed prohibitions drawn on the map (a zone or a circle), each "
            "labelled P and its number in the proposed prohibitions table (" + ", ".join(f"P{n}" for n in zones) + ")."
        )
    return [
        section(
            "Map of the incidents",
            PdfImage(io.BytesIO(c.map_png), width=120 * mm, height=126 * mm),
            Paragraph(escape(caption), CELL),
            Spacer(1, 3 * mm),
            table([["Incidents", "Store"]] + key, widths=(30, 130)),
        )
    ]


def _prohibitions_part(c: Contents) -> list:
    if not c.prohibitions:
        return [section("Proposed prohibitions", Paragraph("None proposed yet.", BODY))]
    rows = [["#", "Kind", "Prohibited", "Period", "Reason"]] + [
        [f"P{n}", p.get_kind_display(), prohibition_text(p), _months(p.duration_months), p.reason]
        for n, p in enumerate(c.prohibitions, start=1)
    ]
    intro = Paragraph("Numbered P1, P2... as on the map, where a zone or a circle is drawn.", BODY)
    return [section("Proposed prohibitions", intro, Spacer(1, 3 * mm), table(rows, widths=(7, 24, 51, 18, 60)))]


def _history_part(c: Contents) -> list:
    today = timezone.localdate(c.built_at)
    if c.orders:
        orders = table(
            [["Court / reference", "Type", "Made", "Ends", "Now"]]
            + [
                [
                    f"{o.court}, {o.case_reference}",
                    o.get_kind_display(),
                    uk_date(o.made_on),
                    uk_date(o.ends_on) if o.ends_on else "Indefinite",
                    _order_state(o, today),
                ]
                for o in c.orders
            ],
            widths=(56, 24, 24, 24, 32),
        )
    else:
        orders = Paragraph("No previous order recorded in Retrace.", BODY)
    if c.breaches:
        breaches = table(
            [["Case", "Incident", "When", "Store", "Status"]]
            + [
                [
                    b.reference or str(b.pk),
                    b.incident.reference,
                    uk_datetime(b.incident.occurred_at),
                    str(b.incident.store),
                    b.get_status_display(),
                ]
                for b in c.breaches
            ],
            widths=(31, 29, 30, 40, 30),
        )
    else:
        breaches = Paragraph("No breach case recorded in Retrace.", BODY)
    return [section("Previous orders", orders), section("Breaches of previous orders", breaches)]


def _statement_parts(c: Contents) -> list:
    """Each incident's witness statements as MG11s (the evidence pack's layout), then the contact details of
    every witness on one page marked not for disclosure."""
    part: list = []
    for incident in c.incidents:
        part += statements_part(incident, [st for st in c.statements if st.incident_id == incident.pk])
    return part + _contacts(c.statements)


def _email_cell(email: str) -> Paragraph:
    """An email address broken only after its "@" (never mid-word) when it is too long for the column."""
    if not email:
        return Paragraph("-", CELL)
    local, at, domain = email.partition("@")
    if len(email) <= 26 or not at:
        return Paragraph(escape(email), CELL)
    return Paragraph(f"{escape(local)}@<br/>{escape(domain)}", CELL)


def _contacts(statements: list[WitnessStatement]) -> list:
    """The evidence pack's not-for-disclosure page (its marker and wording), its table with room for the email
    addresses, which break only after the "@", and a space under the intro."""
    part = contacts_part(statements)
    if not part:
        return part
    rows = [[Paragraph(escape(h), CELL) for h in ("Witness", "Address", "Telephone", "Email")]] + [
        [
            Paragraph(escape(st.witness_name), CELL),
            Paragraph(escape(st.contact_address or "-"), CELL),
            Paragraph(escape(st.contact_phone or "-"), CELL),
            _email_cell(st.contact_email or ""),
        ]
        for st in statements
    ]
    intro = Paragraph(
        "Witness contact details, for the police and the prosecution only. Remove this page before any "
        "disclosure of the witness statements.",
        BODY,
    )
    return [*part[:-1], section(NOT_FOR_DISCLOSURE, intro, Spacer(1, 3 * mm), table(rows, widths=(28, 52, 28, 52)))]


def _pdf(c: Contents) -> bytes:
    story = [
        *_cover(c),
        *_chronology(c),
        *_map_part(c),
        *_prohibitions_part(c),
        *_history_part(c),
        *_statement_parts(c),
    ]
    out = io.BytesIO()
    reference = c.application.reference
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"Retrace application {reference}", topMargin=25 * mm)
    doc.build(
        story,
        canvasmaker=pack_canvas(marking=settings.CASES_PROTECTIVE_MARKING, reference=reference, label="Application"),
    )
    return out.getvalue()


def _manifest(c: Contents, files: dict[str, bytes]) -> dict:
    a, s = c.application, c.subject
    return {
        "application": a.pk,
        "reference": a.reference,
        "person": {
            "kind": "offender" if isinstance(s, Offender) else "person_of_interest",
            "id": s.pk,
            "name": subject_name(s),
            "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None,
            "pnc_id": s.pnc_id,
        },
        "youth_offending_team_to_be_consulted": c.youth,
        "built_at": c.built_at.isoformat(),
        "built_by": c.built_by.get_username(),
        "built_by_name": person(c.built_by),
        "protective_marking": settings.CASES_PROTECTIVE_MARKING,
        "incidents": [
            {
                "number": n,
                "id": link.incident.pk,
                "reference": link.incident.reference,
                "occurred_at": link.incident.occurred_at.isoformat(),
                "store": str(link.incident.store),
                "priority": link.incident.priority,
                "link": link.pk,
                "identified_by": link.identified_by,
                "exhibits": [e.__dict__ for e in c.exhibits.get(link.incident.pk, [])],
                "witness_statements": [st.pk for st in c.statements if st.incident_id == link.incident.pk],
            }
            for n, link in enumerate(c.links, start=1)
        ],
        "proposed_prohibitions": [
            {"id": p.pk, "kind": p.kind, "text": prohibition_text(p), "months": p.duration_months, "reason": p.reason}
            for p in c.prohibitions
        ],
        "previous_orders": [o.pk for o in c.orders],
        "breach_cases": [b.reference or b.pk for b in c.breaches],
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }


# Building and downloading ------------------------------------------------------------------------------


@dataclass
class Bundle:
    """A built bundle: the PDF, and (unless only the PDF was asked for) the zip as an open file at its start."""

    pdf: bytes
    zip_file: IO[bytes] | None = None
    contents: Contents | None = None

    @property
    def filename(self) -> str:
        return f"{self.contents.application.reference}-application" if self.contents else "application"


def _gather(application: CBOApplication, user, links: list[IncidentLink], exhibits, built_at) -> Contents:
    subject = subject_of(application)
    incidents = [link.incident for link in links]
    prohibitions = list(
        application.proposed_prohibitions.select_related("retailer").prefetch_related("stores__retailer", "beats")
    )
    return Contents(
        application=application,
        subject=subject,
        links=links,
        exhibits=exhibits,
        statements=list(
            WitnessStatement.objects.filter(incident__in=incidents).order_by("incident__occurred_at", "created_at")
        ),
        prohibitions=prohibitions,
        orders=previous_orders(subject),
        breaches=previous_breaches(subject),
        youth=is_youth(subject, timezone.localdate(built_at)),
        built_by=user,
        built_at=built_at,
        map_png=incidents_map_png(map_stores(incidents), prohibitions),
    )


def _render(application: CBOApplication, user, links: list[IncidentLink], *, with_zip: bool) -> Bundle:
    built_at = timezone.now()
    incidents = [link.incident for link in links]
    if not with_zip:
        contents = _gather(application, user, links, _verified(incidents), built_at)
        return Bundle(pdf=_pdf(contents), contents=contents)
    out = tempfile.SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)  # noqa: SIM115 (handed to the response)
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            contents = _gather(application, user, links, _zip_exhibits(incidents, zf), built_at)
            pdf = _pdf(contents)
            files = {f"{application.reference}.pdf": pdf}
            if contents.map_png:
                files["map.png"] = contents.map_png
            for name, data in files.items():
                zf.writestr(name, data)
            zf.writestr("manifest.json", json.dumps(_manifest(contents, files), indent=2))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return Bundle(pdf=pdf, zip_file=out, contents=contents)


def application_build(*, application: CBOApplication, user) -> Bundle:
    """Build the bundle now: the chronology is taken from the person's active links in the application's
    period that ``user`` may see, frozen on the application (``incident_ids``) with the PDF's SHA-256, and the
    build is logged. Exhibits are re-verified; a mismatch stops the build and nothing is recorded."""
    links = chronology_links(application, user)
    if not links:
        raise ApplicationError(
            "No incident in this period is linked to the person: link incidents first, or widen the period.",
            code=ApplicationErrorCode.NO_INCIDENTS,
            status_code=409,
        )
    bundle = _render(application, user, links, with_zip=False)
    application.incident_ids = [link.incident_id for link in links]
    application.pdf_sha256 = hashlib.sha256(bundle.pdf).hexdigest()
    if application.status == CBOApplication.Status.DRAFT:
        application.status = CBOApplication.Status.BUILT
    application.save(update_fields=["incident_ids", "pdf_sha256", "status", "updated_at"])
    events.application_built_event(
        application=application,
        actor=user,
        incidents=len(links),
        pdf_sha256=application.pdf_sha256,
        youth=bundle.contents.youth,
    )
    return bundle


def application_download(*, application: CBOApplication, user, fmt: str) -> Bundle:
    """The built bundle as ``pdf`` or ``zip``, made again from the incidents frozen at the build (exhibits
    re-verified); refused when it was never built or when one of its links has since been withdrawn (build it
    again). Each download is logged."""
    if application.status == CBOApplication.Status.DRAFT or not application.incident_ids:
        raise ApplicationError(
            "Build the bundle first: the download is the chronology frozen at the build.",
            code=ApplicationErrorCode.NOT_BUILT,
            status_code=409,
        )
    links = chronology_links(application, user, incident_ids=list(application.incident_ids))
    if len(links) != len(application.incident_ids):
        raise ApplicationError(
            "A link in this bundle was withdrawn (or is outside your beats) since it was built: build it again.",
            code=ApplicationErrorCode.LINK_WITHDRAWN,
            status_code=409,
        )
    bundle = _render(application, user, links, with_zip=fmt == "zip")
    events.application_downloaded_event(
        application=application, actor=user, format=fmt, pdf_sha256=hashlib.sha256(bundle.pdf).hexdigest()
    )
    return bundle
