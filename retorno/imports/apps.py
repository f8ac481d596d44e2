from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "retorno.imports"
    label = "imports"
