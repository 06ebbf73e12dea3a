import pytest
from django.core.management import CommandError, call_command

from accounts.models import Force, Store, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_creates_one_user_per_role(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    assert Force.objects.get().name == "Cheshire Constabulary"
    assert Store.objects.count() == 3
    assert Store.objects.filter(address__contains="Alsager").exists()
    assert sorted(User.objects.values_list("role", flat=True)) == ["beat_officer", "force_admin", "shop_worker"]
    assert all(u.is_demo for u in User.objects.all())
    assert "password" in capsys.readouterr().out


def test_seed_demo_refused_outside_embedded_default(settings):
    settings.DEMO_LOGINS_ALLOWED = False
    with pytest.raises(CommandError, match="embedded default"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_prints_where_to_sign_in(capsys):
    call_command("seed_demo", base_url="http://127.0.0.1:8010/")
    assert "Sign in at http://127.0.0.1:8010/" in capsys.readouterr().out
