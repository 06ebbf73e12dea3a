"""Portal pages. They use the same selectors as the API (``accounts.access``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts import access


@login_required
def home(request):
    user = request.user
    context = {
        "has_role": access.has_usable_role(user),
        "stores": access.stores_for(user)[:50],
        "beats": access.beats_for(user) if user.is_beat_officer else [],
    }
    return render(request, "accounts/home.html", context)
