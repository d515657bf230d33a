from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", LogoutView.as_view(), name="logout"),
    path("signed-in/", views.after_login, name="after-login"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/backup-codes/", views.backup_codes, name="backup-codes"),
    path("create/", views.sign_up, name="sign-up"),
    path("", views.account, name="account"),
]
