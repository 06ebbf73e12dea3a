"""The breach evidence pack: a PDF and a zip (PDF, face images, zone map, manifest) for a police file.

Exhibit hashes are recomputed from storage while the pack is built; any mismatch with the hash
recorded at upload stops the build with a loud error (``evidence_integrity``), because a pack
must never certify a file that has changed.
"""

import hashlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases import events
from cases.errors import CaseErrorCode
from cases.models import Case, CaseAccess
from cases.services import case_access_log
from core.exceptions import ApplicationError
from incidents import events as incident_events
from orders.maps import zone_map_png

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024


class EvidenceIntegrityError(ApplicationError):
    code = CaseErrorCode.EVIDENCE_INTEGRITY
    status_code = 409


PACK_STATUSES = (Case.Status.CONFIRMED, Case.Status.ACTIONED, Case.Status.CLOSED)


@dataclass(frozen=True)
class PackAvailability:
    """Whether a case's evidence pack may be built and, when not, why (words for the officer)."""

    available: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.available


def pack_availability(case: Case) -> PackAvailability:
    """The one rule: a pack is built only for a CBO-breach case whose match a reviewer has confirmed
    (confirmed, actioned or closed). The case page shows the links or the reason from it; the builder
    refuses with it."""
    if not case.is_breach:
        return PackAvailability(False, "No evidence pack: this case is not a CBO breach.")
    if case.status == Case.Status.REJECTED:
        return PackAvailability(False, "No evidence pack: the reviewer found this is not the same person.")
    if case.status not in PACK_STATUSES:
        return PackAvailability(False, "The evidence pack can be downloaded once a reviewer has confirmed the match.")
    return PackAvailability(True)


def pack_available(case: Case) -> bool:
    return pack_availability(case).available


@dataclass(frozen=True)
class Exhibit:
    name: str
    kind: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str


def sha256_of_stored(field_file) -> str:
    digest = hashlib.sha256()
    with field_file.storage.open(field_file.name, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified_exhibits(case: Case) -> list[Exhibit]:
    exhibits = []
    for evidence in case.incident.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"):
        actual = sha256_of_stored(evidence.file)
        if actual != evidence.sha256:
            logger.error(
                "Evidence integrity failure: evidence %s of incident %s recorded %s, storage now %s",
                evidence.pk,
                case.incident.reference,
                evidence.sha256,
                actual,
            )
            raise EvidenceIntegrityError(
                f"Exhibit '{evidence.original_name}' no longer matches the SHA-256 recorded at upload "
                f"(recorded {evidence.sha256[:12]}…, stored file {actual[:12]}…). The pack was not built; "
                "report this to the force's digital evidence officer."
            )
        exhibits.append(
            Exhibit(
                name=evidence.original_name,
                kind=evidence.kind,
                size=evidence.size,
                sha256=actual,
                uploaded_by=evidence.uploaded_by.get_username(),
                uploaded_at=timezone.localtime(evidence.uploaded_at).isoformat(timespec="seconds"),
            )
        )
    return exhibits


def _read(field_file) -> bytes | None:
    if not field_file:
        return None
    with field_file.storage.open(field_file.name, "rb") as fh:
        return fh.read()


CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)
MONO = ParagraphStyle("mono", fontName="Courier", fontSize=7, leading=9)
PAGE_WIDTH = A4[0] - 50 * mm  # SimpleDocTemplate's default margins are 25 mm a side


def _pdf_image(data: bytes, *, max_w: float, max_h: float, max_px: int = 800) -> PdfImage:
    """The image at its own aspect ratio within max_w x max_h, downscaled for the PDF (the zip
    keeps the original)."""
    with Image.open(io.BytesIO(data)) as opened:
        img = opened.convert("RGB")
        img.thumbnail((max_px, max_px))
        scale = min(max_w / img.width, max_h / img.height)
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=88)
        return PdfImage(io.BytesIO(out.getvalue()), width=img.width * scale, height=img.height * scale)


def _pdf(case: Case, exhibits: list[Exhibit], images: dict[str, bytes], built_by, built_at) -> bytes:
    styles = getSampleStyleSheet()
    h, p = styles["Heading2"], styles["BodyText"]
    incident, order, prohibition = case.incident, case.breach_order, case.breach_prohibition
    assert order is not None  # pack_availability: only breach cases, which name the order breached
    story = [
        Paragraph(f"CBO breach evidence pack: case {case.pk}", styles["Title"]),
        Paragraph(
            f"Built {timezone.localtime(built_at):%d %B %Y %H:%M} by {escape(_name(built_by))}. "
            "A face match is an investigative lead, confirmed by a trained reviewer and corroborated by "
            "the investigating officer (decisions below).",
            p,
        ),
        Paragraph("Person and order", h),
        _table(
            [
                ["Person", f"{case.offender.full_name} (PNC {case.offender.pnc_id or 'not recorded'})"],
                ["Court / reference", f"{order.court}, {order.case_reference}"],
                ["Made / in force from", f"{order.made_on:%d/%m/%Y} / {order.effective_from:%d/%m/%Y}"],
                ["Ends", f"{order.ends_on:%d/%m/%Y}" if order.ends_on else "Indefinite"],
                ["Served", _served(order)],
                ["Order type", order.get_kind_display()],
                ["Prohibition", _prohibition_text(prohibition)],
            ],
            widths=(40, 120),
        ),
    ]
    if "zone-map.png" in images:
        story += [Spacer(1, 4 * mm), PdfImage(io.BytesIO(images["zone-map.png"]), width=90 * mm, height=94.5 * mm)]
    store = incident.store
    story += [
        Paragraph("Incident", h),
        _table(
            [
                ["Reference", incident.reference],
                ["Store", f"{store} , {store.address}, {store.postcode}"],
                ["When", f"{timezone.localtime(incident.occurred_at):%d/%m/%Y %H:%M}"],
                ["Category / priority", f"{incident.get_category_display()} / {incident.priority}"],
                ["What happened", incident.description[:1500]],
            ],
            widths=(40, 120),
        ),
        Paragraph("CCTV exhibits (SHA-256 recomputed from storage when this pack was built)", h),
        _table(
            [["File", "Kind", "Bytes", "SHA-256", "Uploaded by / at"]]
            + [
                [e.name, e.kind, f"{e.size:,}", Paragraph(e.sha256, MONO), f"{e.uploaded_by}, {e.uploaded_at}"]
                for e in exhibits
            ],
            widths=(34, 12, 18, 58, 38),
        ),
        Paragraph("Face comparison", h),
    ]
    faces = [
        _pdf_image(images[name], max_w=75 * mm, max_h=75 * mm)
        for name in ("cctv-face.jpg", "reference-photo.jpg")
        if name in images
    ]
    if faces:
        labels = ["Face from the CCTV", "Reference photo"][: len(faces)]
        story.append(Table([faces, labels], colWidths=[80 * mm] * len(faces), hAlign="LEFT"))
    match = case.best_match
    frame = f", {match.frame_time_s:.1f} s into the video" if match and match.frame_time_s is not None else ""
    found_by = f" Found by: {match.get_source_display().lower()}." if match else ""
    story += [
        Paragraph(
            f"Similarity {case.best_similarity:.3f} (cosine distance {1 - case.best_similarity:.3f}){frame}.{found_by} "
            f"The force's threshold at the time was a distance of {case.threshold:.3f}: a face at or under it is "
            "a possible match for people to review, not an identification.",
            p,
        ),
        Paragraph("Decisions", h),
        _table(
            [["Stage", "Outcome", "By", "When", "Reasons"]]
            + [
                [
                    d.get_stage_display(),
                    d.get_outcome_display(),
                    str(d.decided_by),
                    f"{timezone.localtime(d.decided_at):%d/%m/%Y %H:%M}",
                    (d.reason + (f" Corroboration: {d.corroboration}" if d.corroboration else ""))[:1500],
                ]
                for d in case.decisions.select_related("decided_by")
            ],
            widths=(28, 28, 22, 24, 58),
        ),
        Paragraph("Continuity log", h),
        _table([["When", "Who", "What"]] + _continuity(case), widths=(35, 30, 95)),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"Retrace case {case.pk}").build(story)
    return out.getvalue()


def _prohibition_text(prohibition) -> str:
    text = f"{prohibition.get_kind_display()}: {prohibition.description or '-'}"
    stores = ", ".join(f"{s} ({s.postcode})" for s in prohibition.stores.select_related("retailer"))
    if prohibition.starts_on or prohibition.ends_on:
        text += (
            f"; its own period {prohibition.starts_on or 'start of order'} to {prohibition.ends_on or 'end of order'}"
        )
    return f"{text}; stores named: {stores}" if stores else text


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _served(order) -> str:
    if not order.served_on:
        return "Not recorded"
    return f"{order.served_on:%d/%m/%Y} by {order.served_by or 'an officer not recorded'}"


def _continuity(case: Case) -> list[list[str]]:
    rows = []
    for e in case.incident.evidence.select_related("uploaded_by"):
        rows.append((e.uploaded_at, e.uploaded_by.get_username(), f"uploaded {e.original_name}"))
    for ev in case.incident.events.select_related("actor"):
        rows.append((ev.created_at, ev.actor.get_username() if ev.actor else "system", incident_events.describe(ev)))
    for event in case.events.select_related("actor"):
        rows.append((event.created_at, event.actor.get_username() if event.actor else "system", events.describe(event)))
    for a in case.accesses.select_related("user"):
        rows.append((a.created_at, a.user.get_username() if a.user else "system", f"{a.get_kind_display()}"))
    rows.sort(key=lambda r: r[0])
    return [[f"{timezone.localtime(t):%d/%m/%Y %H:%M:%S}", who, what] for t, who, what in rows]


def _table(rows: list[list], *, widths: tuple[int, ...]) -> Table:
    """A grid whose cells wrap; ``widths`` are shares of the page width (they add up to 160)."""
    cells = [[c if isinstance(c, Paragraph) else Paragraph(escape(str(c)), CELL) for c in row] for row in rows]
    table = Table(cells, hAlign="LEFT", repeatRows=1, colWidths=[PAGE_WIDTH * w / sum(widths) for w in widths])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def build_evidence_pack(*, case: Case, user) -> tuple[bytes, bytes]:
    """Return (pdf, zip). Only for a breach case whose match a reviewer has confirmed (``pack_availability``)."""
    if not pack_available(case):
        raise ApplicationError(
            "An evidence pack is built only for a CBO-breach case whose match a reviewer has confirmed.",
            code=CaseErrorCode.PACK_NOT_AVAILABLE,
            status_code=409,
        )
    exhibits = verified_exhibits(case)
    images = {}
    if case.best_match and (crop := _read(case.best_match.crop)):
        images["cctv-face.jpg"] = crop
        if case.best_match.reference_photo and (ref := _read(case.best_match.reference_photo.image)):
            images["reference-photo.jpg"] = ref
    if zone_map := zone_map_png(case.breach_prohibition, case.incident.store):
        images["zone-map.png"] = zone_map
    built_at = timezone.now()
    pdf = _pdf(case, exhibits, images, user, built_at)
    order = case.breach_order
    assert order is not None  # pack_availability: only breach cases, which name the order breached
    manifest = {
        "case": case.pk,
        "incident": case.incident.reference,
        "built_at": built_at.isoformat(),
        "built_by": user.get_username(),
        "order": {
            "court": order.court,
            "case_reference": order.case_reference,
            "served_on": order.served_on.isoformat() if order.served_on else None,
            "served_by": order.served_by,
            "prohibition": str(case.breach_prohibition),
        },
        "similarity": case.best_similarity,
        "threshold": case.threshold,
        "found_by": case.best_match.source if case.best_match else None,
        "exhibits": [e.__dict__ for e in exhibits],
        "files": {
            name: hashlib.sha256(data).hexdigest() for name, data in {**images, "evidence-pack.pdf": pdf}.items()
        },
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("evidence-pack.pdf", pdf)
        for name, data in images.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    case_access_log(case=case, user=user, kind=CaseAccess.Kind.EXPORT, detail="evidence pack")
    events.pack_built_event(case=case, actor=user, exhibits=len(exhibits))
    return pdf, out.getvalue()
