"""Portal pages of cases (mounted at the site root)."""

urlpatterns: list = []
