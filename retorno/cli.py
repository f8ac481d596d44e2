"""The ``retorno`` console command: Django's manage.py under the project's name."""

import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Let the command work from any folder of an editable checkout.
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["retorno", *sys.argv[1:]])
