"""Typed helpers that read settings from the environment.

A value may also come from a file named by ``<NAME>_FILE`` (Docker and
systemd secrets), so secrets never have to live in the repository.
"""

import os
import secrets
from pathlib import Path


def envstr(name: str, default: str = "") -> str:
    """Return the variable, or the contents of the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    """Return True for 1/true/yes/on, False for 0/false/no/off."""
    value = envstr(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: int) -> int:
    """Return the variable as an integer."""
    value = envstr(name, "").strip()
    return int(value) if value else default


def envlist(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of stripped items."""
    value = envstr(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def persistent_secret(path: Path) -> str:
    """Return the secret stored at path, generating and keeping one on first use."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    # Create the file readable by its owner only before writing the secret.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value
