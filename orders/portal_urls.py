"""Portal pages of orders (mounted at the site root)."""

urlpatterns: list = []
