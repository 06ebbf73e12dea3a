import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The token API's rate limits live in Django's cache (in this process): each test starts with none."""
    cache.clear()
    yield
    cache.clear()
