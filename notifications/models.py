"""Emails to officers, and each person's choice of which they get.

``Notification`` is the record of who was told of what: one row per (kind, person, thing), written
before the email is sent and stamped ``sent_at`` once the mail server took it, so that a task run twice
(a retry, a message delivered twice) never sends the same email twice. ``NotificationPreference`` holds
a person's choices; without a row, the defaults of their role apply (``services.preference_for``).
"""

from django.conf import settings
from django.db import models


class NotificationPreference(models.Model):
    """Which emails a police user gets. Beat officers get all three unless they turn them off; force
    admins, who see the whole force, get none unless they turn them on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_pref")
    p1_incident = models.BooleanField(help_text="An email for each new P1 (urgent) incident reported in my beats.")
    breach_case = models.BooleanField(help_text="An email for each new possible CBO breach case in my beats.")
    daily_digest = models.BooleanField(help_text="A morning email with the counts of my queue.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification choices of {self.user}"


class Notification(models.Model):
    """One email to one person about one thing (an incident, a case, a day's digest)."""

    class Kind(models.TextChoices):
        P1_INCIDENT = "p1_incident", "New P1 incident"
        BREACH_CASE = "breach_case", "New possible breach case"
        DAILY_DIGEST = "daily_digest", "Daily digest"

    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    # The recipient's force when the row was written: force admins see their force's rows in the admin.
    force = models.ForeignKey("accounts.Force", on_delete=models.PROTECT, related_name="+")
    object_ref = models.CharField(
        max_length=60, help_text="What it is about: 'incident:<id>', 'case:<id>' or 'digest:<date>'."
    )
    reference = models.CharField(
        max_length=40, blank=True, help_text="The reference people use (an incident's or a case's), or the day."
    )
    email = models.EmailField(blank=True, help_text="The address it went to.")
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, help_text="Why the last try failed (mail server).")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "user", "object_ref"], name="notification_once_per_user_and_thing")
        ]
        indexes = [models.Index(fields=["force", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference or self.object_ref} to {self.user_id}"

    @property
    def sent(self) -> bool:
        return self.sent_at is not None
