from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "retorno.stats"
    label = "stats"
