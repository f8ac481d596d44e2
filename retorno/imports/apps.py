from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _restore_suspended_indexes(**kwargs: Any) -> None:
    # An import cut off half-way may have left registry indexes dropped (see
    # retorno.imports.indexes): every migrate, and so every start, builds them again.
    from retorno.imports.indexes import restore_indexes

    restore_indexes()


class ImportsConfig(AppConfig):
    name = "retorno.imports"
    label = "imports"

    def ready(self) -> None:
        post_migrate.connect(_restore_suspended_indexes, sender=self)
