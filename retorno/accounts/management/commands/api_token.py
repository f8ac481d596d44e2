"""Create, list and revoke personal API tokens from the command line."""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from retorno.accounts.models import ApiToken
from retorno.accounts.services import api_token_create, api_token_revoke
from retorno.core.audit import command_actor


class Command(BaseCommand):
    help = (
        "Manage a user's Retorno API tokens: 'create USERNAME --name NAME' prints the "
        "secret once; 'list USERNAME'; 'revoke TOKEN_ID'."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print its secret once.")
        create.add_argument("username")
        create.add_argument("--name", default="command line", help="What the token is for.")
        listing = sub.add_parser("list", help="List a user's tokens (never their secrets).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen action."""
        action = options["action"]
        if action == "create":
            self._create(options["username"], options["name"])
        elif action == "list":
            self._list(options["username"])
        else:
            self._revoke(options["token_id"])

    def _user(self, username: str) -> Any:
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user called {username!r}.") from exc

    def _create(self, username: str, name: str) -> None:
        user = self._user(username)
        try:
            token, secret = api_token_create(actor=command_actor(), user=user, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Created token {token.pk} '{token.name}' for {username}. "
            "Copy the secret now: it is not shown again."
        )
        self.stdout.write(secret)

    def _list(self, username: str) -> None:
        user = self._user(username)
        for token in ApiToken.objects.filter(user=user):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.name}\t"
                f"created {token.created_at:%Y-%m-%d}\tlast used {used}\t{state}"
            )

    def _revoke(self, token_id: int) -> None:
        try:
            token = ApiToken.objects.get(pk=token_id)
        except ApiToken.DoesNotExist as exc:
            raise CommandError(f"No token with id {token_id}.") from exc
        api_token_revoke(actor=command_actor(), token=token)
        self.stdout.write(f"Revoked token {token.pk} '{token.name}'.")
