"""Who may see what: the one place the access rules live.

Every API view, page and admin screen gets its querysets through these selectors, so a rule
changed here changes everywhere. The rules (DESIGN.md, "Who uses it"):

- nobody sees anything outside their force;
- a shop worker sees only their own stores (and what hangs off them), never other stores;
- beat officers and force admins see their whole force's incidents, stores, offenders and orders;
- need to know: a beat officer opens only the cases (and what a case shows: matches, face images,
  exhibits, packs) of the beats they cover; a force admin opens every case of the force
  (``scope_to_covered_beats``);
- a user without a role, or without a force, sees nothing.

What is out of scope is not found (404), never refused (403), so that an answer never tells whether
something exists where the user may not look.
"""

from django.db.models import Model, Q, QuerySet

from accounts.models import Beat, Force, Retailer, Store, User


def has_usable_role(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role and user.force_id)


def is_force_admin_of(user, force_id: int | None = None) -> bool:
    """May ``user`` administer force ``force_id`` (any force of theirs when None)? The one check services,
    the admin and the APIs use for force-admin writes. A superuser may administer every force."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return bool(has_usable_role(user) and user.is_force_admin and (force_id is None or user.force_id == force_id))


def scope_by_store(qs: QuerySet, user, *, store_path: str = "store") -> QuerySet:
    """Rows that hang off a store (incidents, evidence, ...): a worker's stores, or the user's force."""
    if not has_usable_role(user):
        return qs.none()
    if user.is_shop_worker:
        # The ids themselves (a worker has a store or a few), not a subquery: the planner then walks the
        # per-store index in the list's order instead of guessing how many rows a subquery brings.
        return qs.filter(**{f"{store_path}__in": list(user.stores.values_list("pk", flat=True))})
    return qs.filter(**{f"{store_path}__beat__force_id": user.force_id})


def scope_to_police(qs: QuerySet, user, *, force_path: str = "force") -> QuerySet:
    """Police-only rows of a force (offenders, orders, cases): never visible to shop workers."""
    if not has_usable_role(user) or not user.is_police:
        return qs.none()
    return qs.filter(**{f"{force_path}_id": user.force_id})


def scope_to_covered_beats(qs: QuerySet, user, *, force_path: str = "force", beat_path: str = "beat") -> QuerySet:
    """Police-only rows that belong to a beat (cases, and what they show): a beat officer's covered beats,
    a force admin's whole force (need to know). Shop workers and users without a role see none."""
    qs = scope_to_police(qs, user, force_path=force_path)
    if getattr(user, "is_beat_officer", False):
        # The ids themselves (an officer covers a beat or a few), not a subquery: the planner then knows how
        # many rows the beats hold and walks their index, instead of joining the whole force's rows first.
        qs = qs.filter(**{f"{beat_path}_id__in": covered_beat_ids(user)})
    return qs


def covered_beat_ids(user) -> list[int]:
    """The ids of the beats a beat officer covers (none for anyone else)."""
    if not getattr(user, "is_beat_officer", False):
        return []
    return list(user.beats.order_by("pk").values_list("pk", flat=True))


def forces_for(user) -> QuerySet[Force]:
    if not has_usable_role(user):
        return Force.objects.none()
    return Force.objects.filter(pk=user.force_id)


def beats_for(user) -> QuerySet[Beat]:
    if not has_usable_role(user):
        return Beat.objects.none()
    if user.is_shop_worker:
        return Beat.objects.filter(stores__in=user.stores.values("pk")).distinct()
    return Beat.objects.filter(force_id=user.force_id)


def stores_for(user) -> QuerySet[Store]:
    qs = Store.objects.select_related("retailer", "beat__force")
    if not has_usable_role(user):
        return qs.none()
    if user.is_shop_worker:
        return qs.filter(pk__in=user.stores.values("pk"))
    return qs.filter(beat__force_id=user.force_id)


def retailers_for(user) -> QuerySet[Retailer]:
    """Retailers with a store the user may see (force admins also see retailers with no stores yet)."""
    if not has_usable_role(user):
        return Retailer.objects.none()
    condition = Q(stores__in=stores_for(user).values("pk"))
    if user.is_force_admin:
        condition |= Q(stores__isnull=True)
    return Retailer.objects.filter(condition).distinct()


def retailers_trading_for(user) -> QuerySet[Retailer]:
    """Retailers with at least one store in the user's force (police), or in the user's own stores (shop
    workers): what a prohibition may name, and what the admin's filters list. Another force's retailer and
    a retailer that does not exist look the same from here."""
    if not has_usable_role(user):
        return Retailer.objects.none()
    return Retailer.objects.filter(pk__in=stores_for(user).values("retailer_id"))


def users_for(user) -> QuerySet[User]:
    """Force admins see their force's users; everyone else sees only themselves."""
    if not has_usable_role(user):
        return User.objects.none()
    if user.is_force_admin:
        return User.objects.filter(force_id=user.force_id)
    return User.objects.filter(pk=user.pk)


def can_see(user, obj: Model) -> bool:
    """True when ``obj`` is in the user's scope for its type (for checks outside a queryset)."""
    selector = {Force: forces_for, Beat: beats_for, Store: stores_for, Retailer: retailers_for, User: users_for}
    return selector[type(obj)](user).filter(pk=obj.pk).exists()
