from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "retorno.accounts"
    label = "accounts"
