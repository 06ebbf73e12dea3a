"""API routes of incidents (mounted under /api/)."""

urlpatterns: list = []
