"""The public demo password is refused for real accounts."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.models import User
from accounts.services import user_create
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password", ["retrace-demo", "Retrace-Demo", "RETRACE_DEMO!", "retrace-demo-2024", "retracedemo1", "retrace-police"]
)
def test_demo_password_and_its_variants_are_refused(password):
    with pytest.raises(ValidationError) as err:
        validate_password(password)
    assert "public" in " ".join(err.value.messages)


@pytest.mark.parametrize("password", ["correct-horse-battery", "Tr4ce-the-shoplifter", "demolition-derby-77"])
def test_other_passwords_pass(password):
    validate_password(password)


def test_a_real_account_cannot_be_given_the_demo_password(world):
    with pytest.raises(ValidationError) as err:
        user_create(username="pc-jones", password="retrace-demo", role=User.Role.BEAT_OFFICER, force=world.a.force)
    assert "public" in str(err.value.message_dict["password"])
    assert not User.objects.filter(username="pc-jones").exists()


def test_the_admin_refuses_the_demo_password(world):
    data = {"username": "pc-jones", "password1": "retrace-demo", "password2": "retrace-demo", "role": "beat_officer"}
    data["force"] = world.a.force.pk
    data["usable_password"] = "true"
    r = signed_in(world.a.admin).post("/admin/accounts/user/add/", data)
    assert r.status_code == 200 and "This password is public" in r.content.decode()
    assert not User.objects.filter(username="pc-jones").exists()
    # The same form with a password of their own is accepted.
    data["password1"] = data["password2"] = "Tr4ce-the-shoplifter"
    assert signed_in(world.a.admin).post("/admin/accounts/user/add/", data).status_code == 302
    assert User.objects.filter(username="pc-jones", force=world.a.force).exists()


def test_seed_demo_still_sets_it_on_the_embedded_default():
    call_command("seed_demo")
    assert User.objects.get(username="officer").check_password("retrace-demo")
