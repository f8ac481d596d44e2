from django.contrib.auth import views as auth_views
from django.urls import path

from retorno.accounts import views, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("tokens/", views_tokens.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views_tokens.token_revoke, name="token_revoke"),
]
