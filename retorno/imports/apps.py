from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _restore_suspended_indexes(**kwargs: Any) -> None:
    # An import cut off half-way may have left registry indexes dropped (see
    # retorno.imports.indexes): every migrate, and so every start, builds them again.
    from django.db import connections

    from retorno.imports.indexes import restore_indexes
    from retorno.imports.models import SuspendedIndex

    connection = connections[kwargs.get("using", "default")]
    if SuspendedIndex._meta.db_table in connection.introspection.table_names():
        restore_indexes()  # (absent when the imports app was migrated back to zero)


class ImportsConfig(AppConfig):
    name = "retorno.imports"
    label = "imports"

    def ready(self) -> None:
        post_migrate.connect(_restore_suspended_indexes, sender=self)
