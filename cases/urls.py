"""API routes of cases (mounted under /api/)."""

urlpatterns: list = []
