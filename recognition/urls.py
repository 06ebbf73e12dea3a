"""API routes of recognition (mounted under /api/)."""

urlpatterns: list = []
