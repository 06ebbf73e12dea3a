"""Sign-in events: one keyword-only writer per kind (``AccountEvent.Kind``) and their wording for people
(``describe``), as the other apps' ``events.py``. Failed sign-ins are written by ``accounts.lockout`` as
django-axes counts them."""

from accounts.models import AccountEvent, ApiToken, User


def sign_in_failed_event(
    *, username: str, user: User | None, ip_address: str | None, where: str, locked_out: bool, code: bool = False
) -> AccountEvent:
    """A wrong password (or, with ``code``, a wrong one-time code) counted towards a lock-out; ``locked_out``
    when this failure started one."""
    kind = AccountEvent.Kind.CODE_FAILED if code else AccountEvent.Kind.SIGN_IN_FAILED
    details = {"where": where, "locked_out": locked_out}
    return AccountEvent.objects.create(kind=kind, user=user, username=username, ip_address=ip_address, details=details)


def lockout_lifted_event(
    *, actor: User, username: str, ip_address: str | None, user: User | None, attempts: int
) -> AccountEvent:
    """``actor`` cleared the failures of ``username`` (every address) or of ``ip_address`` (every username)."""
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.LOCKOUT_LIFTED,
        actor=actor,
        user=user,
        username=username,
        ip_address=ip_address,
        details={"attempts": attempts},
    )


def second_factor_set_up_event(*, user: User, ip_address: str | None) -> AccountEvent:
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.SECOND_FACTOR_SET_UP,
        actor=user,
        user=user,
        username=user.username,
        ip_address=ip_address,
    )


def second_factor_reset_event(*, actor: User, user: User) -> AccountEvent:
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.SECOND_FACTOR_RESET, actor=actor, user=user, username=user.username
    )


def recovery_codes_made_event(*, user: User, count: int) -> AccountEvent:
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.RECOVERY_CODES_MADE,
        actor=user,
        user=user,
        username=user.username,
        details={"count": count},
    )


def recovery_code_used_event(*, user: User, ip_address: str | None, left: int) -> AccountEvent:
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.RECOVERY_CODE_USED,
        actor=user,
        user=user,
        username=user.username,
        ip_address=ip_address,
        details={"left": left},
    )


def token_created_event(*, token: ApiToken, ip_address: str | None) -> AccountEvent:
    user = token.user
    details = {"token_id": token.pk, "name": token.name, "prefix": token.prefix}
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.TOKEN_CREATED,
        actor=user,
        user=user,
        username=user.username,
        ip_address=ip_address,
        details=details,
    )


def token_revoked_event(*, token: ApiToken, actor: User) -> AccountEvent:
    details = {"token_id": token.pk, "name": token.name, "prefix": token.prefix}
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.TOKEN_REVOKED,
        actor=actor,
        user=token.user,
        username=token.user.username,
        details=details,
    )


def store_moved_event(*, actor: User, store, old: tuple, new: tuple) -> AccountEvent:
    """A force admin set where ``store`` is; ``old`` and ``new`` are (latitude, longitude)."""
    details = {
        "store_id": store.pk,
        "store": str(store),
        "from": [str(v) for v in old],
        "to": [str(v) for v in new],
    }
    return AccountEvent.objects.create(
        kind=AccountEvent.Kind.STORE_MOVED, actor=actor, username=actor.username, details=details
    )


def describe(event: AccountEvent) -> str:
    """The event in words for people, e.g. "Sign-in failed at /login/ (locked out)"."""
    d = event.details or {}
    kind = event.kind
    if kind in (AccountEvent.Kind.SIGN_IN_FAILED, AccountEvent.Kind.CODE_FAILED):
        text = f"{event.get_kind_display()} at {d.get('where', '?')}"
        return f"{text}: sign-in paused (locked out)" if d.get("locked_out") else text
    if kind == AccountEvent.Kind.LOCKOUT_LIFTED:
        return f"Lock-out lifted ({d.get('attempts', 0)} failed attempts cleared)"
    if kind == AccountEvent.Kind.RECOVERY_CODES_MADE:
        return f"{d.get('count', '?')} new recovery codes made (the old ones no longer work)"
    if kind == AccountEvent.Kind.RECOVERY_CODE_USED:
        return f"Recovery code used ({d.get('left', '?')} left)"
    if kind in (AccountEvent.Kind.TOKEN_CREATED, AccountEvent.Kind.TOKEN_REVOKED):
        return f"{event.get_kind_display()}: {d.get('prefix', '?')}… ({d.get('name') or 'unnamed device'})"
    if kind == AccountEvent.Kind.STORE_MOVED:
        old, new = d.get("from") or ["?", "?"], d.get("to") or ["?", "?"]
        return f"Location of {d.get('store', 'a store')} set: {old[0]}, {old[1]} to {new[0]}, {new[1]}"
    return event.get_kind_display() if kind in AccountEvent.Kind.values else str(kind)
