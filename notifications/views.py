"""The police user's own email choices, and the emails they were sent."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.permissions import POLICE, role_required
from core.pagination import BoundedPaginator
from notifications import selectors, services
from notifications.forms import NotificationPreferenceForm

POLICE_ONLY = "Email notifications are for police users (beat officers and force admins)."


@never_cache
@role_required(POLICE, message=POLICE_ONLY)
def notification_settings(request):
    user = request.user
    preference = selectors.preference_for(user)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            services.preference_set(user=user, **form.cleaned_data)
            return redirect(reverse("notification-settings") + "?saved=1")
    else:
        form = NotificationPreferenceForm(initial={flag: getattr(preference, flag) for flag in selectors.FLAGS})
    area = "the beats you cover" if user.is_beat_officer else "your force"
    choices = [
        (form["p1_incident"], "New P1 incidents", f"An email when shop staff report a P1 (urgent) incident in {area}."),
        (
            form["breach_case"],
            "New possible breach cases",
            f"An email when CCTV from a store in {area} raises a case that may be a breach of a criminal "
            "behaviour order.",
        ),
        (
            form["daily_digest"],
            "Daily summary",
            "A morning email with what waits for you: cases to review and corroborate, P1 incidents nobody has "
            "taken on, CCTV files that failed. None when nothing waits.",
        ),
    ]
    page = BoundedPaginator(selectors.notifications_of(user), 20).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "choices": choices,
        "page": page,
        "beats": user.beats.order_by("name"),
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "notifications/settings.html", context)
