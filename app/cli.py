"""The command line: serve, demo, audit, users and tokens, database, outbox and pack worker."""

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from app import cli_packs
from app.audit.cli import audit_cli
from app.auth.roles import Role

cli = typer.Typer(
    help="RIIA Cycle: the annual sector-led improvement cycle of a RIIA.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
users_cli = typer.Typer(help="Create people and give them roles.", no_args_is_help=True)
tokens_cli = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
outbox_cli = typer.Typer(help="Email waiting to be sent.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
cli.add_typer(tokens_cli, name="tokens")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(db_cli, name="db")
cli.add_typer(outbox_cli, name="outbox")
benchmarks_cli = typer.Typer(help="Benchmarking tables.", no_args_is_help=True)
cli.add_typer(benchmarks_cli, name="benchmarks")
cli.command("worker")(cli_packs.worker)
cli.command("prune-packs")(cli_packs.prune_packs)
console = Console()


def _database_url() -> str:
    from app.settings import get_settings

    return get_settings().database_url


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the latest migration."""
    from app.schema import upgrade

    url = _database_url()
    _ensure_sqlite_folder(url)
    upgrade(url)
    console.print("Database is up to date.")


def _serve_demonstration_as_such() -> None:
    """A database holding the demonstration is served saying so; production refuses it."""
    from app.demo_notice import DemonstrationInProductionError, notice_if_demonstration

    try:
        if notice_if_demonstration():
            console.print("This database holds the demonstration: every page and pack says so.")
    except DemonstrationInProductionError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the web pages and the API."""
    import uvicorn

    from app.settings import get_settings

    _serve_demonstration_as_such()
    trusted_proxies = get_settings().forwarded_allow_ips
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Behind a reverse proxy every request comes from the proxy: the sign-in throttle would
        # count a whole council as one address. Trust X-Forwarded-For from the named proxies only.
        proxy_headers=trusted_proxies is not None,
        forwarded_allow_ips=trusted_proxies,
        # A worker told to stop (SIGTERM) finishes what it has, then goes, well inside 10 s.
        timeout_graceful_shutdown=get_settings().shutdown_grace_seconds,
    )


@users_cli.command("create")
def users_create(
    email: str,
    name: str,
    password: str = typer.Option(
        None,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Leave empty for an Entra ID-only account",
    ),
) -> None:
    """Create a local account."""
    from app.auth import accounts
    from app.db import get_sessionmaker

    with get_sessionmaker().begin() as session:
        user = accounts.create_user(
            session, email=email, display_name=name, password=password or None
        )
        console.print(f"Created {user.display_name} <{user.email}>.")


@users_cli.command("assign")
def users_assign(
    email: str, role: Role, region: str = typer.Option(None), organisation: str = typer.Option(None)
) -> None:
    """Give a person a role in a region or organisation (ONS code, or a Trust's code)."""
    from app.auth import accounts
    from app.db import get_sessionmaker

    with get_sessionmaker().begin() as session:
        user = accounts.user_by_email(session, email)
        accounts.assign_role(session, user, role, region_id=region, organisation_code=organisation)
        console.print(f"{user.display_name} is now {role.label}.")


@users_cli.command("link-entra")
def users_link_entra(
    email: str, tenant: str = typer.Option(...), object_id: str = typer.Option(...)
) -> None:
    """Let a person sign in with Microsoft Entra ID (their tenant id and object id)."""
    from app.auth import accounts
    from app.db import get_sessionmaker

    with get_sessionmaker().begin() as session:
        user = accounts.user_by_email(session, email)
        accounts.link_entra(session, user, tenant, object_id)
        console.print(f"{user.display_name} can now sign in with Microsoft.")


@tokens_cli.command("create")
def tokens_create(email: str, name: str) -> None:
    """Create a personal API token; the secret is shown once."""
    from app.auth import accounts
    from app.db import get_sessionmaker

    with get_sessionmaker().begin() as session:
        user = accounts.user_by_email(session, email)
        _, secret = accounts.create_api_token(session, user, name)
    console.print(f"Token for {email} (shown once): {secret}")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send queued email with the configured backend (console in development)."""
    from app.db import get_sessionmaker
    from app.outbox import send_pending

    with get_sessionmaker().begin() as session:
        sent, failed = send_pending(session)
    console.print(f"Sent {sent}; {failed} failed and will be retried.")


def _accounts_table(people: list) -> Table:  # type: ignore[type-arg]
    from app.demo import DEMO_PASSWORD

    table = Table(title=f"Demo accounts (password for all: {DEMO_PASSWORD})")
    table.add_column("Email")
    table.add_column("Role")
    for person in people:
        table.add_row(person.email, person.roles)
    return table


def _demo_day(today: str | None) -> date:
    from app import clock

    try:
        return date.fromisoformat(today) if today else clock.today()
    except ValueError as exc:
        console.print(f"[red]--today must be a date like 2026-12-07: {exc}[/red]")
        raise typer.Exit(2) from exc


_TODAY_HELP = "Play the demo as if today were this date (YYYY-MM-DD); the real date by default"


@cli.command("setup-demo")
def setup_demo(today: str | None = typer.Option(None, help=_TODAY_HELP)) -> None:
    """Create the embedded database, load demo people and play the East Midlands up to today."""
    from app import demo
    from app.db import get_sessionmaker
    from app.demo_cycle import play_demo, years_of
    from app.schema import upgrade
    from app.settings import get_settings

    if get_settings().environment == "production":
        console.print(
            "[red]setup-demo loads demonstration accounts and is refused in production.[/red]"
        )
        raise typer.Exit(1)
    from app.demo_notice import serve_as_demonstration

    serve_as_demonstration()
    day = _demo_day(today)
    url = _database_url()
    _ensure_sqlite_folder(url)
    upgrade(url)
    with get_sessionmaker().begin() as session:
        already = demo.has_cycle(session)
    if not already:
        log: list[str] = []
        with get_sessionmaker().begin() as session:
            play_demo(session, day, None, log)
        for line in log:
            console.print(f"• {line}")
    with get_sessionmaker().begin() as session:
        people = demo.load_demo_people(session)
    console.print(_accounts_table(people))
    years = years_of(day)
    console.print(
        f"East Midlands {years.last} is complete and {years.this} is played up to "
        f"{day:%-d %B %Y}. The README says what each account can try today."
    )
    console.print(f"Open {get_settings().base_url} and sign in with any account above.")


@cli.command("demo")
def run_demo(
    out: Path | None = typer.Option(None, help="Folder to write each cycle's packs to"),
    today: str | None = typer.Option(None, help=_TODAY_HELP),
) -> None:
    """Play the East Midlands up to today (last cycle complete) and write the packs to OUT."""
    if "RIIA_DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="riia-demo-")
        os.environ["RIIA_DATABASE_URL"] = f"sqlite:///{folder}/demo.db"
        os.environ.setdefault("RIIA_DATA_DIR", f"{folder}/data")  # supporting documents
    os.environ.setdefault("RIIA_WARM_PACKS", "false")
    # Its packs say on every page that they are a demonstration; production refuses it.
    os.environ["RIIA_DEMO"] = "true"
    from app.audit.chain import verify
    from app.db import get_sessionmaker
    from app.demo_cycle import play_demo
    from app.schema import upgrade

    day = _demo_day(today)
    url = _database_url()
    _ensure_sqlite_folder(url)
    upgrade(url)
    log: list[str] = []
    with get_sessionmaker().begin() as session:
        play_demo(session, day, out, log)
    with get_sessionmaker()() as session:
        result = verify(session)
    for line in log:
        console.print(f"• {line}")
    console.print(
        f"Audit chain: {'intact' if result.ok else result.problem} ({result.checked} entries)"
    )
    console.print(f"Database: {url}")
    if not result.ok:
        raise typer.Exit(1)


@cli.command("import-published")
def import_published(path: Path) -> None:
    """Load the DfE published annual values (England, regions, LAs) as comparators."""
    from app.benchmarks.published import PublishedFileError
    from app.benchmarks.published import import_published as load
    from app.db import get_sessionmaker

    try:
        with get_sessionmaker().begin() as session:
            summary = load(session, path)
    except (OSError, PublishedFileError, ValueError) as exc:
        console.print(f"[red]{path} was not loaded: {exc}[/red]")
        raise typer.Exit(1) from exc
    stored = ", ".join(f"{n} {level}" for level, n in sorted(summary.stored.items()))
    console.print(
        f"Loaded {summary.total} published values for {', '.join(summary.periods)}: {stored}."
    )
    for reason, n in sorted(summary.skipped.items()):
        console.print(f"Skipped {n} rows: {reason}.")


@benchmarks_cli.command("export")
def benchmarks_export(
    region: str = typer.Option(..., help="The region's identifier, e.g. east-midlands"),
    period: str = typer.Option(
        ..., help="A quarter, e.g. '2026-27 Q1', or a reporting year of DfE's published figures"
    ),
) -> None:
    """Write the region's benchmarks for a quarter or reporting year as CSV to standard output."""
    from app.benchmarks.export import benchmarks_csv
    from app.benchmarks.service import region_benchmarks
    from app.db import get_sessionmaker
    from app.reference import get_reference
    from app.returns.periods import ReportingYear, read_period

    if region not in get_reference().regions:
        console.print(f"[red]There is no region “{region}”.[/red]")
        raise typer.Exit(1)
    try:
        chosen = read_period(period)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    with get_sessionmaker()() as session:
        rows = region_benchmarks(session, region, chosen)
    if isinstance(chosen, ReportingYear) and all(r.value is None for r in rows):
        console.print(
            f"[red]No DfE published values are loaded for {chosen}: "
            "load them with riia import-published.[/red]"
        )
        raise typer.Exit(1)
    sys.stdout.write(benchmarks_csv(rows))


returns_cli = typer.Typer(help="Quarterly indicator returns.", no_args_is_help=True)
cli.add_typer(returns_cli, name="returns")


@returns_cli.command("import")
def returns_import(
    file: Path,
    period: str = typer.Option(..., help='The quarter, written like "2026-27 Q1"'),
    region: str = typer.Option(
        None,
        help="The region's id; found from the file's LA codes if left out (a file naming LAs "
        "of several regions is imported for all of them at once)",
    ),
    reason: str = typer.Option(None, help="Why, when the file replaces returns already accepted"),
) -> None:
    """Import a CSV or XLSX return as the upload page does; exit 1, listing every problem, if refused."""
    from app.db import get_sessionmaker
    from app.errors import AlreadyDone, DomainError, FileRejected
    from app.returns import parsing
    from app.returns import service as returns
    from app.returns.periods import Quarter

    def refuse(message: str) -> typer.Exit:
        typer.echo(message, err=True)
        return typer.Exit(1)

    try:
        quarter = Quarter.parse(period)
        content = file.read_bytes()
    except (ValueError, OSError) as exc:
        raise refuse(str(exc)) from None
    try:
        # The command line has no signed-in person: it acts as the coordinator of the file's
        # region, or of each region a national file names (imported in one go, all or nothing).
        regions = [region] if region is not None else []
        if region is None:
            found = parsing.regions_in(parsing.read_table(file.name, content))
            if not found:
                raise refuse("Name the region with --region: the file's LA codes do not name one")
            regions = sorted(found)
        with get_sessionmaker().begin() as session:
            principal = returns.command_line_principal(session, regions)
            result = returns.import_file(
                session,
                principal,
                regions[0] if len(regions) == 1 else None,
                quarter,
                file.name,
                content,
                reason=reason,
            )
    except FileRejected as exc:
        typer.echo(exc.message, err=True)
        for problem in exc.problems:
            where = f"Row {problem.row}" if problem.row is not None else "Whole file"
            typer.echo(f"{where}, column {problem.column}: {problem.message}", err=True)
        raise typer.Exit(1) from None
    except AlreadyDone as exc:
        typer.echo(exc.message)  # the same values again: nothing to do, and that is no failure
        return
    except DomainError as exc:
        raise refuse(exc.message) from None
    typer.echo(result.message)


def main() -> None:
    try:
        cli()
    except Exception as exc:  # a domain refusal reads as a sentence, not a traceback
        from app.errors import DomainError

        if isinstance(exc, DomainError):
            console.print(f"[red]{exc.message}[/red]")
            sys.exit(1)
        raise
