"""What a role may *do*: one set of roles, used by the API's permission classes and the pages'
``role_required`` decorator alike. What a role may *see* is in ``accounts.access``."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from accounts.access import has_usable_role
from accounts.models import User
from core.exceptions import ErrorCode

ANY_ROLE: tuple[str, ...] = tuple(User.Role.values)
SHOP_WORKER: tuple[str, ...] = (User.Role.SHOP_WORKER,)
POLICE: tuple[str, ...] = (User.Role.BEAT_OFFICER, User.Role.FORCE_ADMIN)
FORCE_ADMIN: tuple[str, ...] = (User.Role.FORCE_ADMIN,)

NO_ROLE_MESSAGE = "Your account has no role or force yet. Ask your force admin to assign one."


class NoRole(exceptions.PermissionDenied):
    default_detail = NO_ROLE_MESSAGE
    retrace_code = ErrorCode.NO_ROLE


class HasRole(BasePermission):
    """Signed in, with a role and a force. Subclasses narrow ``roles``."""

    roles: tuple[str, ...] = ANY_ROLE
    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 for an unauthenticated request
        if not has_usable_role(user):
            raise NoRole()
        return user.role in self.roles


class IsShopWorker(HasRole):
    roles = SHOP_WORKER
    message = "Only shop workers may do this."


class IsPolice(HasRole):
    roles = POLICE
    message = "Only police users (beat officers and force admins) may do this."


class IsForceAdmin(HasRole):
    roles = FORCE_ADMIN
    message = "Only force admins may do this."


def role_required(roles: tuple[str, ...] = ANY_ROLE, *, message: str = "Your role may not open this page."):
    """Page decorator: sign in first (a redirect to the login page), then hold one of ``roles``; anyone
    else gets the friendly 403 page with ``message`` (an account without a role is told so)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_usable_role(request.user):
                raise PermissionDenied(NO_ROLE_MESSAGE)
            if request.user.role not in roles:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
