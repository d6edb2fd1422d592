"""Explicit builders for test data, through the same service functions users go through."""

import itertools

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth import accounts
from app.auth.principal import Principal, load_principal
from app.auth.roles import Role
from app.cycles import service as cycles
from app.cycles.schemas import OpenCycleInput
from app.models import Cycle, MouVersion, User
from app.mou import service as mou
from app.mou.schemas import DraftInput, PublishInput, SignInput
from app.reference import get_reference

PASSWORD = "correct horse battery staple"
REGION = "east-midlands"
YEAR = "2026-27"
_counter = itertools.count(1)


def make_user(
    session: Session,
    role: Role | None = None,
    *,
    region: str | None = None,
    organisation: str | None = None,
    name: str | None = None,
) -> User:
    n = next(_counter)
    user = accounts.create_user(
        session,
        email=f"person{n}@test.example",
        display_name=name or f"Test Person {n}",
        password=PASSWORD,
    )
    if role is not None:
        accounts.assign_role(session, user, role, region_id=region, organisation_code=organisation)
    return user


def principal(session: Session, user: User) -> Principal:
    return load_principal(session, user)


def coordinator(session: Session, region: str = REGION) -> Principal:
    return principal(session, make_user(session, Role.REGIONAL_COORDINATOR, region=region))


def signatory(session: Session, organisation: str, role: Role) -> Principal:
    return principal(session, make_user(session, role, organisation=organisation))


def open_cycle(session: Session, by: Principal | None = None, region: str = REGION) -> Cycle:
    return cycles.open_cycle(
        session, by or coordinator(session, region), region, OpenCycleInput(year=YEAR)
    )


def publish_from_template(
    session: Session, cycle: Cycle, by: Principal, extra: str = ""
) -> MouVersion:
    title, body, revision = mou.editor_source(session, cycle)
    draft = mou.save_draft(
        session, by, cycle, DraftInput(title=title, body=body + extra, revision=revision)
    )
    return mou.publish(session, by, cycle, PublishInput(content_hash=draft.content_hash))


def sign(session: Session, cycle: Cycle, who: Principal, organisation: str, role: Role) -> None:
    current = mou.published_of(session, cycle)
    assert current is not None
    mou.sign(
        session,
        who,
        cycle,
        SignInput(
            organisation_code=organisation,
            role=role,
            content_hash=current.content_hash,
            confirm=True,
        ),
    )


def sign_everyone(
    session: Session, cycle: Cycle, skip: set[tuple[str, Role]] = frozenset()
) -> None:  # type: ignore[assignment]
    region = get_reference().regions[cycle.region_id]
    for organisation in region.organisations:
        for role in organisation.signing_roles:
            if (organisation.code, role) not in skip:
                sign(
                    session,
                    cycle,
                    signatory(session, organisation.code, role),
                    organisation.code,
                    role,
                )


def token_for(session: Session, user: User) -> dict[str, str]:
    _, secret = accounts.create_api_token(session, user, "tests")
    return {"Authorization": f"Bearer {secret}"}


def sign_in(client: TestClient, user: User) -> None:
    from tests.conftest import check_page

    page = client.get("/sign-in")
    token = check_page(page.text).csrf_tokens[0]
    response = client.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 303, response.text


def csrf(client: TestClient, path: str) -> str:
    from tests.conftest import check_page

    page = client.get(path)
    assert page.status_code == 200, page.text
    return check_page(page.text).csrf_tokens[0]


def calendar_form(**changes: str) -> dict[str, str]:
    """The calendar page's fields as the region's defaults fill them, with `changes` applied."""
    from datetime import timedelta

    from app.returns.periods import quarters_of

    region = get_reference().regions[REGION]
    windows = dict(region.default_calendar(YEAR))
    for quarter in quarters_of(YEAR):
        due = region.data_terms.returns_due_days
        windows[f"return-{quarter.slug}"] = (
            quarter.ends_on + timedelta(days=1),
            quarter.ends_on + timedelta(days=due),
        )
    form: dict[str, str] = {}
    for key, (opens, closes) in windows.items():
        for edge, day in (("opens", opens), ("closes", closes)):
            form[f"{key}-{edge}-day"] = str(day.day)
            form[f"{key}-{edge}-month"] = str(day.month)
            form[f"{key}-{edge}-year"] = str(day.year)
    form.update(changes)
    return form
