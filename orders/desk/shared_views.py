"""What the order desk's pages share: force admins only (anyone else the friendly 403), rows of the admin's
own force only (another force's is a 404, never a 403 that confirms it exists), pages of 25."""

from django.core.paginator import Page
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from accounts.permissions import FORCE_ADMIN, role_required
from core.exceptions import ApplicationError
from core.pagination import portal_page
from orders import selectors
from orders.models import Offender, Order

DESK_ONLY = "The order desk is for force admins. Ask your force admin if you need an offender or order recorded."
PER_PAGE = 25
MAP_PARTIAL = "orders/_map.html"
NUL_REFUSED = "The form contains a character that cannot be stored (NUL): remove it and send the form again."

desk_page = role_required(FORCE_ADMIN, message=DESK_ONLY)


def page_of(request, qs, per_page: int = PER_PAGE) -> tuple[Page, str]:
    """One page of ``qs`` (``?page=``; a page number out of range gives the nearest page, never an error) and
    the query string of the other parameters, for the pager's links."""
    return portal_page(request, qs, per_page)


def offender_or_404(request, pk: int) -> Offender:
    offender = selectors.offenders_for(request.user).filter(pk=pk).first()
    if offender is None:
        raise Http404("No such person in your force.")
    return offender


def order_or_404(request, pk: int) -> Order:
    order = selectors.orders_for(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404("No such order in your force.")
    return order


def refuse_nul(request) -> None:
    """A NUL in a form's text is refused here (PostgreSQL cannot store it: the save would be a 500)."""
    for field, values in request.POST.lists():
        if any("\x00" in value for value in values):
            raise ApplicationError(NUL_REFUSED, fields={field: ["Null characters are not allowed."]})


def has_map() -> bool:
    """Whether the shared map partial is installed (the pages work without it: typed values are accepted)."""
    try:
        get_template(MAP_PARTIAL)
    except TemplateDoesNotExist:
        return False
    return True


def error_status(exc: ApplicationError) -> int:
    """A refusal is a 4xx (the face engine being away is the service's 503): never a 500."""
    return exc.status_code if exc.status_code and exc.status_code >= 400 else 400
