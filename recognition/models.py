"""Face templates of offenders, the processing record of each evidence file, possible matches,
and each force's match threshold (with its audit trail).

Policy (DESIGN.md): only offenders under an order in force are searched; faces in CCTV that match
nobody leave nothing behind (no crop, no embedding): ``EvidenceProcessing`` keeps counts, timings
and the model used, never a face.
"""

import numpy as np
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.models import AuditEvent, BaseModel
from incidents.models import Evidence


class FaceTemplate(BaseModel):
    """The embedding of the one face in a reference photo, made by ``model_name``/``model_version``.

    Templates of another model version are never searched: a model change re-enrols
    (``manage.py enrol_reference_photos``)."""

    reference_photo = models.ForeignKey("orders.ReferencePhoto", on_delete=models.CASCADE, related_name="templates")
    offender = models.ForeignKey("orders.Offender", on_delete=models.CASCADE, related_name="face_templates")
    # The offender's force, copied when the template is made: a force's gallery and the signature a worker
    # checks before each use read this table's own index, not a join through every offender of the force.
    force = models.ForeignKey("accounts.Force", on_delete=models.CASCADE, related_name="+", db_index=False)
    embedding = models.BinaryField(help_text="float32 vector, unit length (cosine distance = 1 - dot product).")
    model_name = models.CharField(max_length=40)
    model_version = models.CharField(max_length=120, db_index=True)
    face_box = models.JSONField(help_text="[x, y, w, h] of the face in the photo, pixels.")
    face_size_px = models.PositiveIntegerField()
    sharpness = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reference_photo", "model_name", "model_version"], name="face_template_one_per_photo_model"
            )
        ]
        indexes = [
            # A force's gallery of one model version: its rows in id order, its count and last id, and its last
            # change (the signature), each from an index alone.
            models.Index(fields=["force", "model_version", "id"], name="template_force_version_id"),
            models.Index(fields=["force", "model_version", "updated_at"], name="template_force_version_changed"),
        ]

    def __str__(self) -> str:
        return f"template of photo {self.reference_photo_id} ({self.model_name})"

    @property
    def vector(self) -> np.ndarray:
        return np.frombuffer(bytes(self.embedding), dtype=np.float32)


class EvidenceProcessingQuerySet(models.QuerySet):
    def create_for(self, evidence, **fields) -> "EvidenceProcessing":
        """A record for ``evidence`` with its store and force copied from the evidence's incident."""
        return self.create(evidence=evidence, **self.placed(evidence.pk), **fields)

    @staticmethod
    def placed(evidence_id: int) -> dict:
        """The store and force a record of this evidence file carries (one query)."""
        store_id, force_id = (
            Evidence.objects.filter(pk=evidence_id)
            .values_list("incident__store_id", "incident__store__beat__force_id")
            .get()
        )
        return {"store_id": store_id, "force_id": force_id}


class EvidenceProcessing(BaseModel):
    """Face matching state of one evidence file: visible to police, retryable by admins when failed."""

    objects = EvidenceProcessingQuerySet.as_manager()

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Result(models.TextChoices):
        NONE = "", "Not finished"
        NO_FACE = "no_face", "No usable face"
        NO_MATCH = "no_match", "Faces, no match"
        MATCH = "match", "Possible match"

    evidence = models.OneToOneField("incidents.Evidence", on_delete=models.CASCADE, related_name="processing")
    # The evidence's store and its force, copied from the incident when the record is made (an incident's store
    # never changes): the list, its filters and the failed-files counts read this table alone, in its indexes'
    # order, instead of joining evidence, incident, store and beat for every row.
    store = models.ForeignKey("accounts.Store", on_delete=models.PROTECT, related_name="+", db_index=False)
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.NONE, blank=True)
    reason_code = models.CharField(max_length=40, blank=True, help_text="Why it failed, e.g. 'corrupt_video'.")
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Delivery and liveness, for recognition.processing's sweep.
    sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the file's task was last handed to the task queue; empty while queued: waiting for it.",
    )
    worker = models.CharField(max_length=200, blank=True, help_text='The worker running the file ("host:pid").')
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker running the file last said it was alive."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="A run stopped by a full disk: the file is tried again from then."
    )
    no_space_retries = models.PositiveIntegerField(
        default=0, help_text="Attempts stopped by a full disk (not counted against the attempts limit)."
    )
    # Counts: how much was looked at, and why faces were not used.
    media_seconds = models.FloatField(null=True, blank=True)
    frames_decoded = models.PositiveIntegerField(default=0)
    frames_sampled = models.PositiveIntegerField(default=0)
    frames_skipped_still = models.PositiveIntegerField(
        default=0, help_text="Sampled frames not searched for faces: the same empty scene as the last one searched."
    )
    faces_detected = models.PositiveIntegerField(default=0)
    faces_too_small = models.PositiveIntegerField(default=0)
    faces_blurred = models.PositiveIntegerField(default=0)
    faces_tracked = models.PositiveIntegerField(default=0, help_text="Distinct people (face tracks) seen.")
    faces_embedded = models.PositiveIntegerField(default=0)
    gallery_size = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)
    # Timings and the model.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    processing_seconds = models.FloatField(null=True, blank=True)
    model_name = models.CharField(max_length=40, blank=True)
    model_version = models.CharField(max_length=120, blank=True)
    threshold = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "evidence processing"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="processing_created_id"),  # the list's order
            # A force's list, and by state (the failed-files counts and filter), in the list's order.
            models.Index(fields=["force", "-created_at", "-id"], name="processing_force_created"),
            models.Index(fields=["force", "status", "-created_at", "-id"], name="processing_force_status"),
            # A beat officer's: the stores of their beats, each in the list's order.
            models.Index(fields=["store", "-created_at", "-id"], name="processing_store_created"),
            models.Index(fields=["store", "status", "-created_at", "-id"], name="processing_store_status"),
        ]

    def __str__(self) -> str:
        return f"evidence {self.evidence_id}: {self.status}"

    @property
    def waiting_for_task_queue(self) -> bool:
        """Queued, but its task is not with the broker yet (it was down or hung): the sweep sends it."""
        return self.status == self.Status.QUEUED and self.sent_at is None and self.next_attempt_at is None

    @property
    def waiting_for_space(self) -> bool:
        """Queued again after a run found the disk full: tried again from ``next_attempt_at``."""
        return self.status == self.Status.QUEUED and self.next_attempt_at is not None


class EvidenceProcessingEvent(AuditEvent):
    """Audit trail of a processing record: each state change, with who (empty: a worker or the safety
    net; an admin who retried). Written by the writers in ``recognition.events``, which also word each
    event for people (``describe``). ``status`` is the record's status after the event; ``note`` the
    event in short (the failure's code and message, an admin's reason); ``details`` its values."""

    class Kind(models.TextChoices):
        QUEUED = "queued", "Queued for face matching"
        ATTEMPT_STARTED = "attempt_started", "Attempt started"
        DONE = "done", "Searched"
        FAILED = "failed", "Failed"
        RESENT = "resent", "Sent again by the safety net"
        RETRIED = "retried", "Retried by an admin"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    processing = models.ForeignKey(EvidenceProcessing, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=EvidenceProcessing.Status.choices)
    note = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta(AuditEvent.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.processing_id} {self.kind}"


class PossibleMatch(BaseModel):
    """A face in an evidence file within the force's threshold of an offender's template.

    One per (evidence, offender): the best face over the file. It is an investigative lead for the
    cases app, never an identification."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic search"
        RESEARCH = "research", "Re-search after late paperwork"
        OFFICER = "officer", "Face selected by an officer"

    evidence = models.ForeignKey("incidents.Evidence", on_delete=models.CASCADE, related_name="possible_matches")
    offender = models.ForeignKey("orders.Offender", on_delete=models.CASCADE, related_name="possible_matches")
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.AUTOMATIC,
        help_text="How the face was found: the automatic pass, a re-search, or a box drawn by an officer.",
    )
    reference_photo = models.ForeignKey(
        "orders.ReferencePhoto", on_delete=models.SET_NULL, null=True, blank=True, related_name="possible_matches"
    )
    distance = models.FloatField(help_text="Cosine distance, 0 = identical.")
    similarity = models.FloatField(help_text="1 - distance.")
    threshold = models.FloatField(help_text="The force's threshold when matched.")
    frame_time_s = models.FloatField(null=True, blank=True, help_text="Seconds into the video; empty for a photo.")
    face_box = models.JSONField(help_text="[x, y, w, h] in the frame, pixels.")
    crop = models.ImageField(upload_to="recognition/matches/%Y/%m/")
    model_name = models.CharField(max_length=40)
    model_version = models.CharField(max_length=120)

    class Meta:
        ordering = ["distance"]
        verbose_name_plural = "possible matches"
        constraints = [
            models.UniqueConstraint(fields=["evidence", "offender"], name="possible_match_one_per_evidence_offender")
        ]

    def __str__(self) -> str:
        return f"evidence {self.evidence_id} ~ offender {self.offender_id} ({self.distance:.3f})"


class ForceThreshold(BaseModel):
    """A force's own match threshold (cosine distance). Without a row, the default setting applies."""

    force = models.OneToOneField("accounts.Force", on_delete=models.CASCADE, related_name="face_threshold")
    threshold = models.FloatField(validators=[MinValueValidator(0.01), MaxValueValidator(0.5)])

    def __str__(self) -> str:
        return f"{self.force}: {self.threshold}"


class ThresholdChange(models.Model):
    """Audit row: who changed a force's threshold, from what to what, and why. Written by
    ``recognition.events.threshold_changed_event``, worded by ``recognition.events.describe``.

    Not an ``AuditEvent``: the person is ``changed_by`` and PROTECTed (who loosened or tightened a
    force's matching must never be lost, so a user with changes cannot be deleted), where an audit
    event's ``actor`` is SET_NULL; it has one kind only, and it is read newest first (as
    ``cases.CaseAccess``, for the same reasons)."""

    force = models.ForeignKey("accounts.Force", on_delete=models.CASCADE, related_name="threshold_changes")
    old_threshold = models.FloatField()
    new_threshold = models.FloatField()
    reason = models.CharField(max_length=500)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.force}: {self.old_threshold} -> {self.new_threshold}"


class RecognitionEvaluation(models.Model):
    """One run of ``evaluate_recognition``: the distance of every labelled pair, so the figures can be
    shown at any threshold a force admin considers."""

    pairs_file = models.CharField(max_length=200)
    model_name = models.CharField(max_length=40)
    model_version = models.CharField(max_length=120)
    distances = models.JSONField()
    labels = models.JSONField()
    unusable_pairs = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pairs_file} ({self.created_at:%Y-%m-%d})"


class ResearchJob(BaseModel):
    """A re-search of CCTV already searched once, because paperwork arrived late (DESIGN.md).

    An order recorded, corrected, varied or served late, or a reference photo added, re-searches the
    breach-relevant footage (incidents at the stores the order's prohibitions cover, while it was in
    force, still held) for that person only. A force admin may also re-search one incident's files
    against everyone under an order in force at its time, giving a reason. Progress is kept per file
    (``ResearchFile``), so a job that is run again never searches a file twice."""

    class Trigger(models.TextChoices):
        ORDER_RECORDED = "order_recorded", "order recorded"
        ORDER_CORRECTED = "order_corrected", "order corrected"
        ORDER_VARIED = "order_varied", "order varied"
        ORDER_SERVED = "order_served", "order served"
        PHOTO_ADDED = "photo_added", "photo added"
        ADMIN = "admin", "requested by a force admin"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="research_jobs")
    offender = models.ForeignKey(
        "orders.Offender",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_jobs",
        help_text="The one person searched for; empty for an incident re-search (everyone in the gallery).",
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_jobs",
        help_text="The order whose footage is re-searched; empty for a photo added (every order of the person).",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="research_jobs",
        help_text="The incident a force admin asked to re-search.",
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    reason = models.CharField(max_length=500, help_text="Why: the trigger in words, or the admin's reason.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose action started it; empty when the system did.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    files_total = models.PositiveIntegerField(default=0)
    files_searched = models.PositiveIntegerField(default=0)
    files_skipped = models.PositiveIntegerField(default=0, help_text="No longer held, or nobody to search for.")
    files_failed = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    planned_at = models.DateTimeField(null=True, blank=True, help_text="When the files to search were chosen.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"re-search {self.pk} ({self.trigger}): {self.status}"

    @property
    def files_done(self) -> int:
        return self.files_searched + self.files_skipped + self.files_failed


class ResearchFile(models.Model):
    """One evidence file of a re-search job: pending until searched (or skipped, or failed), once."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SEARCHED = "searched", "Searched"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    job = models.ForeignKey(ResearchJob, on_delete=models.CASCADE, related_name="files")
    evidence = models.ForeignKey("incidents.Evidence", on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    note = models.CharField(max_length=255, blank=True, help_text="Why it was skipped or failed.")
    attempts = models.PositiveIntegerField(default=0)
    gallery_size = models.PositiveIntegerField(default=0)
    faces_searched = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)
    searched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["job", "evidence"], name="research_file_once_per_job")]

    def __str__(self) -> str:
        return f"job {self.job_id} evidence {self.evidence_id}: {self.state}"
