"""`riia audit …`: check the log, make the signing key, print the signed head to publish."""

from pathlib import Path

import typer
from rich.console import Console

audit_cli = typer.Typer(
    help="The hash-chained audit log and its signed heads.", no_args_is_help=True
)
console = Console()


@audit_cli.command("keygen")
def audit_keygen(
    out: Path = typer.Option(..., help="File to write the new Ed25519 private key to (mode 0600)"),
) -> None:
    """Make the key that signs the chain head. Keep it outside the database and its backups."""
    from app.audit.signing import make_key_file

    try:
        public = make_key_file(out)
    except FileExistsError:
        console.print(f"[red]{out} already exists: a signing key is never overwritten.[/red]")
        raise typer.Exit(1) from None
    console.print(f"Private key written to {out}. Set RIIA_AUDIT_SIGNING_KEY_FILE={out}")
    console.print("Public key, to give whoever checks the log (riia audit verify --public-key):")
    typer.echo(public, nl=False)


@audit_cli.command("head")
def audit_head() -> None:
    """Sign the chain head as it stands and print it as one line of JSON to publish elsewhere."""
    from app.audit.signing import SigningKeyError, sign_current_head
    from app.db import get_sessionmaker

    try:
        with get_sessionmaker().begin() as session:
            head = sign_current_head(session)
    except SigningKeyError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    typer.echo(head.to_json())


@audit_cli.command("verify")
def audit_verify(
    public_key: list[Path] = typer.Option(
        [], help="Public key file(s) to check signatures with; default: the configured key"
    ),
    published: Path | None = typer.Option(
        None, help="File of heads printed by `riia audit head`, one per line, kept elsewhere"
    ),
) -> None:
    """Recompute the chain and check its signed heads; exit 1 naming what was altered."""
    from app.audit.chain import verify
    from app.audit.signed_check import check_signed_heads
    from app.audit.signing import SignedHead, SigningKeyError, load_public_key, signing_key
    from app.db import get_sessionmaker

    try:
        keys = [load_public_key(path) for path in public_key]
        configured = signing_key()
        heads = [
            SignedHead.from_json(line)
            for line in (published.read_text().splitlines() if published else [])
            if line.strip()
        ]
    except (SigningKeyError, OSError, ValueError, KeyError) as error:
        console.print(f"[red]Cannot check the signed heads: {error}[/red]")
        raise typer.Exit(1) from None
    if not keys and configured is not None:
        keys = [configured.public_key()]
    with get_sessionmaker()() as session:
        chain = verify(session)
        signed = check_signed_heads(session, keys, heads)
    if chain.ok:
        console.print(f"Audit chain intact: {chain.checked} entries, head {chain.head_hash[:16]}…")
    else:
        console.print(f"[red]Audit chain broken:[/red] {chain.problem}")
    for problem in signed.problems:
        console.print(f"[red]Signed heads:[/red] {problem}")
    if signed.ok and signed.checked + signed.published_checked:
        unsigned = chain.head_sequence - signed.last_signed_sequence
        console.print(
            f"Signed heads match: {signed.checked} stored, {signed.published_checked} published; "
            f"{unsigned} entries since the last signed head."
        )
    elif signed.ok:
        console.print("No signed heads yet: set RIIA_AUDIT_SIGNING_KEY_FILE to sign them.")
    if not (chain.ok and signed.ok):
        raise typer.Exit(1)
