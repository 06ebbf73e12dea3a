"""Organisations (forces, beats, retailers, stores) and users with one of three roles.

Who may see what is decided in one place, ``accounts.access``; these models only hold facts.
"""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from core.models import BaseModel


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
