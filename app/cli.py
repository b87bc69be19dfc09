"""The `gongjue` command: Flask's commands (run, db …) and the project's own (demo, audit verify, …)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from app.results.cli import verify_command


def _create_app() -> Flask:
    from app import create_app
    from app.config import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as error:
        click.echo(f"Gongjue cannot start: {error}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Gongjue (共决): owners' assemblies and owners' committee elections."""


@main.command("tally", with_appcontext=False)
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("--format", "output", type=click.Choice(["json", "text"]), default="json", show_default=True)
def tally_command(case_file: str, output: str) -> None:
    """Count a tally case (gongjue.tally-case/1) and print the result; needs no database or configuration.

    Exit 0 with the result, or 2 with a message naming what is wrong with the case. The console script runs it
    without this group (app.console: no Flask to import); this entry is its help and the test runner's.
    """
    from app.tally_command import run

    status = run([case_file, "--format", output])
    if status:
        sys.exit(status)


main.add_command(verify_command)


def register_commands(app: Flask) -> None:
    """Commands that need the app (a database, configuration)."""

    def _print_voter_link(base_url: str) -> None:
        from app.demo.voting import demo_owner_phone, demo_voter_link

        found = demo_voter_link(base_url)
        if found is None:
            click.echo("No demo vote in this database (梅园小区 is missing).")
            return
        link, who, tail = found
        click.echo(f"Vote as an owner of 梅园小区 on a phone: {link}")
        click.echo(f"  ({who}; the last six characters of the ID number: {tail})")
        phone = demo_owner_phone()
        if phone:
            click.echo(f"The same owner's own pages: {base_url.rstrip('/')}/owner/sign-in with the number {phone}")
            click.echo("  (the code is not sent: log in as admin and open 'Owners' sign-in codes')")

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds a township.")
    @click.option("--base-url", default="http://127.0.0.1:5000", show_default=True, help="Printed in the voter's link.")
    @click.option(
        "--link/--no-link",
        default=True,
        show_default=True,
        help="Print a voter's link (make run prints it with demo-link instead, on the port it serves).",
    )
    @with_appcontext
    def demo(if_empty: bool, base_url: str, link: bool) -> None:
        """Load the demo township, its officials and three communities, print the logins and a voter's link."""
        from app.demo.loader import DEMO_PASSWORD, database_is_empty, load_demo

        if app.config["GONGJUE_ENV"] == "production":
            raise click.ClickException("The demo is never loaded in production.")
        if if_empty and not database_is_empty():
            click.echo("The database is not empty; the demo was not loaded.")
            return
        logins = load_demo()
        click.echo(f"Demo loaded. Every demo account's password is: {DEMO_PASSWORD}")
        for username, description in logins:
            click.echo(f"  {username:<16} {description}")
        if link:
            _print_voter_link(base_url)

    @app.cli.command("demo-link")
    @click.option("--base-url", default="http://127.0.0.1:5000", show_default=True, help="Printed in the voter's link.")
    @with_appcontext
    def demo_link(base_url: str) -> None:
        """Print a fresh personal link of a demo owner of 梅园小区 (earlier ones stop working)."""
        if app.config["GONGJUE_ENV"] == "production":
            raise click.ClickException("The demo is never used in production.")
        _print_voter_link(base_url)

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--name", "display_name", default="Administrator")
    @click.password_option()
    @with_appcontext
    def create_admin(username: str, display_name: str, password: str) -> None:
        """Create a platform administrator."""
        from app.auth.services import create_admin as create
        from app.errors import DomainError
        from app.extensions import db

        try:
            create(username, display_name, password)
        except DomainError as error:
            raise click.ClickException(str(error.message)) from error
        db.session.commit()
        click.echo(f"Administrator {username} created.")

    @app.cli.group("holidays")
    def holidays_group() -> None:
        """The holiday calendar (working days, notice periods, deadlines)."""

    @holidays_group.command("add")
    @click.argument("document", type=click.File("rb"))
    @with_appcontext
    def holidays_add(document: Any) -> None:
        """Add a year's holiday arrangement (JSON, as in app/rules/holidays/README.md) once its notice is out, and
        recompute the open dates reckoned provisionally (also on the administrators' page "节假日安排")."""
        from app.calendar.recompute import add_year_and_recompute
        from app.errors import DomainError
        from app.extensions import db
        from app.roll.services import today

        try:
            loaded = json.loads(document.read().decode("utf-8-sig"))
            if not isinstance(loaded, dict):
                raise ValueError("the file must hold one JSON year document")
            moves = add_year_and_recompute(loaded, today(), None)
        except (DomainError, ValueError) as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Holiday calendar for {loaded['year']} added.")
        for move in moves:
            click.echo(f"  community {move.community_id}: {move.subject} {move.before} -> {move.after}")

    @holidays_group.command("list")
    @with_appcontext
    def holidays_list() -> None:
        """The years the calendar covers, and where each comes from."""
        from app.calendar.services import year_overview
        from app.roll.services import today

        for row in year_overview(today()).rows:
            click.echo(f"{row.year}: {row.source if row.state == 'official' else row.state}")

    @app.cli.group("keys")
    def keys_group() -> None:
        """The Ed25519 signing keys of the platform, townships and conveners (docs/results.md)."""

    @keys_group.command("list")
    @with_appcontext
    def keys_list() -> None:
        """Every public key ever used (as /keys.json publishes them)."""
        from app.results.keys import published_keys

        for key in published_keys()["keys"]:
            owner = f"township {key['township']}" if key["township"] else f"community {key['community']}"
            owner = owner if key["township"] or key["community"] else "platform"
            state = f"retired {key['retired_at']}" if key["retired_at"] else "in force"
            click.echo(f"{key['id']}  {key['role']:<9} {owner:<14} created {key['created_at']}  {state}")

    @keys_group.command("rotate")
    @click.argument("role", type=click.Choice(["platform", "township", "convener"]))
    @click.option("--township", "township_id", type=int, help="The township whose key is rotated (role township).")
    @click.option("--community", "community_id", type=int, help="The community whose convener key is rotated.")
    @with_appcontext
    def keys_rotate(role: str, township_id: int | None, community_id: int | None) -> None:
        """Retire the key in force and make a new one; packages signed before keep verifying (audited)."""
        from app.extensions import db
        from app.results.keys import rotate

        needed = {"platform": (None, None), "township": (township_id, None), "convener": (None, community_id)}[role]
        if (township_id, community_id) != needed or (role != "platform" and not any(needed)):
            raise click.UsageError("platform: no option; township: --township ID; convener: --community ID")
        key = rotate(role, township_id=township_id, community_id=community_id)
        db.session.commit()
        click.echo(f"New {role} key in force: {key.key_id}")

    @app.cli.group("audit")
    def audit_group() -> None:
        """The audit log."""

    @audit_group.command("verify")
    @with_appcontext
    def audit_verify() -> None:
        """Walk the audit hash chain; exit 1 and name the first broken event if it is broken."""
        from app.audit.services import run_verification
        from app.extensions import db

        check = run_verification("cli")
        db.session.commit()
        if check.is_ok:
            click.echo(f"Audit chain intact: {check.links_checked} events verified.")
            return
        click.echo(
            f"Audit chain BROKEN at event seq={check.first_broken_seq} ({check.reason}); "
            f"{check.links_checked} events before it are intact.",
            err=True,
        )
        sys.exit(1)
