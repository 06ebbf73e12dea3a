"""Portal pages of recognition (mounted at the site root)."""

urlpatterns: list = []
