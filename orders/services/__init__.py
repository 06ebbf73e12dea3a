"""Writes for offenders, reference photos, orders and prohibitions, one module per aggregate:
``offenders``, ``photos``, ``orders``, ``prohibitions``, ``retention`` (the premises import is
``orders.imports``; what they share is ``common``).

Every service checks that the actor is a force admin of the offender's force
(``accounts.access.is_force_admin_of``), validates everything before saving anything (one
transaction), raises ``ApplicationError`` with an ``orders.errors.OrderErrorCode`` and the fields
concerned, and writes an audit row through ``orders.events`` with the old and new values. Dates are
UK local dates; ``orders.in_force`` says what "in force" means.

No service here hands over to recognition (enrolling a photo's face, re-searching old footage after
late paperwork): entry points call ``workflows.orders``, whose functions have these services' names and
arguments. The names below are re-exported for callers that use ``orders.services.<name>``.
"""

from orders.events import OFFENDER_FIELDS, ORDER_FIELDS, PHOTO_FIELDS
from orders.services.common import UNSET
from orders.services.offenders import offender_clean, offender_create, offender_update
from orders.services.orders import (
    CORRECTABLE_ORDER_FIELDS,
    order_check_replaces,
    order_clean,
    order_correct,
    order_create,
    order_discharge,
    order_serve,
    order_vary,
)
from orders.services.photos import reference_photo_add, reference_photo_remove, reference_photo_update
from orders.services.prohibitions import (
    ProhibitionInput,
    clean_prohibition,
    prohibition_add,
    prohibition_correct,
    prohibition_delete,
)
from orders.services.retention import retention_purge

__all__ = [
    "CORRECTABLE_ORDER_FIELDS",
    "OFFENDER_FIELDS",
    "ORDER_FIELDS",
    "PHOTO_FIELDS",
    "UNSET",
    "ProhibitionInput",
    "clean_prohibition",
    "offender_clean",
    "offender_create",
    "offender_update",
    "order_check_replaces",
    "order_clean",
    "order_correct",
    "order_create",
    "order_discharge",
    "order_serve",
    "order_vary",
    "prohibition_add",
    "prohibition_correct",
    "prohibition_delete",
    "reference_photo_add",
    "reference_photo_remove",
    "reference_photo_update",
    "retention_purge",
]
