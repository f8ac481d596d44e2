"""Writes that refuse to overwrite somebody else's newer save."""

from typing import Any

from django.db.models import F, Model
from django.utils import timezone

from retorno.core.errors import StaleEdit


def update_if_current(record: Model, version: int | None, **values: Any) -> None:
    """Write values to the record's row unless somebody saved it after `version`; reload it.

    The version check and the write are one statement, so two editors cannot both
    win: the loser gets StaleEdit and nothing of theirs is written.
    """
    if version is None:
        raise StaleEdit()
    if hasattr(record, "updated_at") and "updated_at" not in values:
        values["updated_at"] = timezone.now()
    updated = (
        type(record)
        ._default_manager.filter(pk=record.pk, version=version)
        .update(version=F("version") + 1, **values)
    )
    if not updated:
        raise StaleEdit()
    record.refresh_from_db()
