from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "retorno.registry"
    label = "registry"
