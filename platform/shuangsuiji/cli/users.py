"""`ssj users create|grant|list|password|token|revoke-token`: accounts."""

from __future__ import annotations

import sys

import click

from shuangsuiji.cli.common import SsjGroup, session
from shuangsuiji.models.accounts import ROLES
from shuangsuiji.services import accounts


def _read_password(from_stdin: bool) -> str:
    """The new password: first line of stdin (for scripts), or asked twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("users", cls=SsjGroup)
def users() -> None:
    """Accounts and their roles."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--tenant", default=None, metavar="SLUG",
              help="Tenant of the role (every role but central_admin).")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--department", default="", help="Limit an operator or viewer to a department.")
@click.option("--inspector-code", default=None, help="Inspector directory code (inspector).")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def create(username: str, role: str, tenant: str | None, display_name: str, department: str,
           inspector_code: str | None, password_stdin: bool) -> None:
    """Create an account (the first central admin: --role central_admin)."""
    password = _read_password(password_stdin)
    with session() as (s, _):
        user = accounts.create_user(s, username=username, password=password, role=role,
                                    tenant=tenant, display_name=display_name,
                                    department=department, inspector_code=inspector_code)
        where = f" in {tenant}" if tenant else " (every tenant)"
        click.echo(f"created user {user.username}: {role}{where}")


@users.command("grant")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--tenant", default=None, metavar="SLUG")
@click.option("--department", default="")
@click.option("--inspector-code", default=None)
def grant(username: str, role: str, tenant: str | None, department: str,
          inspector_code: str | None) -> None:
    """Give an existing account another role."""
    with session() as (s, _):
        user = accounts.get_user(s, username)
        accounts.grant(s, user, role=role, tenant=tenant, department=department,
                       inspector_code=inspector_code)
        click.echo(f"{username}: granted {role}" + (f" in {tenant}" if tenant else ""))


@users.command("list")
def list_() -> None:
    """List accounts and their roles."""
    with session() as (s, _):
        from shuangsuiji.services import tenants as tenant_service

        slugs = {t.id: t.slug for t in tenant_service.all_tenants(s)}
        rows = accounts.all_users(s)
        if not rows:
            click.echo("no accounts yet: ssj users create admin --role central_admin")
        for u in rows:
            roles = ", ".join(
                g.role + (f"@{slugs.get(g.tenant_id, '?')}" if g.tenant_id else "")
                + (f"/{g.department}" if g.department else "")
                for g in u.grants
            )
            state = "" if u.active else " (disabled)"
            click.echo(f"{u.username:<20} {roles}{state}")


@users.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def password(username: str, password_stdin: bool) -> None:
    """Set a new password (ends the user's sessions)."""
    new = _read_password(password_stdin)
    with session() as (s, _):
        accounts.set_password(s, accounts.get_user(s, username), new)
        click.echo(f"password of {username} changed")


@users.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable an account: no sign-in, sessions end, API tokens stop working."""
    with session() as (s, _):
        accounts.set_active(s, accounts.get_user(s, username), False)
        click.echo(f"{username} disabled")


@users.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Enable a disabled account again."""
    with session() as (s, _):
        accounts.set_active(s, accounts.get_user(s, username), True)
        click.echo(f"{username} enabled")


@users.command("token")
@click.argument("username")
@click.option("--name", default="", help="What the token is for.")
@click.option("--tenant", default=None, metavar="SLUG",
              help="Limit the token to the account's roles in this tenant.")
def token(username: str, name: str, tenant: str | None) -> None:
    """Issue an API token. It is printed once and only its hash is kept.

    With --tenant the token carries only the account's roles in that tenant (recommended
    for an account holding roles in several tenants)."""
    with session() as (s, _):
        issued = accounts.issue_token(s, accounts.get_user(s, username), name, tenant=tenant)
    click.echo(issued.token)
    click.echo("store it now: it cannot be shown again "
               "(use it as `Authorization: Bearer <token>`)", err=True)


@users.command("revoke-token")
@click.argument("username")
@click.argument("prefix")
def revoke_token(username: str, prefix: str) -> None:
    """Revoke a token by its first characters (as shown when it was issued)."""
    with session() as (s, _):
        accounts.revoke_token(s, accounts.get_user(s, username), prefix)
        click.echo(f"revoked {prefix}")


commands: list[click.Command] = [users]
