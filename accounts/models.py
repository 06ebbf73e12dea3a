"""Organisations (forces, beats, retailers, stores) and users with one of three roles.

Who may see what is decided in one place, ``accounts.access``; these models only hold facts.
"""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from core.models import AuditEvent, BaseModel


class Force(BaseModel):
    """A territorial police force, e.g. Cheshire Constabulary."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=30, unique=True, help_text="Short code, e.g. 'cheshire'.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Beat(BaseModel):
    """A neighbourhood policing area of a force."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="beats")
    name = models.CharField(max_length=120)
    boundary = models.JSONField(
        null=True,
        blank=True,
        help_text="The beat's outline as a GeoJSON Polygon (longitude, latitude), drawn on the portal's maps.",
    )

    class Meta:
        ordering = ["force__name", "name"]
        constraints = [models.UniqueConstraint(fields=["force", "name"], name="beat_name_unique_in_force")]

    def __str__(self) -> str:
        return f"{self.name} ({self.force.name})"


class Retailer(BaseModel):
    """A retail business. Retailers trade across forces; their stores each lie in one beat."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


postcode_validator = RegexValidator(
    r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
    "Enter a UK postcode such as 'ST7 2AA' (capital letters).",
)


class Store(BaseModel):
    """One shop. Its beat places it within exactly one force."""

    retailer = models.ForeignKey(Retailer, on_delete=models.PROTECT, related_name="stores")
    beat = models.ForeignKey(Beat, on_delete=models.PROTECT, related_name="stores")
    code = models.CharField(max_length=20, help_text="Short store code, unique within the retailer.")
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=255)
    postcode = models.CharField(max_length=8, validators=[postcode_validator], db_index=True)
    phone = models.CharField(
        max_length=30, blank=True, help_text="The store's telephone number, for officers following up a report."
    )
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(49), MaxValueValidator(61)]
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-9), MaxValueValidator(2)]
    )

    class Meta:
        ordering = ["retailer__name", "name"]
        constraints = [models.UniqueConstraint(fields=["retailer", "code"], name="store_code_unique_in_retailer")]

    def __str__(self) -> str:
        return f"{self.retailer.name} {self.name} ({self.code})"

    @property
    def force(self) -> Force:
        return self.beat.force


class User(AbstractUser):
    """A person who signs in. ``role`` decides what they may do; ``accounts.access`` what they may see.

    - shop worker: ``stores`` (one or more stores of one retailer); ``force`` is their stores' force.
    - beat officer: ``force`` and the ``beats`` they cover.
    - force admin: ``force``.
    """

    class Role(models.TextChoices):
        SHOP_WORKER = "shop_worker", "Shop worker"
        BEAT_OFFICER = "beat_officer", "Beat officer"
        FORCE_ADMIN = "force_admin", "Force admin"

    role = models.CharField(max_length=20, choices=Role.choices, blank=True, db_index=True)
    force = models.ForeignKey(Force, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    stores = models.ManyToManyField(Store, blank=True, related_name="workers")
    beats = models.ManyToManyField(Beat, blank=True, related_name="officers")
    is_demo = models.BooleanField(
        default=False, help_text="Made by seed_demo; may sign in only on the embedded default."
    )
    collar_number = models.CharField(
        max_length=20, blank=True, help_text="A police officer's collar (warrant) number, named in evidence packs."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role="") | Q(force__isnull=False),
                name="user_with_role_has_force",
                violation_error_message="A user with a role must belong to a force.",
            ),
        ]

    @property
    def is_shop_worker(self) -> bool:
        return self.role == self.Role.SHOP_WORKER

    @property
    def is_beat_officer(self) -> bool:
        return self.role == self.Role.BEAT_OFFICER

    @property
    def is_force_admin(self) -> bool:
        return self.role == self.Role.FORCE_ADMIN

    @property
    def is_police(self) -> bool:
        return self.role in (self.Role.BEAT_OFFICER, self.Role.FORCE_ADMIN)


class ApiToken(models.Model):
    """An API token of one device (a phone, a desktop client): each has its own expiry and is revoked alone,
    so a new sign-in on one device never signs another out. Only the key's SHA-256 is kept: the key itself is
    shown once, when it is issued (``accounts.services.api_token_create``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="The device, as the client named it.")
    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed device'})"


class AccountEvent(AuditEvent):
    """The sign-in audit log: failed sign-ins and wrong codes (counted towards a lock-out), lock-outs lifted,
    second factors set up or reset, recovery codes used, API tokens issued and revoked; and a store's
    location set (it decides which prohibitions cover the store)."""

    class Kind(models.TextChoices):
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        CODE_FAILED = "code_failed", "Wrong one-time code"
        LOCKOUT_LIFTED = "lockout_lifted", "Lock-out lifted"
        SECOND_FACTOR_SET_UP = "second_factor_set_up", "Second factor set up"
        SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset"
        RECOVERY_CODES_MADE = "recovery_codes_made", "Recovery codes made"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        TOKEN_CREATED = "token_created", "API token issued"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        STORE_MOVED = "store_moved", "Store location set"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="account_events", help_text="Whose."
    )
    username = models.CharField(max_length=150, blank=True, help_text="As typed (it may name nobody).")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta(AuditEvent.Meta):
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username} at {self.created_at:%Y-%m-%d %H:%M}"
