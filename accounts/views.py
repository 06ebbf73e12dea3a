"""Portal pages. They use the same selectors as the API (``accounts.access``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts import access


@login_required
def home(request):
    user = request.user
    if user.is_shop_worker and access.has_usable_role(user):
        return redirect("incident-list")  # shop staff land on their stores' incidents
    context = {
        "has_role": access.has_usable_role(user),
        "stores": access.stores_for(user)[:50],
        # the beats the officer covers (their queue), not every beat of the force they may see
        "beats": user.beats.filter(force_id=user.force_id).order_by("name") if user.is_beat_officer else [],
    }
    return render(request, "accounts/home.html", context)
