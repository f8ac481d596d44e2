"""Errors that services raise and every entry point turns into a translated message."""

from django.utils.translation import gettext_lazy as _


class NotFound(Exception):
    """The record does not exist, or the user may not know that it does."""


class StaleEdit(Exception):
    """Somebody else saved the record after this edit began."""

    message = _(
        "Somebody else changed this record while you were editing it. "
        "Your changes have not been saved; they are shown below next to the current values."
    )
