"""What the evidence pack's PDF says, read back from the PDF itself (pypdf): names and collar numbers, one date
style, "Page N of M" and the protective marking on every page, headings kept with what they head, each
witness statement as an MG11 with the contact details on a page of their own marked not for disclosure; and
the zip: the original exhibits beside the pack, their hashes re-verified as the zip is built."""

import datetime
import hashlib
import importlib.util
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from cases import pack
from cases.models import CaseAccess, CaseEvent
from cases.pack import NOT_FOR_DISCLOSURE, TRUTH_DECLARATION
from cases.services import case_review
from incidents.models import WitnessStatement
from tests.conftest import client_for, require, signed_in

pytestmark = pytest.mark.django_db

UK_TIME = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}, \d{2}:\d{2} (GMT|BST)\b")
HEADINGS = ("Person and order", "Incident", "CCTV exhibits", "Face comparison", "Decisions", "Continuity log")


def pdf_pages(data: bytes) -> list[str]:
    require(importlib.util.find_spec("pypdf") is not None, "pypdf is not installed (requirements-dev.txt)")
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def save_for_looking(name: str, data: bytes) -> None:
    """With RETRACE_SCREENSHOTS=<folder>, the PDF is kept there to be looked at."""
    if folder := os.environ.get("RETRACE_SCREENSHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)


@pytest.fixture
def named(world):
    """People with names and collar numbers, as a force records them."""
    a = world.a
    for user, first, last, collar in (
        (a.officer, "Jane", "Officer", "4321"),
        (a.admin, "Ravi", "Reviewer", "1007"),
        (a.worker, "Sam", "Till", ""),
    ):
        type(user).objects.filter(pk=user.pk).update(first_name=first, last_name=last, collar_number=collar)
        user.refresh_from_db()
    return a


@pytest.fixture
def statement(justified, named):
    return WitnessStatement.objects.create(
        incident=justified.incident,
        witness_name="Sam Till",
        occupation="Store manager",
        statement="I saw the man take razor blades from the shelf.\nHe left without paying at 14:30.",
        truth_declaration=True,
        signature="Sam Till",
        signed_on=datetime.date(2026, 3, 2),
        contact_address="7 Lime Street, Alsager, ST7 2AB",
        contact_phone="07700 900123",
        contact_email="sam.till@example.org",
        created_by=named.worker,
    )


@pytest.fixture
def confirmed(justified, named):
    case_review(case=justified, reviewer=named.admin, same_person=True, reason="Same scar, build and jacket",
                consequence_acknowledged=True)  # fmt: skip
    justified.refresh_from_db()
    return justified


def pack_pdf(user, case) -> bytes:
    r = client_for(user).get(f"/api/cases/{case.pk}/evidence-pack/?as=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf", r.content[:300]
    return r.content


def pack_zip(user, case) -> zipfile.ZipFile:
    r = client_for(user).get(f"/api/cases/{case.pk}/evidence-pack/")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert f'filename="{case.reference}-evidence-pack.zip"' in r["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))


def test_every_page_has_its_number_of_the_total_and_the_protective_marking(named, confirmed, statement):
    pages = pdf_pages(pack_pdf(named.officer, confirmed))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert text.count("OFFICIAL-SENSITIVE") == 2, f"page {number}: marking at the head and the foot"
        assert f"Case {confirmed.reference}" in text


def test_the_marking_is_the_forces_setting(named, confirmed, settings):
    settings.CASES_PROTECTIVE_MARKING = "OFFICIAL"
    pages = pdf_pages(pack_pdf(named.officer, confirmed))
    assert all("OFFICIAL" in text and "OFFICIAL-SENSITIVE" not in text for text in pages)


def test_people_are_named_with_collar_numbers_never_usernames(named, confirmed, statement):
    data = pack_pdf(named.officer, confirmed)
    save_for_looking("evidence-pack.pdf", data)
    text = flat("\n".join(pdf_pages(data)))
    assert "by Jane Officer (collar 4321)" in text  # who built it
    assert "Ravi Reviewer (collar 1007)" in text  # who confirmed
    assert "Sam Till" in text  # who reported and uploaded (shop staff have no collar number)
    for username in (named.officer.username, named.admin.username, named.worker.username):
        assert username not in text


def test_every_time_is_written_one_way(named, confirmed):
    text = flat("\n".join(pdf_pages(pack_pdf(named.officer, confirmed))))
    assert len(UK_TIME.findall(text)) >= 5  # built, occurred, uploaded, decided, the continuity log
    assert not re.search(r"\b\d{2}/\d{2}/\d{4}\b", text), "no 02/03/2026"
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), "no 2026-03-02"
    assert "2 Mar 2026, 14:30 GMT" in text  # the incident (factories.AT), in the service's time zone
    assert "5 Jan 2026" in text  # the order's dates, written the same way


def test_no_heading_ends_a_page(named, confirmed, statement):
    """Headings are kept with what they head: none is the last thing on a page."""
    pages = pdf_pages(pack_pdf(named.officer, confirmed))
    for number, text in enumerate(pages, start=1):
        body = [
            line.strip()
            for line in text.splitlines()
            if line.strip() and "OFFICIAL" not in line and not line.strip().startswith(("Case CASE-", "Page "))
        ]
        assert body, f"page {number} is empty"
        assert body[-1] not in HEADINGS and not body[-1].startswith("Witness statement (MG11)"), (number, body[-3:])


def test_a_witness_statement_is_in_the_pack_as_an_mg11(named, confirmed, statement):
    pages = pdf_pages(pack_pdf(named.officer, confirmed))
    text = flat("\n".join(pages))
    assert "Witness statement (MG11) 1 of 1: Sam Till" in text
    assert "Statement of Sam Till" in text and "Occupation Store manager" in text
    assert "I saw the man take razor blades from the shelf." in text and "He left without paying at 14:30." in text
    assert flat(TRUTH_DECLARATION) in text
    assert "Signature: Sam Till (typed) Date: 2 Mar 2026" in text


def test_the_contact_details_are_on_a_page_of_their_own_marked_not_for_disclosure(named, confirmed, statement):
    pages = pdf_pages(pack_pdf(named.officer, confirmed))
    contact = [i for i, text in enumerate(pages) if "07700 900123" in text]
    assert len(contact) == 1, "the contact details are on one page"
    page = flat(pages[contact[0]])
    assert page.count(NOT_FOR_DISCLOSURE) >= 2  # its head, and its heading
    assert "7 Lime Street, Alsager, ST7 2AB" in page and "sam.till@example.org" in page
    assert "I saw the man take razor blades" not in page  # the statement itself is on other pages
    for i, text in enumerate(pages):
        if i != contact[0]:
            assert NOT_FOR_DISCLOSURE not in flat(text) and "sam.till@example.org" not in text


def test_a_pack_without_statements_has_no_contact_page(named, confirmed):
    text = flat("\n".join(pdf_pages(pack_pdf(named.officer, confirmed))))
    assert NOT_FOR_DISCLOSURE not in text and "Witness statement (MG11)" not in text


def test_the_zip_holds_the_original_exhibits_beside_the_pack(named, confirmed, statement):
    evidence = confirmed.incident.evidence.get()
    original = evidence.file.read()
    evidence.file.close()
    zf = pack_zip(named.officer, confirmed)
    assert "exhibits/01-cctv.jpg" in zf.namelist()
    assert zf.read("exhibits/01-cctv.jpg") == original
    assert hashlib.sha256(zf.read("exhibits/01-cctv.jpg")).hexdigest() == evidence.sha256
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["reference"] == confirmed.reference and manifest["protective_marking"] == "OFFICIAL-SENSITIVE"
    assert manifest["exhibits"][0]["zip_name"] == "exhibits/01-cctv.jpg"
    assert manifest["exhibits"][0]["sha256"] == evidence.sha256
    assert manifest["exhibits"][0]["uploaded_by"] == "Sam Till" and manifest["witness_statements"] == 1
    text = flat("\n".join(pdf_pages(zf.read("evidence-pack.pdf"))))
    assert "in the zip as exhibits/01-cctv.jpg" in text


def test_an_exhibit_changed_since_upload_refuses_the_zip_with_a_clear_error(named, confirmed):
    evidence = confirmed.incident.evidence.get()
    with open(evidence.file.path, "r+b") as fh:  # same size, one byte changed
        first = fh.read(1)
        fh.seek(0)
        fh.write(bytes([first[0] ^ 0xFF]))
    exports, events = CaseAccess.objects.filter(kind="export").count(), CaseEvent.objects.count()
    r = client_for(named.officer).get(f"/api/cases/{confirmed.pk}/evidence-pack/")
    assert r.status_code == 409 and r.json()["code"] == "evidence_integrity"
    assert "Exhibit 'cctv.jpg' no longer matches the SHA-256 recorded at upload" in r.json()["message"]
    assert "The pack was not built" in r.json()["message"]
    r = signed_in(named.officer).get(f"/cases/{confirmed.pk}/pack.zip", follow=True)
    assert "no longer matches the SHA-256 recorded at upload" in r.content.decode()
    assert CaseAccess.objects.filter(kind="export").count() == exports and CaseEvent.objects.count() == events


def test_the_zip_is_checked_against_the_bytes_it_writes(named, confirmed, monkeypatch):
    """The hash is computed from the very bytes copied into the zip: storage that answers differently the
    second time it is read (after the PDF's pass) is caught too."""
    evidence = confirmed.incident.evidence.get()
    default_storage.exists(evidence.file.name)  # sets the lazy storage up
    storage_class = type(default_storage._wrapped)
    real_open = storage_class.open
    reads = []

    def open_changing_the_second_read(self, name, mode="rb"):
        handle = real_open(self, name, mode)
        if name == evidence.file.name:
            reads.append(name)
            if len(reads) > 1:
                return io.BytesIO(handle.read() + b"appended")
        return handle

    monkeypatch.setattr(storage_class, "open", open_changing_the_second_read)
    pack.build_evidence_pack(case=confirmed, user=named.officer, with_zip=False)  # the first read: as uploaded
    with pytest.raises(pack.EvidenceIntegrityError):
        pack.build_evidence_pack(case=confirmed, user=named.officer)
