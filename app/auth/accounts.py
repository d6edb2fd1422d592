"""Creating people, giving and ending roles, signing in with a password, and API tokens."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.chain import Actor, record
from app.auth.passwords import hash_password, verify_password
from app.auth.principal import Principal, load_principal
from app.auth.roles import ROLE_SCOPE, Role, ScopeKind
from app.db import end_read, own_write
from app.errors import Conflict, InvalidInput, NotFound, NotSignedIn
from app.models import ApiToken, RoleAssignment, User
from app.models.types import utcnow
from app.reference import get_reference

SYSTEM = Actor(None, "RIIA Cycle (command line)")
TOKEN_PREFIX = "riia_"  # noqa: S105  (a visible prefix, not a secret)
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def create_user(
    session: Session, *, email: str, display_name: str, password: str | None, actor: Actor = SYSTEM
) -> User:
    """A new person; email addresses are unique, compared without case."""
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(
            "Enter an email address in the correct format, like name@example.org", field="email"
        )
    exists = session.execute(select(User.id).where(func.lower(User.email) == email)).first()
    if exists:
        raise Conflict(f"There is already an account for {email}.", field="email")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.created",
        summary=f"Account created for {user.display_name}",
        subject_type="user",
        subject_id=user.id,
        payload={"email": email},
    )
    return user


def assign_role(
    session: Session,
    user: User,
    role: Role,
    *,
    region_id: str | None = None,
    organisation_code: str | None = None,
    actor: Actor = SYSTEM,
) -> RoleAssignment:
    """Give a role in the scope its kind needs: an organisation, a region, or none."""
    reference = get_reference()
    kind = ROLE_SCOPE[role]
    if kind is ScopeKind.ORGANISATION:
        if not organisation_code:
            raise InvalidInput(
                f"{role.label} is held in an organisation: name one.", field="organisation"
            )
        region_id = reference.region_of(organisation_code).id
    elif kind is ScopeKind.REGION:
        if region_id not in reference.regions:
            raise InvalidInput(
                f"{role.label} is held in a region: name one of {', '.join(reference.regions)}.",
                field="region",
            )
        organisation_code = None
    else:
        region_id = organisation_code = None
    assignment = RoleAssignment(
        user_id=user.id, role=role.value, region_id=region_id, organisation_code=organisation_code
    )
    session.add(assignment)
    session.flush()
    record(
        session,
        actor=actor,
        action="role.assigned",
        summary=f"{user.display_name} became {role.label}",
        subject_type="user",
        subject_id=user.id,
        region_id=region_id,
        organisation_code=organisation_code,
        payload={"role": role.value},
    )
    return assignment


def end_role(session: Session, assignment: RoleAssignment, *, actor: Actor = SYSTEM) -> None:
    """Hand a role over: the assignment ends, its history stays."""
    if assignment.ended_at is not None:
        raise Conflict("That role has already ended.")
    assignment.ended_at = utcnow()
    record(
        session,
        actor=actor,
        action="role.ended",
        summary=f"Role {assignment.role} ended",
        subject_type="user",
        subject_id=assignment.user_id,
        region_id=assignment.region_id,
        organisation_code=assignment.organisation_code,
        payload={"role": assignment.role},
    )


def link_entra(
    session: Session, user: User, tenant_id: str, object_id: str, *, actor: Actor = SYSTEM
) -> None:
    """Let a person sign in with Microsoft: matched by tenant and object id, never by email."""
    user.oidc_tenant_id, user.oidc_object_id = tenant_id.strip(), object_id.strip()
    session.flush()
    record(
        session,
        actor=actor,
        action="user.entra_linked",
        summary=f"{user.display_name} can sign in with Microsoft",
        subject_type="user",
        subject_id=user.id,
        payload={"tenant_id": user.oidc_tenant_id},
    )


def authenticate(session: Session, email: str, password: str) -> User:
    """The active local account with this email and password, or NotSignedIn."""
    user = session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    # Argon2 takes about a quarter of a second: not inside a transaction, let alone one that
    # holds the write lock.
    end_read(session)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise NotSignedIn("Enter a correct email address and password.", field="email")
    return user


def user_by_email(session: Session, email: str) -> User:
    user = session.execute(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"There is no account for {email}.")
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def create_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal token; the secret is shown once and only its hash is kept."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Enter a name for the token, up to 100 characters.", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=_token_digest(secret), prefix=secret[:12]
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor=Actor(user.id, user.display_name),
        action="api_token.created",
        summary=f"API token “{name}” created",
        subject_type="api_token",
        subject_id=token.id,
    )
    return token, secret


def revoke_api_token(session: Session, principal: Principal, token_id: int) -> ApiToken:
    """Only the token's owner may revoke it; revoking twice is refused."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != principal.user_id:
        raise NotFound("There is no such API token among yours.")
    if token.revoked_at is not None:
        raise Conflict("That API token has already been revoked.")
    token.revoked_at = utcnow()
    record(
        session,
        actor=Actor(principal.user_id, principal.display_name),
        action="api_token.revoked",
        summary=f"API token “{token.name}” revoked",
        subject_type="api_token",
        subject_id=token.id,
    )
    return token


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.execute(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
        ).scalars()
    )


def principal_for_token(session: Session, secret: str) -> Principal:
    """The principal behind a bearer token, or NotSignedIn when unknown or revoked."""
    token = session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(secret))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None:
        raise NotSignedIn("The API token is not recognised or has been revoked.")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise NotSignedIn("The API token's account is not active.")
    principal = load_principal(session, user)
    # Recorded at most once a minute, in a short transaction of its own: reads stay reads.
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        with own_write(session):
            token.last_used_at = now
    return principal
