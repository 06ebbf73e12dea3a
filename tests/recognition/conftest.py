import pytest

from tests.conftest import FACES, require


@pytest.fixture(scope="session")
def face_engine():
    """The real face model, loaded once for the whole test session."""
    require(FACES.is_dir(), f"Face dataset not found at {FACES}")
    from recognition import engine

    return engine.get_engine()


@pytest.fixture(autouse=True)
def _fresh_gallery_cache():
    from recognition import gallery

    gallery.clear_cache()
    yield
    gallery.clear_cache()
