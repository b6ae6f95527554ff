"""The flask commands: thin wrappers that parse, call a service and print."""

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from compete.accounts import services as accounts
from compete.accounts.models import Role, User
from compete.audit import services as audit
from compete.errors import CompeteError
from compete.extensions import db
from compete.rules.grades import GRADE_CODES
from compete.rules.levels import LEVEL_CODES


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(demo)
    app.cli.add_command(registrations)
    app.cli.add_command(jobs)
    app.cli.add_command(worker)
    app.cli.add_command(scenario)
    app.cli.add_command(results)
    app.cli.add_command(policy)
    app.cli.add_command(certificates)
    app.cli.add_command(archive)


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role", type=click.Choice([role.value for role in Role]), default=Role.ORGANIZER.value, show_default=True
)
@click.option("--name", "display_name", default="", help="Full name shown in the interface and the audit log.")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user(username: str, role: str, display_name: str, password: str) -> None:
    """Create an account, e.g. the first system administrator."""
    try:
        user = accounts.create_user(
            None, username=username, password=password, display_name=display_name or username, role=Role(role)
        )
    except CompeteError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"created {user.role.value} {user.username} (id {user.id})")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only when the database has no accounts yet.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo accounts, registry and competitions, and print the demo log-ins."""
    from compete import demo as demo_data

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("database already has data: demo not loaded")
    else:
        demo_data.load()
        db.session.commit()
        click.echo("demo data loaded")
    click.echo("demo log-ins (username / password):")
    for username, password, role in demo_data.ACCOUNTS:
        click.echo(f"  {username:<12} {password:<16} {role.value}")


@click.group("registrations")
def registrations() -> None:
    """Registrations of competition events."""


@registrations.command("import")
@click.argument("competition_id", type=int)
@click.argument("event_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Import the valid rows; without it the file is only checked.")
@with_appcontext
def import_registrations(competition_id: int, event_code: str, file: Path, commit: bool) -> None:
    """Check every row of an .xlsx sheet and print JSON {valid, errors, imported}."""
    from compete.competitions.models import Event
    from compete.registration import importing

    event = db.session.scalar(select(Event).where(Event.competition_id == competition_id, Event.code == event_code))
    if event is None:
        raise click.ClickException(f"no event {event_code} in competition {competition_id}")
    try:
        check = importing.check_import(event, file)
    except CompeteError as error:
        raise click.ClickException(str(error.message)) from error
    imported = importing.import_registrations(None, event, check, file_name=file.name) if commit else 0
    db.session.commit()
    click.echo(
        json.dumps(
            {"valid": len(check.planned), "errors": check.errors, "imported": imported}, ensure_ascii=False, indent=1
        )
    )


@click.group("scenario")
def scenario() -> None:
    """Scenario files: whole competitions, marks to results."""


def _owner(username: str | None) -> User:
    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no user {username}")
        return user
    for role in (Role.ADMIN, Role.ORGANIZER):
        user = db.session.scalar(select(User).where(User.role == role).order_by(User.id))
        if user is not None:
            return user
    raise click.ClickException("create an admin or organizer account first (flask create-user)")


@scenario.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--finalize", is_flag=True, help="Publish with no publicity period, finalize and apply the policy.")
@click.option("--owner", help="Username of the organizer who owns the competition (default: the first admin).")
@with_appcontext
def load_scenario(file: Path, finalize: bool, owner: str | None) -> None:
    """Load a whole competition; print the new competition's id alone on the last line."""
    from decimal import Decimal

    from compete.scenarios import loader
    from compete.scenarios.schema import ScenarioError

    try:
        content = json.loads(file.read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise click.ClickException(f"$: not valid JSON ({error})") from error
    try:
        competition_id = loader.load(content, _owner(owner), finalize=finalize)
    except ScenarioError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(competition_id)


@click.group("results")
def results() -> None:
    """Results of competitions."""


@results.command("export")
@click.argument("competition_id", type=int)
@with_appcontext
def export_results(competition_id: int) -> None:
    """Print a competition's results as JSON, each event ordered by rank."""
    from compete.competitions.models import Competition
    from compete.honours import services as honours
    from compete.results import services as results_services

    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(f"no competition {competition_id}")
    exported = results_services.results_export(competition, honours.export_fields(competition))
    rows = sum(len(event["results"]) for event in exported["events"])
    results_services.record_export(None, competition, "json", rows=rows)
    db.session.commit()
    click.echo(json.dumps(exported, ensure_ascii=False, indent=1))


@click.group("policy")
def policy() -> None:
    """Promotion and honours policies (the published presets)."""


@policy.command("list")
def list_policies() -> None:
    """Print every preset as JSON, with its source, version, switches and rules."""
    from compete.rules import policy as policies

    click.echo(json.dumps([policies.to_data(p) for p in policies.presets()], ensure_ascii=False, indent=1))


@policy.command("evaluate")
@click.option("--preset", "preset_id", required=True, help="A preset id, as `policy list` prints them.")
@click.option("--level", required=True, type=click.Choice(LEVEL_CODES), help="The competition's level.")
@click.option("--group", required=True, type=click.Choice(["worker", "student"]))
@click.option("--rank", required=True, type=click.IntRange(min=1))
@click.option("--entrants", required=True, type=click.IntRange(min=1), help="Ranked competitors of the event.")
@click.option("--grade", required=True, type=click.Choice(GRADE_CODES), help="The grade the competitor holds.")
@click.option("--total", help="Total score: the pass mark is checked; without it the result is taken as a pass.")
@click.option("--pass-mark", default="60", show_default=True, help="Pass mark, used with --total.")
@click.option("--promoted-this-year", is_flag=True, help="Already promoted by a competition this calendar year.")
def evaluate_policy(preset_id, level, group, rank, entrants, grade, total, pass_mark, promoted_this_year) -> None:
    """Print the titles, nominations and promotion a preset gives one result, with the reasons (JSON)."""
    from compete.rules import policy as policies

    try:
        chosen = policies.preset(preset_id)
    except KeyError:
        ids = ", ".join(p.id for p in policies.presets())
        raise click.ClickException(f"no preset {preset_id!r}; presets: {ids}") from None
    if rank > entrants:
        raise click.ClickException(f"rank {rank} is beyond the {entrants} entrants")
    try:
        standing = policies.standing_of(
            chosen, level, group, rank, entrants, grade, total, pass_mark, promoted_this_year=promoted_this_year
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    effects = policies.evaluate(chosen, standing)
    promotion = {"from": effects.promotion[0], "to": effects.promotion[1]} if effects.promotion else None
    reasons = [reason.describe() for reason in effects.reasons]
    if effects.proposed:
        reasons.append("proposed: the promotion needs an organizer's confirmation")
    output = {"titles": list(effects.titles), "nominations": list(effects.nominations), "promotion": promotion}
    click.echo(json.dumps({**output, "reasons": reasons}, ensure_ascii=False, indent=1))


@click.group("jobs")
def jobs() -> None:
    """Background jobs (imports of big sheets)."""


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@with_appcontext
def jobs_worker(burst: bool) -> None:
    """Run an RQ worker for the jobs queue; needs COMPETE_REDIS_URL."""
    _run_worker(burst)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty instead of waiting for more.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run an RQ worker for the jobs queue (same as `jobs worker`); needs COMPETE_REDIS_URL."""
    _run_worker(burst)


def _run_worker(burst: bool) -> None:
    from flask import current_app
    from redis import Redis

    from compete.jobs import runner
    from compete.jobs import services as job_services

    config = current_app.config
    if not config["REDIS_URL"]:
        raise click.ClickException("COMPETE_REDIS_URL is not set: without Redis, jobs run inside the app server")
    # Jobs left running by a worker that died with its machine are failed now, not shown as running forever.
    if failed := job_services.fail_interrupted_jobs():
        click.echo(f"{failed} interrupted job(s) marked failed", err=True)
    db.session.commit()
    connection = Redis.from_url(config["REDIS_URL"])
    runner.worker_class()([config["JOBS_QUEUE"]], connection=connection).work(burst=burst)


@click.group("certificates")
def certificates() -> None:
    """Certificates of final outcomes: issue them, print them."""


def _competition(competition_id: int):
    from compete.competitions.models import Competition

    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise click.ClickException(f"no competition {competition_id}")
    return competition


@certificates.command("issue")
@click.argument("competition_id", type=int)
@with_appcontext
def issue_certificates(competition_id: int) -> None:
    """Issue the certificate of every final outcome (again: the same ones) and print them as JSON."""
    from compete.certificates import printing
    from compete.certificates import services as certificate_services

    competition = _competition(competition_id)
    try:
        with printing.url_context():
            issued = certificate_services.issue_certificates(None, competition)
            listed = [
                {
                    "number": certificate.number,
                    "kind": certificate.kind.value,
                    "id_number": certificate.person.id_number,
                    "verify_url": printing.verify_url(certificate.token),
                }
                for certificate in issued
            ]
    except CompeteError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    audit.record_export(None, "certificate_list", competition, rows=len(listed), competition_id=competition.id)
    db.session.commit()
    click.echo(json.dumps(listed, ensure_ascii=False, indent=1))


@certificates.command("print")
@click.argument("competition_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def print_certificates(competition_id: int, out: Path) -> None:
    """Write every valid certificate of the competition as one print-ready PDF."""
    from compete.certificates import fonts, printing
    from compete.certificates import services as certificate_services

    competition = _competition(competition_id)
    for warning in fonts.missing_font_warnings():
        click.echo(f"warning: {warning}", err=True)
    valid = certificate_services.valid_certificates(competition_id=competition.id)
    try:
        with printing.url_context():
            pdf = printing.certificates_pdf(valid, title=competition.name)
    except CompeteError as error:
        raise click.ClickException(str(error.message)) from error
    out.write_bytes(pdf)
    audit.record_export(None, "certificate_print", competition, rows=len(valid), competition_id=competition.id)
    db.session.commit()
    click.echo(f"wrote {len(valid)} certificates to {out}")


@click.group("archive")
def archive() -> None:
    """Competition archives: one file carrying a whole competition to another installation."""


@archive.command("export")
@click.argument("competition_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_archive(competition_id: int, out: Path) -> None:
    """Write the competition, its people, marks, results, outcomes and certificates to one archive file."""
    from compete.archive import services as archives

    competition = _competition(competition_id)
    data = archives.export_competition(None, competition)
    out.write_bytes(data)
    db.session.commit()  # the audit entry of the export
    click.echo(f"wrote {len(data)} bytes to {out}")


@archive.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", help="Username of the organizer who will own it (default: the first admin).")
@with_appcontext
def import_archive(file: Path, owner: str | None) -> None:
    """Import an archive as a new competition; print the new competition's id alone on the last line."""
    from compete.archive import services as archives

    try:
        competition = archives.import_archive(_owner(owner), file.read_bytes())
    except CompeteError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(competition.id)
