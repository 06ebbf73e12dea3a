"""Role checks for API views. What a role may *see* is in ``accounts.access``; these say what it may *do*."""

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from accounts.access import has_usable_role
from accounts.models import User
from core.exceptions import ErrorCode


class NoRole(exceptions.PermissionDenied):
    default_detail = "Your account has no role or force yet. Ask your force admin to assign one."
    retrace_code = ErrorCode.NO_ROLE


class HasRole(BasePermission):
    """Signed in, with a role and a force. Subclasses narrow ``roles``."""

    roles: tuple[str, ...] = tuple(User.Role.values)
    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 for an unauthenticated request
        if not has_usable_role(user):
            raise NoRole()
        return user.role in self.roles


class IsShopWorker(HasRole):
    roles = (User.Role.SHOP_WORKER,)
    message = "Only shop workers may do this."


class IsPolice(HasRole):
    roles = (User.Role.BEAT_OFFICER, User.Role.FORCE_ADMIN)
    message = "Only police users (beat officers and force admins) may do this."


class IsForceAdmin(HasRole):
    roles = (User.Role.FORCE_ADMIN,)
    message = "Only force admins may do this."
