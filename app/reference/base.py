"""The building blocks of the reference models: frozen, strict models and shared field types."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.auth.roles import SIGNATORY_ROLES, Role

OnsCode = Annotated[str, Field(pattern=r"^E\d{8}$")]
# Trust codes are slugs because trusts have no ONS code of their own.
TrustCode = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def signatories(roles: tuple[Role, ...]) -> tuple[Role, ...]:
    """The roles, if each may sign for an organisation and none is listed twice."""
    for role in roles:
        if role not in SIGNATORY_ROLES:
            allowed = ", ".join(SIGNATORY_ROLES)
            raise ValueError(f"{role} cannot sign for an organisation (allowed: {allowed})")
    if len(set(roles)) != len(roles):
        raise ValueError("a signing role is listed twice")
    return roles
