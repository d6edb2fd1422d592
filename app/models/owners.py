"""The key and the owner every row of a cycle's (or a self-evaluation's) tables starts with.

Most tables belong to one region's cycle, or to one LA's self-evaluation inside it: their rows
are numbered by the database and carry their owner's key, always as the first two columns.
"""

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# Before the table's own columns, whatever order the classes are declared in.
_KEY_FIRST = -2
_OWNER_SECOND = -1


class InCycle:
    """A row of one region's cycle."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=_KEY_FIRST)

    @declared_attr
    def cycle_id(cls) -> Mapped[int]:
        # A foreign key cannot be shared between tables as one Column object: one per table.
        return mapped_column(ForeignKey("cycle.id"), sort_order=_OWNER_SECOND)


class InSelfEvaluation:
    """A row of one LA's self-evaluation."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=_KEY_FIRST)

    @declared_attr
    def self_evaluation_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("self_evaluation.id"), sort_order=_OWNER_SECOND)
