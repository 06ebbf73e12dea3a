"""API routes of orders (mounted under /api/)."""

urlpatterns: list = []
