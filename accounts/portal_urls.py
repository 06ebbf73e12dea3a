"""Sign-in pages: the second factor, the user's own sign-in security, and force admins' sign-in management."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("login/code/", views.otp_verify, name="otp-verify"),
    path("login/code/setup/", views.otp_setup, name="otp-setup"),
    path("account/security/", views.account_security, name="account-security"),
    path("account/recovery-codes/", views.recovery_codes_new, name="recovery-codes"),
    path("sign-ins/", views.sign_in_admin, name="sign-in-admin"),
    path("sign-ins/lift/", views.lockout_lift, name="lockout-lift"),
    path("sign-ins/<int:pk>/reset/", views.second_factor_reset, name="second-factor-reset"),
]
