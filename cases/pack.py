"""The breach evidence pack: a PDF, and a zip of the PDF, the original CCTV exhibits, the face images,
the zone map and a manifest, for a police file.

Exhibit hashes are recomputed from storage while the pack is built, from the very bytes written into
the zip; any mismatch with the hash recorded at upload stops the build with a loud error
(``evidence_integrity``), because a pack must never certify a file that has changed.

The PDF names people by name and collar number, writes every time one way ("6 Dec 2026, 14:05 GMT"),
numbers its pages ("Page 2 of 3"), carries the force's protective marking (CASES_PROTECTIVE_MARKING) at
the head and foot of every page, keeps each heading with what it heads, and holds each witness statement
in the shape of an MG11, the witnesses' contact details on a page of their own marked not for disclosure.
"""

import datetime
import hashlib
import io
import json
import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Image as PdfImage

from cases import events
from cases.errors import CaseErrorCode
from cases.models import Case, CaseAccess
from cases.services import case_access_log
from core.exceptions import ApplicationError
from core.templatetags.retrace import uk_datetime
from incidents import events as incident_events
from orders.maps import zone_map_png

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
# A zip of the pack is kept in memory up to this size, then on disk (it holds the original exhibits).
ZIP_IN_MEMORY = 32 * 1024 * 1024
NOT_FOR_DISCLOSURE = "NOT FOR DISCLOSURE (MG11 reverse)"
# The MG11's declaration (Criminal Justice Act 1967, s.9; Magistrates' Courts Act 1980, s.5B; Criminal
# Procedure Rules, r.16.2), as the form words it.
TRUTH_DECLARATION = (
    "This statement is true to the best of my knowledge and belief and I make it knowing that, if it is "
    "tendered in evidence, I shall be liable to prosecution if I have wilfully stated anything in it which I "
    "know to be false, or do not believe to be true."
)


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
    zip_name: str = ""  # where the original lies in the zip; "" in a PDF-only pack


@dataclass
class EvidencePack:
    """A built pack: the PDF, and (unless only the PDF was asked for) the zip as an open file at its start."""

    pdf: bytes
    zip_file: IO[bytes] | None = None


# People and times, one way everywhere in the pack ------------------------------------------------------


def person(user) -> str:
    """A person as a police file names them: "Jane Smith (collar 1234)"; "system" for no one."""
    if user is None:
        return "system"
    name = user.get_full_name() or user.get_username()
    collar = getattr(user, "collar_number", "")
    return f"{name} (collar {collar})" if collar else name


def uk_date(value: datetime.date | None) -> str:
    """'6 Dec 2026', the date part of ``uk_datetime``."""
    return f"{value.day} {value:%b %Y}" if value else ""


def sha256_of_stored(field_file) -> str:
    digest = hashlib.sha256()
    with field_file.storage.open(field_file.name, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _integrity_error(case: Case, evidence, actual: str) -> EvidenceIntegrityError:
    logger.error(
        "Evidence integrity failure: evidence %s of incident %s recorded %s, storage now %s",
        evidence.pk,
        case.incident.reference,
        evidence.sha256,
        actual,
    )
    return EvidenceIntegrityError(
        f"Exhibit '{evidence.original_name}' no longer matches the SHA-256 recorded at upload "
        f"(recorded {evidence.sha256[:12]}…, stored file {actual[:12]}…). The pack was not built; "
        "report this to the force's digital evidence officer."
    )


def _exhibit(evidence, sha256: str, zip_name: str = "") -> Exhibit:
    return Exhibit(
        name=evidence.original_name,
        kind=evidence.kind,
        size=evidence.size,
        sha256=sha256,
        uploaded_by=person(evidence.uploaded_by),
        uploaded_at=uk_datetime(evidence.uploaded_at),
        zip_name=zip_name,
    )


def _evidence_of(case: Case):
    return case.incident.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")


def verified_exhibits(case: Case) -> list[Exhibit]:
    """Each exhibit, its SHA-256 recomputed from storage; a mismatch stops the build."""
    exhibits = []
    for evidence in _evidence_of(case):
        actual = sha256_of_stored(evidence.file)
        if actual != evidence.sha256:
            raise _integrity_error(case, evidence, actual)
        exhibits.append(_exhibit(evidence, actual))
    return exhibits


def zip_name(number: int, original: str) -> str:
    safe = re.sub(r"[^\w.\- ]", "_", original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .") or "exhibit"
    return f"exhibits/{number:02d}-{safe[:100]}"


def copy_exhibit(zf: zipfile.ZipFile, evidence, name: str) -> str:
    """Write ``evidence``'s stored file into ``zf`` as ``name``, chunk by chunk, and return the SHA-256 of the
    bytes written (the caller compares it with the hash taken at upload). Media files are compressed already:
    stored as they are, byte for byte."""
    digest = hashlib.sha256()
    with (
        evidence.file.storage.open(evidence.file.name, "rb") as src,
        zf.open(zipfile.ZipInfo(name, date_time=zip_time(evidence.uploaded_at)), "w", force_zip64=True) as dst,
    ):
        for chunk in iter(lambda: src.read(CHUNK), b""):
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest()


def _zip_exhibits(case: Case, zf: zipfile.ZipFile) -> list[Exhibit]:
    """Copy each original exhibit into the zip, hashing the very bytes written; a mismatch with the upload's
    hash stops the build (the caller discards the half-written zip)."""
    exhibits = []
    for number, evidence in enumerate(_evidence_of(case), start=1):
        name = zip_name(number, evidence.original_name)
        actual = copy_exhibit(zf, evidence, name)
        if actual != evidence.sha256:
            raise _integrity_error(case, evidence, actual)
        exhibits.append(_exhibit(evidence, actual, name))
    return exhibits


def zip_time(when: datetime.datetime) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(when)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def _read(field_file) -> bytes | None:
    if not field_file:
        return None
    with field_file.storage.open(field_file.name, "rb") as fh:
        return fh.read()


# The PDF -----------------------------------------------------------------------------------------------

CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=10)
MONO = ParagraphStyle("mono", fontName="Courier", fontSize=7, leading=9)
PAGE_WIDTH = A4[0] - 50 * mm  # SimpleDocTemplate's default margins are 25 mm a side
_STYLES = getSampleStyleSheet()
HEADING = ParagraphStyle("pack-heading", parent=_STYLES["Heading2"], keepWithNext=1)
BODY = _STYLES["BodyText"]
TITLE = _STYLES["Title"]


class _NotForDisclosure(Flowable):
    """Marks the page it lands on as the MG11's reverse: its head and foot say so."""

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        self.canv.not_for_disclosure = True


def pack_canvas(*, marking: str, reference: str, label: str = "Case") -> type[pdf_canvas.Canvas]:
    """A canvas that writes, once the page count is known, the marking at the head and foot of each page,
    ``label`` and the reference ("Case CASE-2026-000001") and "Page N of M" (two passes: pages are kept until
    ``save``). Also the CBO application bundle's (``people.bundle``)."""

    class PackCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            self.not_for_disclosure = False

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()
            self.not_for_disclosure = False

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            self.setFont("Helvetica-Bold", 10)
            self.setFillColor(colors.black)
            self.drawCentredString(width / 2, height - 12 * mm, marking)
            self.drawCentredString(width / 2, 10 * mm, marking)
            if self.not_for_disclosure:
                self.setFillColor(colors.HexColor("#b00020"))
                self.drawCentredString(width / 2, height - 17 * mm, NOT_FOR_DISCLOSURE)
                self.drawCentredString(width / 2, 15 * mm, NOT_FOR_DISCLOSURE)
                self.setFillColor(colors.black)
            self.setFont("Helvetica", 8)
            self.drawString(25 * mm, 10 * mm, f"{label} {reference}")
            self.drawRightString(width - 25 * mm, 10 * mm, f"Page {number} of {total}")
            self.restoreState()

    return PackCanvas


def section(title: str, *flowables) -> KeepTogether:
    """A heading kept on the page of what it heads."""
    return KeepTogether([Paragraph(escape(title), HEADING), *flowables])


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
    story = [
        Paragraph(f"CBO breach evidence pack: case {escape(case.reference or str(case.pk))}", TITLE),
        Paragraph(
            f"Built {uk_datetime(built_at)} by {escape(person(built_by))}. "
            "A face match is an investigative lead, confirmed by a trained reviewer and corroborated by "
            "the investigating officer (decisions below).",
            BODY,
        ),
        *_order_part(case, images),
        *_incident_part(case, exhibits),
        *_faces_part(case, images),
        section("Decisions", _decisions_table(case)),
        *_statements_part(case),
        section("Continuity log", table([["When", "Who", "What"]] + _continuity(case), widths=(35, 35, 90))),
        *_contacts_part(case),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"Retrace case {case.reference}", topMargin=25 * mm)
    marking = settings.CASES_PROTECTIVE_MARKING
    doc.build(story, canvasmaker=pack_canvas(marking=marking, reference=case.reference or str(case.pk)))
    return out.getvalue()


def _order_part(case: Case, images: dict[str, bytes]) -> list:
    order, prohibition = case.breach_order, case.breach_prohibition
    assert order is not None  # pack_availability: only breach cases, which name the order breached
    part: list = [
        section(
            "Person and order",
            table(
                [
                    ["Person", f"{case.offender.full_name} (PNC {case.offender.pnc_id or 'not recorded'})"],
                    ["Court / reference", f"{order.court}, {order.case_reference}"],
                    ["Made / in force from", f"{uk_date(order.made_on)} / {uk_date(order.effective_from)}"],
                    ["Ends", uk_date(order.ends_on) if order.ends_on else "Indefinite"],
                    ["Served", _served(order)],
                    ["Order type", order.get_kind_display()],
                    ["Prohibition", _prohibition_text(prohibition)],
                ],
                widths=(40, 120),
            ),
        )
    ]
    if "zone-map.png" in images:
        part += [Spacer(1, 4 * mm), PdfImage(io.BytesIO(images["zone-map.png"]), width=90 * mm, height=94.5 * mm)]
    return part


def _incident_part(case: Case, exhibits: list[Exhibit]) -> list:
    incident, store = case.incident, case.incident.store
    in_zip = any(e.zip_name for e in exhibits)
    rows = [["File", "Kind", "Bytes", "SHA-256", "Uploaded by / at"]] + [
        [
            e.name + (f" (in the zip as {e.zip_name})" if e.zip_name else ""),
            e.kind,
            f"{e.size:,}",
            Paragraph(e.sha256, MONO),
            f"{e.uploaded_by}, {e.uploaded_at}",
        ]
        for e in exhibits
    ]
    where = "the original files are in the zip beside this PDF" if in_zip else "the zip holds the original files"
    return [
        section(
            "Incident",
            table(
                [
                    ["Reference", incident.reference],
                    ["Store", f"{store}, {store.address}, {store.postcode}"],
                    ["When", uk_datetime(incident.occurred_at)],
                    ["Reported by", person(incident.reported_by)],
                    ["Category / priority", f"{incident.get_category_display()} / {incident.priority}"],
                    ["What happened", incident.description[:1500]],
                ],
                widths=(40, 120),
            ),
        ),
        section(
            "CCTV exhibits",
            Paragraph(f"SHA-256 recomputed from storage when this pack was built; {where}.", BODY),
            table(rows, widths=(38, 12, 16, 56, 38)),
        ),
    ]


def _faces_part(case: Case, images: dict[str, bytes]) -> list:
    faces = [
        _pdf_image(images[name], max_w=75 * mm, max_h=75 * mm)
        for name in ("cctv-face.jpg", "reference-photo.jpg")
        if name in images
    ]
    heads: list = []
    if faces:
        labels = ["Face from the CCTV", "Reference photo"][: len(faces)]
        heads.append(Table([faces, labels], colWidths=[80 * mm] * len(faces), hAlign="LEFT"))
    match = case.best_match
    frame = f", {match.frame_time_s:.1f} s into the video" if match and match.frame_time_s is not None else ""
    found_by = f" Found by: {match.get_source_display().lower()}." if match else ""
    heads.append(
        Paragraph(
            f"Similarity {case.best_similarity:.3f} (cosine distance {1 - case.best_similarity:.3f}){frame}.{found_by} "
            f"The force's threshold at the time was a distance of {case.threshold:.3f}: a face at or under it is "
            "a possible match for people to review, not an identification.",
            BODY,
        )
    )
    return [section("Face comparison", *heads)]


def _decisions_table(case: Case) -> Table:
    return table(
        [["Stage", "Outcome", "By", "When", "Reasons"]]
        + [
            [
                d.get_stage_display(),
                d.get_outcome_display(),
                person(d.decided_by),
                uk_datetime(d.decided_at),
                (d.reason + (f" Corroboration: {d.corroboration}" if d.corroboration else ""))[:1500],
            ]
            for d in case.decisions.select_related("decided_by")
        ],
        widths=(26, 26, 30, 24, 54),
    )


def _statements(case: Case) -> list:
    return list(case.incident.witness_statements.all())


def _statements_part(case: Case) -> list:
    return statements_part(case.incident, _statements(case))


def statements_part(incident, statements: list) -> list:
    """Each witness statement of ``incident`` as an MG11: who, the statement, the declaration, the typed
    signature and date."""
    part: list = []
    for number, st in enumerate(statements, start=1):
        title = f"Witness statement (MG11) {number} of {len(statements)}: {st.witness_name}"
        part.append(
            section(
                title,
                table(
                    [
                        ["Statement of", st.witness_name],
                        ["Occupation", st.occupation],
                        ["Incident", incident.reference],
                    ],
                    widths=(40, 120),
                ),
                Spacer(1, 2 * mm),
                Paragraph(f"<i>{escape(TRUTH_DECLARATION)}</i>", BODY),
                Paragraph(
                    f"Signature: <b>{escape(st.signature)}</b> (typed) &nbsp;&nbsp; Date: {uk_date(st.signed_on)}",
                    BODY,
                ),
            )
        )
        part += [Paragraph(escape(line) or "&nbsp;", BODY) for line in st.statement.splitlines()]
        part.append(
            Paragraph(
                f"Signature: <b>{escape(st.signature)}</b> (typed) &nbsp;&nbsp; Date: {uk_date(st.signed_on)}"
                + ("" if st.truth_declaration else " &nbsp;&nbsp; <b>Declaration NOT made</b>"),
                BODY,
            )
        )
    return part


def _contacts_part(case: Case) -> list:
    return contacts_part(_statements(case))


def contacts_part(statements: list) -> list:
    """The MG11's reverse: each witness's contact details, on a page of their own marked not for disclosure."""
    if not statements:
        return []
    rows = [["Witness", "Address", "Telephone", "Email"]] + [
        [st.witness_name, st.contact_address or "-", st.contact_phone or "-", st.contact_email or "-"]
        for st in statements
    ]
    return [
        PageBreak(),
        _NotForDisclosure(),
        section(
            NOT_FOR_DISCLOSURE,
            Paragraph(
                "Witness contact details, for the police and the prosecution only. Remove this page before any "
                "disclosure of the witness statements.",
                BODY,
            ),
            table(rows, widths=(30, 58, 30, 42)),
        ),
    ]


def _prohibition_text(prohibition) -> str:
    text = f"{prohibition.get_kind_display()}: {prohibition.description or '-'}"
    stores = ", ".join(f"{s} ({s.postcode})" for s in prohibition.stores.select_related("retailer"))
    if prohibition.starts_on or prohibition.ends_on:
        starts = uk_date(prohibition.starts_on) or "start of order"
        ends = uk_date(prohibition.ends_on) or "end of order"
        text += f"; its own period {starts} to {ends}"
    return f"{text}; stores named: {stores}" if stores else text


def _served(order) -> str:
    if not order.served_on:
        return "Not recorded"
    return f"{uk_date(order.served_on)} by {order.served_by or 'an officer not recorded'}"


def _continuity(case: Case) -> list[list[str]]:
    rows = []
    for e in case.incident.evidence.select_related("uploaded_by"):
        rows.append((e.uploaded_at, person(e.uploaded_by), f"uploaded {e.original_name}"))
    for ev in case.incident.events.select_related("actor"):
        rows.append((ev.created_at, person(ev.actor), incident_events.describe(ev)))
    for event in case.events.select_related("actor"):
        rows.append((event.created_at, person(event.actor), events.describe(event)))
    for a in case.accesses.select_related("user"):
        rows.append((a.created_at, person(a.user), f"{a.get_kind_display()}"))
    rows.sort(key=lambda r: r[0])
    return [[uk_datetime(t), who, what] for t, who, what in rows]


def table(rows: list[list], *, widths: tuple[int, ...]) -> Table:
    """A grid whose cells wrap; ``widths`` are shares of the page width (they add up to 160)."""
    cells = [[c if isinstance(c, Paragraph) else Paragraph(escape(str(c)), CELL) for c in row] for row in rows]
    grid = Table(cells, hAlign="LEFT", repeatRows=1, colWidths=[PAGE_WIDTH * w / sum(widths) for w in widths])
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return grid


# Building ----------------------------------------------------------------------------------------------


def _images(case: Case) -> dict[str, bytes]:
    images = {}
    if case.best_match and (crop := _read(case.best_match.crop)):
        images["cctv-face.jpg"] = crop
        if case.best_match.reference_photo and (ref := _read(case.best_match.reference_photo.image)):
            images["reference-photo.jpg"] = ref
    if zone_map := zone_map_png(case.breach_prohibition, case.incident.store):
        images["zone-map.png"] = zone_map
    return images


def _manifest(case: Case, user, built_at, exhibits: list[Exhibit], files: dict[str, bytes]) -> dict:
    order = case.breach_order
    assert order is not None  # pack_availability: only breach cases, which name the order breached
    return {
        "case": case.pk,
        "reference": case.reference,
        "incident": case.incident.reference,
        "built_at": built_at.isoformat(),
        "built_by": user.get_username(),
        "built_by_name": person(user),
        "protective_marking": settings.CASES_PROTECTIVE_MARKING,
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
        "witness_statements": len(_statements(case)),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }


def build_evidence_pack(*, case: Case, user, with_zip: bool = True) -> EvidencePack:
    """The pack of a breach case whose match a reviewer has confirmed (``pack_availability``): the PDF and,
    with ``with_zip``, the zip with the original exhibits, their hashes checked against the upload's as
    they are written. Logged as an export (s.62) and a case event once built; nothing is logged when the
    build is refused."""
    if not pack_available(case):
        raise ApplicationError(
            "An evidence pack is built only for a CBO-breach case whose match a reviewer has confirmed.",
            code=CaseErrorCode.PACK_NOT_AVAILABLE,
            status_code=409,
        )
    images = _images(case)
    built_at = timezone.now()
    if not with_zip:
        exhibits = verified_exhibits(case)
        pack = EvidencePack(pdf=_pdf(case, exhibits, images, user, built_at))
    else:
        pack = _build_zip(case, user, images, built_at)
    case_access_log(case=case, user=user, kind=CaseAccess.Kind.EXPORT, detail="evidence pack")
    events.pack_built_event(case=case, actor=user, exhibits=case.incident.evidence.count())
    return pack


def _build_zip(case: Case, user, images: dict[str, bytes], built_at) -> EvidencePack:
    out = tempfile.SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)  # noqa: SIM115 (handed to the response)
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            exhibits = _zip_exhibits(case, zf)
            pdf = _pdf(case, exhibits, images, user, built_at)
            files = {**images, "evidence-pack.pdf": pdf}
            for name, data in files.items():
                zf.writestr(name, data)
            zf.writestr("manifest.json", json.dumps(_manifest(case, user, built_at, exhibits, files), indent=2))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return EvidencePack(pdf=pdf, zip_file=out)
