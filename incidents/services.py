"""Incident writes: report, attach evidence, change status, record police views.

Every change leaves an ``IncidentEvent`` (written by ``incidents.events``). Evidence files are checked in
full before anything is stored; then each is streamed to storage under a temporary name (``….partial``) with
its SHA-256 computed on the way, and renamed to its final name only once it is hashed and its row is saved. If
anything fails, the transaction rolls back and the files already written by this call are deleted: nothing
partial is left. A full disk is a 507 ``storage_full`` that says so. A process killed mid-write leaves only a
``.partial`` file, which the orphan sweep (``incidents.housekeeping``) deletes. Face matching is queued by
``workflows.evidence``, which calls these services.
"""

import errno
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Store, User
from core.exceptions import ApplicationError, ErrorCode
from incidents import files as file_checks
from incidents.errors import IncidentErrorCode
from incidents.events import (
    duplicate_confirmed_event,
    evidence_added_event,
    exhibit_viewed_event,
    incident_created_event,
    incident_status_changed_event,
    incident_viewed_event,
    statement_added_event,
)
from incidents.models import Evidence, Incident, WitnessStatement
from incidents.rules import assess

logger = logging.getLogger(__name__)

# A phone's clock may run a little fast; further in the future than this is refused.
CLOCK_SKEW = timedelta(minutes=5)
# An exhibit being written has this suffix until it is hashed and its row saved (``_publish``).
PARTIAL_SUFFIX = ".partial"
# "No space left on device", "disk quota exceeded".
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def _check_reporter(*, reported_by: User, store: Store) -> None:
    if not reported_by.is_shop_worker:
        raise ApplicationError("Only shop workers report incidents.", code=ErrorCode.PERMISSION_DENIED, status_code=403)
    if not reported_by.stores.filter(pk=store.pk).exists():
        raise ApplicationError(
            "You can report incidents only for your own stores.",
            code=IncidentErrorCode.STORE_NOT_YOURS,
            fields={"store": ["Choose one of your stores."]},
        )


def _check_occurred_at(occurred_at: datetime) -> None:
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    now = timezone.now()
    if occurred_at > now + CLOCK_SKEW:
        raise ApplicationError(
            "When it happened cannot be in the future.",
            code=IncidentErrorCode.OCCURRED_IN_FUTURE,
            fields={"occurred_at": ["When it happened cannot be in the future."]},
        )
    if occurred_at < now - timedelta(days=settings.INCIDENT_OLDEST_DAYS):
        message = occurred_too_long_ago_message()
        raise ApplicationError(message, code=IncidentErrorCode.OCCURRED_TOO_LONG_AGO, fields={"occurred_at": [message]})


def occurred_at_oldest() -> date:
    """The earliest day an incident may be reported for (``INCIDENT_OLDEST_DAYS`` back; the form says it)."""
    return timezone.localdate() - timedelta(days=settings.INCIDENT_OLDEST_DAYS)


def occurred_too_long_ago_message() -> str:
    days = settings.INCIDENT_OLDEST_DAYS
    age = f"{round(days / 365.25)} years" if days >= 730 else f"{days} days"
    oldest = occurred_at_oldest()
    return f"When it happened cannot be more than {age} ago (before {oldest:%-d %B %Y}): check the date and year."


def incident_create(
    *,
    reported_by: User,
    store: Store,
    occurred_at: datetime,
    category: str,
    ongoing: bool,
    injured: bool,
    weapon: bool,
    description: str,
    goods_value: Decimal | None = None,
    offender_description: str = "",
    files: list[UploadedFile] | None = None,
    submission_key: uuid.UUID | None = None,
    keep_good_files: bool = False,
    duplicates: Literal["ignore", "ask", "confirmed"] = "ignore",
) -> Incident:
    """Log an incident (and any CCTV files sent with it). A repeated ``submission_key`` from the same reporter
    returns the incident already filed.

    All or nothing by default (the API). With ``keep_good_files`` (the portal) a refused file does not stop the
    report: the incident and its good files are kept, and the refused ones are listed on
    ``incident.refused_files`` (``RefusedFile``), each with its reason. With ``duplicates="ask"`` (the portal and
    the API), a file already sent at the same store within ``INCIDENT_DUPLICATE_WINDOW_DAYS`` is a 409
    ``possible_duplicate`` (``PossibleDuplicate``, naming the earlier incidents) and nothing is written; the
    caller asks the reporter and, if they go on, sends again with ``duplicates="confirmed"``: the incident is
    then filed and their go-ahead recorded (``duplicate_confirmed``)."""
    if submission_key is not None:
        earlier = Incident.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            if earlier.reported_by_id != reported_by.pk:
                raise _key_taken()
            earlier.refused_files = []
            return earlier
    _check_reporter(reported_by=reported_by, store=store)
    _check_occurred_at(occurred_at)
    checked, refused = _inspect(files or [], keep_good=keep_good_files)
    repeated: list[RepeatedFile] = []
    if duplicates != "ignore":
        repeated = same_files_sent_recently(store=store, uploads=[item.upload for item in checked])
    if duplicates == "ask" and repeated:
        raise PossibleDuplicate(repeated)
    found = assess(category=category, ongoing=ongoing, injured=injured, weapon=weapon)
    incident = Incident(
        store=store,
        reported_by=reported_by,
        occurred_at=occurred_at,
        category=category,
        ongoing=ongoing,
        injured=injured,
        weapon=weapon,
        description=description,
        goods_value=goods_value,
        offender_description=offender_description,
        priority=found.priority,
        priority_reason=found.reason,
        response_target_minutes=found.response_target_minutes,
        submission_key=submission_key,
    )
    incident.full_clean(exclude=["reference", "submission_key"])
    with _removing_stored_files_on_error() as stored, transaction.atomic():
        try:
            with transaction.atomic():
                incident.save()
        except IntegrityError:  # the same submission, sent twice at once
            raise _key_taken() from None
        incident.reference = f"INC-{timezone.localdate(incident.created_at).year}-{incident.pk:06d}"
        incident.save(update_fields=["reference"])
        incident_created_event(incident=incident, actor=reported_by)
        if repeated and duplicates == "confirmed":
            references = sorted({hit.incident.reference or "" for hit in repeated})
            duplicate_confirmed_event(incident=incident, actor=reported_by, earlier=references)
        _evidence_store_all(
            incident=incident,
            checked=checked,
            uploaded_by=reported_by,
            stored=stored,
            refused=refused if keep_good_files else None,
        )
    incident.refused_files = refused
    return incident


@dataclass(frozen=True)
class RepeatedFile:
    """A file of a new report that was already sent with ``incident`` (at the same store, recently)."""

    name: str
    incident: Incident
    uploaded_at: datetime


class PossibleDuplicate(ApplicationError):
    """A report's file was already sent with another incident at the same store within the window: asked before
    a second incident is made. ``repeated`` names each file and the incident it was sent with."""

    def __init__(self, repeated: list[RepeatedFile]) -> None:
        self.repeated = repeated
        lines = [f"{hit.name}: the same file was sent with {hit.incident.reference}." for hit in repeated]
        references = ", ".join(sorted({hit.incident.reference or "" for hit in repeated}))
        super().__init__(
            f"This CCTV was already sent with {references} at this store. If this is the same incident, it has "
            "been reported already; if it is a different one, confirm to report it again.",
            code=IncidentErrorCode.POSSIBLE_DUPLICATE,
            fields={"files": lines},
            status_code=409,
        )

    @property
    def incidents(self) -> list[Incident]:
        unique = {hit.incident.pk: hit.incident for hit in self.repeated}
        return sorted(unique.values(), key=lambda incident: incident.pk)


def same_files_sent_recently(*, store: Store, uploads: list[UploadedFile]) -> list[RepeatedFile]:
    """The uploads (by SHA-256) already attached to an incident of ``store`` within
    ``INCIDENT_DUPLICATE_WINDOW_DAYS``: what a report sent twice looks like."""
    if not uploads:
        return []
    names = {_sha256_of(upload): file_checks.sanitise_name(upload.name or "") for upload in uploads}
    since = timezone.now() - timedelta(days=settings.INCIDENT_DUPLICATE_WINDOW_DAYS)
    earlier = (
        Evidence.objects.filter(incident__store=store, sha256__in=names, uploaded_at__gte=since)
        .select_related("incident")
        .order_by("uploaded_at", "id")
    )
    return [RepeatedFile(name=names[e.sha256], incident=e.incident, uploaded_at=e.uploaded_at) for e in earlier]


def _sha256_of(upload: UploadedFile) -> str:
    hasher = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        hasher.update(chunk)
    upload.seek(0)
    return hasher.hexdigest()


def _key_taken() -> ApplicationError:
    return ApplicationError(
        "This report has already been sent. Check your incidents list before sending it again.",
        code=IncidentErrorCode.DUPLICATE_SUBMISSION,
        status_code=409,
    )


class StoredEvidence(list):
    """The exhibits an upload stored; ``refused`` lists the files refused (when good files are kept)."""

    refused: list["RefusedFile"]


def evidence_add(
    *, incident: Incident, files: list[UploadedFile], uploaded_by: User, keep_good_files: bool = False
) -> StoredEvidence:
    """Attach CCTV files to an incident (the caller checks the user may see it): all or nothing, or with
    ``keep_good_files`` the good files stored and the refused ones listed on the result's ``refused``."""
    if not uploaded_by.is_shop_worker:
        raise ApplicationError("Only shop workers add evidence.", code=ErrorCode.PERMISSION_DENIED, status_code=403)
    if not files:
        raise ApplicationError(
            "Choose at least one file.",
            code=IncidentErrorCode.NO_FILES,
            fields={"files": ["Choose at least one file."]},
        )
    checked, refused = _inspect(files, keep_good=keep_good_files)
    with _removing_stored_files_on_error() as stored, transaction.atomic():
        result = StoredEvidence(
            _evidence_store_all(
                incident=incident,
                checked=checked,
                uploaded_by=uploaded_by,
                stored=stored,
                refused=refused if keep_good_files else None,
            )
        )
    result.refused = refused
    return result


@dataclass
class CheckedFile:
    upload: UploadedFile
    name: str
    type: file_checks.FileType


@dataclass(frozen=True)
class RefusedFile:
    """A file refused while the rest of its upload was kept: its name, and why (a message naming it)."""

    name: str
    message: str
    code: str


def _inspect(files: list[UploadedFile], *, keep_good: bool) -> tuple[list[CheckedFile], list[RefusedFile]]:
    """``inspect_files``; with ``keep_good`` a bad file is set aside (with its reason) instead of refusing all."""
    if not keep_good:
        return inspect_files(files), []
    _check_count(files)
    checked, refused = [], []
    for upload in files:
        try:
            checked.extend(inspect_files([upload]))
        except ApplicationError as exc:
            refused.append(
                RefusedFile(name=file_checks.sanitise_name(upload.name or ""), message=exc.message, code=exc.code)
            )
    return checked, refused


def _check_count(files: list[UploadedFile]) -> None:
    limit = settings.INCIDENT_MAX_FILES_PER_UPLOAD
    if len(files) > limit:
        message = f"At most {limit} files at a time; send the rest in another upload."
        raise ApplicationError(message, code=IncidentErrorCode.TOO_MANY_FILES, fields={"files": [message]})


def inspect_files(files: list[UploadedFile]) -> list[CheckedFile]:
    _check_count(files)
    checked = []
    for upload in files:
        name, found = file_checks.inspect(upload)
        checked.append(CheckedFile(upload=upload, name=name, type=found))
    return checked


class _removing_stored_files_on_error:  # noqa: N801 - used as a context manager
    """Collects the storage names written inside the block (a name is listed before its file is written) and
    deletes them if the block fails. A full disk becomes the 507 ``storage_full`` refusal."""

    def __enter__(self) -> list[str]:
        self.stored: list[str] = []
        return self.stored

    def __exit__(self, exc_type, exc, tb) -> Literal[False]:
        if exc_type is None:
            return False
        for name in self.stored:
            try:
                default_storage.delete(name)
            except OSError:  # left to the orphan sweep; the original error is the one to report
                logger.exception("Could not delete %s after a failed upload", name)
        if isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS:
            logger.error("No room to store an exhibit: %s", exc)
            raise _storage_full() from exc
        return False


def _storage_full() -> ApplicationError:
    message = (
        "The CCTV could not be stored: the server has no room left for files. Nothing was kept. Try again "
        "later, or send the report without files now and add them when this is fixed."
    )
    return ApplicationError(message, code=ErrorCode.STORAGE_FULL, fields={"files": [message]}, status_code=507)


def _evidence_store_all(
    *,
    incident: Incident,
    checked: list[CheckedFile],
    uploaded_by: User,
    stored: list[str],
    refused: list[RefusedFile] | None = None,
) -> list[Evidence]:
    """Store each checked file. A file already attached (by SHA-256) refuses the upload, or, given ``refused``
    (good files are kept), is set aside there and its copy deleted."""
    created: list[Evidence] = []
    seen: dict[str, str] = {}  # SHA-256 -> the name of the file in this upload
    for item in checked:
        final = _final_name(incident=incident, item=item)
        partial, sha256 = _stream_to_storage(item=item, name=_partial_name(final), stored=stored)
        final = final if partial.endswith(PARTIAL_SUFFIX) else partial  # an object store wrote the final name
        try:
            _refuse_duplicate(incident=incident, item=item, sha256=sha256, seen=seen)
        except ApplicationError as exc:
            if refused is None:
                raise
            refused.append(RefusedFile(name=item.name, message=exc.message, code=exc.code))
            default_storage.delete(partial)
            stored.remove(partial)
            continue
        seen[sha256] = item.name
        created.append(_evidence_row(incident=incident, item=item, file_name=final, sha256=sha256, by=uploaded_by))
        _publish(partial=partial, final=final, stored=stored)
    return created


def _refuse_duplicate(*, incident: Incident, item: CheckedFile, sha256: str, seen: dict[str, str]) -> None:
    earlier = seen.get(sha256)
    if earlier is None:
        stored = Evidence.objects.filter(incident=incident, sha256=sha256)
        earlier = stored.values_list("original_name", flat=True).first()
    if earlier:
        raise file_checks.bad_file(
            item.name,
            f"this is the same file as {earlier}, already attached to this incident.",
            IncidentErrorCode.DUPLICATE_FILE,
        )


def _evidence_row(*, incident: Incident, item: CheckedFile, file_name: str, sha256: str, by: User) -> Evidence:
    evidence = Evidence(
        incident=incident,
        file=file_name,
        original_name=item.name,
        size=_size(item.upload),
        content_type=item.type.mime,
        kind=item.type.kind,
        sha256=sha256,
        uploaded_by=by,
    )
    try:
        with transaction.atomic():  # a concurrent upload of the same file: refuse, do not 500
            evidence.save()
    except IntegrityError:
        raise file_checks.bad_file(
            item.name, "this file is already attached to this incident.", IncidentErrorCode.DUPLICATE_FILE
        ) from None
    evidence_added_event(evidence=evidence, actor=by)
    return evidence


def _size(upload: UploadedFile) -> int:
    """An upload's size (Django sets it for every file it parses; an empty one is refused by ``inspect_files``)."""
    return upload.size or 0


class _HashingReader(File):
    """Hashes bytes as storage reads them, so the file is read once (a backend that seeks and
    re-reads is detected by ``complete`` and the caller hashes again)."""

    def __init__(self, file: File, name: str, size: int):
        super().__init__(file, name)
        self._source = file
        self._size = size
        self.hasher = hashlib.sha256()
        self.hashed = 0

    @property
    def size(self):
        return self._size

    def read(self, n=-1):
        position = self._source.tell()
        data = self._source.read(n)
        if position == self.hashed and data:
            self.hasher.update(data)
            self.hashed += len(data)
        return data

    @property
    def complete(self) -> bool:
        return self.hashed == self._size


def _final_name(*, incident: Incident, item: CheckedFile) -> str:
    today = timezone.localdate()
    return f"evidence/{today:%Y/%m}/{incident.reference}/{uuid.uuid4().hex}{item.type.extension}"


def _partial_name(final: str) -> str:
    """Where the exhibit is written: beside its final name on local disk (a rename is then atomic). An object
    store writes straight to the final name: an object appears only once its upload completes."""
    return final + PARTIAL_SUFFIX if _local_path(final) is not None else final


def _local_path(name: str) -> str | None:
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return None


def _stream_to_storage(*, item: CheckedFile, name: str, stored: list[str]) -> tuple[str, str]:
    """Write the upload to ``name`` (listed in ``stored`` first, so a write cut short is deleted too); returns
    the name written and the file's SHA-256."""
    upload = item.upload
    upload.seek(0)
    reader = _HashingReader(upload, name, _size(upload))
    stored.append(name)
    written = default_storage.save(name, reader, max_length=255)
    stored[-1] = written
    if reader.complete:
        return written, reader.hasher.hexdigest()
    hasher = hashlib.sha256()  # the backend did not read straight through: hash in a second pass
    upload.seek(0)
    for chunk in upload.chunks():
        hasher.update(chunk)
    return written, hasher.hexdigest()


def _publish(*, partial: str, final: str, stored: list[str]) -> None:
    """The exhibit is hashed and its row saved: give it its final name, read-only on local disk (object stores
    use bucket policy). Before the upload's transaction commits, so a row never names a missing file."""
    path = _local_path(final)
    if path is None:
        return
    if partial != final:
        os.rename(default_storage.path(partial), path)
        stored[stored.index(partial)] = final
    os.chmod(path, 0o440)


# Where an incident's status may go from: police take a received incident on, and close a received or
# taken-on one (with a reason). A closed incident stays closed, and nothing goes back to received.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    Incident.Status.RECEIVED: frozenset({Incident.Status.WITH_POLICE, Incident.Status.CLOSED}),
    Incident.Status.WITH_POLICE: frozenset({Incident.Status.CLOSED}),
    Incident.Status.CLOSED: frozenset(),
}
CLOSING_REASON_MIN_LENGTH = 5


def incident_status_moves(incident: Incident) -> frozenset[str]:
    """The statuses ``incident`` may move to now (what the incident page offers police)."""
    return STATUS_TRANSITIONS.get(incident.status, frozenset())


def incident_status_set(*, incident: Incident, status: str, actor: User | None, reason: str = "") -> Incident:
    """Move an incident to ``status`` along ``STATUS_TRANSITIONS``, recording who and why. Every caller (the
    incident page, the admin) comes here: a move the rules forbid is a 409 ``invalid_status_transition`` and
    closing needs a reason of at least 5 characters; either way nothing is written. Taking an incident on
    without a reason records who took it on."""
    if status not in Incident.Status.values:
        raise ApplicationError(
            f"Unknown status {status!r}.", code=IncidentErrorCode.INVALID_STATUS, fields={"status": ["Unknown status."]}
        )
    reason = " ".join(reason.split())
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        old = locked.status
        _check_status_transition(locked, status)
        if status == Incident.Status.CLOSED and len(reason) < CLOSING_REASON_MIN_LENGTH:
            message = "Say why the incident is closed (at least 5 characters). Nothing was changed."
            raise ApplicationError(
                message, code=IncidentErrorCode.CLOSING_REASON_REQUIRED, fields={"reason": [message]}
            )
        locked.status = status
        fields = ["status", "updated_at"]
        if status == Incident.Status.WITH_POLICE and locked.taken_on_at is None:
            locked.taken_on_by, locked.taken_on_at = actor, timezone.now()
            fields += ["taken_on_by", "taken_on_at"]
        locked.save(update_fields=fields)
        reason = reason or _taken_on_by(actor)
        incident_status_changed_event(incident=locked, actor=actor, old=old, new=status, reason=reason)
    incident.status, incident.taken_on_by_id, incident.taken_on_at = status, locked.taken_on_by_id, locked.taken_on_at
    return incident


def _check_status_transition(incident: Incident, status: str) -> None:
    old = incident.status
    if status in STATUS_TRANSITIONS.get(old, ()):
        return
    old_label, new_label = Incident.Status(old).label.lower(), Incident.Status(status).label.lower()
    if old == status or old == Incident.Status.CLOSED:
        message = f"{incident.reference} is already {old_label}."
    else:
        message = f"{incident.reference} is {old_label}: it cannot go back to {new_label}."
    raise ApplicationError(message, code=IncidentErrorCode.INVALID_STATUS_TRANSITION, status_code=409)


def _taken_on_by(actor: User | None) -> str:
    return f"Taken on by {actor.get_full_name() or actor.username}" if actor is not None else ""


def incident_view_record(*, incident: Incident, viewer: User, what: str = "incident") -> None:
    """Police views are audited (who looked at which incident, when); shop staff views are not."""
    if getattr(viewer, "is_police", False):
        incident_viewed_event(incident=incident, actor=viewer, what=what)


def exhibit_view_record(*, evidence: Evidence, viewer: User, how: str = "view") -> None:
    """Every opening of an exhibit's file is audited (who, when, which exhibit), whoever opens it."""
    exhibit_viewed_event(evidence=evidence, actor=viewer, how=how)


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _check_statement(
    *,
    incident: Incident,
    witness_name: str,
    truth_declaration: bool,
    signature: str,
    signed_on: date,
    contact: tuple[str, str, str],
) -> None:
    """The MG11's rules: the declaration made, signed with the witness's own name, dated from the incident's day
    to today, with a way to reach the witness. All problems at once, by field."""
    problems: dict[str, list[str]] = {}
    codes: list[str] = []

    def refuse(field: str, message: str, code: str) -> None:
        problems.setdefault(field, []).append(message)
        codes.append(code)

    if truth_declaration is not True:
        refuse(
            "truth_declaration",
            "Tick the declaration that the statement is true.",
            IncidentErrorCode.TRUTH_NOT_DECLARED,
        )
    if not _same_name(signature, witness_name):
        refuse(
            "signature",
            "Type your name exactly as given above, as your signature.",
            IncidentErrorCode.SIGNATURE_MISMATCH,
        )
    if signed_on > timezone.localdate():
        refuse("signed_on", "The date cannot be in the future.", IncidentErrorCode.SIGNED_ON_INVALID)
    elif signed_on < timezone.localdate(incident.occurred_at):
        refuse("signed_on", "The date cannot be before the incident happened.", IncidentErrorCode.SIGNED_ON_INVALID)
    if not any(part.strip() for part in contact):
        message = "Give at least one way the police can contact you: a phone number, an email or an address."
        refuse("contact_phone", message, IncidentErrorCode.CONTACT_REQUIRED)
    if problems:
        first = next(iter(problems.values()))[0]
        raise ApplicationError(first, code=codes[0], fields=problems)


def witness_statement_create(
    *,
    incident: Incident,
    created_by: User,
    witness_name: str,
    occupation: str,
    statement: str,
    truth_declaration: bool,
    signature: str,
    signed_on: date,
    contact_address: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> WitnessStatement:
    """A shop worker of the incident's store signs a witness statement (MG11). It is never edited afterwards:
    a correction or more detail is a further statement."""
    if not created_by.is_shop_worker:
        raise ApplicationError(
            "Only shop staff make witness statements here.", code=ErrorCode.PERMISSION_DENIED, status_code=403
        )
    if not created_by.stores.filter(pk=incident.store_id).exists():
        raise ApplicationError("Not found.", code=ErrorCode.NOT_FOUND, status_code=404)
    _check_statement(
        incident=incident,
        witness_name=witness_name,
        truth_declaration=truth_declaration,
        signature=signature,
        signed_on=signed_on,
        contact=(contact_address, contact_phone, contact_email),
    )
    row = WitnessStatement(
        incident=incident,
        witness_name=" ".join(witness_name.split()),
        occupation=occupation.strip(),
        statement=statement.strip(),
        truth_declaration=True,
        signature=" ".join(signature.split()),
        signed_on=signed_on,
        contact_address=contact_address.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(),
        created_by=created_by,
    )
    row.full_clean()
    with transaction.atomic():
        row.save()
        statement_added_event(statement=row, actor=created_by)
    return row
