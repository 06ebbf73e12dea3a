"""Django admin for offenders, photos, orders and prohibitions, scoped to the force admin's force.

Every save goes through the services (validation and audit), and through ``workflows.orders`` where
recognition must follow (a photo's face enrolled, old footage searched again). Forms check with the
same rules first so that errors show on the form; an error only the service can find (a photo with no
face) rolls the whole save back and is shown at the top of the page (``accounts.admin_scope``).

``offenders``: people, their photos and history; ``orders``: orders, prohibitions and history;
``order_pages``: the discharge, variation and CSV import pages of an order.
"""

from orders.admin import offenders, orders  # noqa: F401 - registers the admins
