from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "retorno.core"
    label = "core"
