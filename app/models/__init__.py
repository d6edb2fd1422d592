"""Every model, imported so the metadata is complete for Alembic and the tests."""

from app.models.audit import AuditEvent, AuditHead, AuditHeadSignature
from app.models.challenge import (
    ChallengeAccuracyComment,
    ChallengeAgreementEvent,
    ChallengeAttendee,
    ChallengeMeeting,
    ChallengeRecord,
    ChallengeRecordVersion,
    ChallengeShare,
    ChallengeWithdrawal,
    Kloe,
    TriadReviewer,
)
from app.models.cycle import Cycle, StageWindow
from app.models.identity import ApiToken, RoleAssignment, User, WebSession
from app.models.indicators import (
    FiguresVersion,
    ImportedFile,
    IndicatorReturn,
    PublishedValue,
    ReturnOverride,
    ReturnValue,
    ReturnWindow,
)
from app.models.mou import MouReview, MouSignatureEvent, MouVersion
from app.models.outbox import OutboxMessage, RenderedPack
from app.models.pack_job import PackJob
from app.models.plans import (
    LaPlan,
    LaPlanComment,
    LaPlanResponse,
    LaPlanSignOffEvent,
    LaPlanVersion,
)
from app.models.sef import (
    SefComment,
    SefContributor,
    SefResponse,
    SefSignOffEvent,
    SefVersion,
    SelfEvaluation,
)
from app.models.sef_documents import SefDocument
from app.models.triads import Triad, TriadMember

__all__ = [
    "ChallengeAccuracyComment",
    "ChallengeAgreementEvent",
    "ChallengeAttendee",
    "ChallengeMeeting",
    "ChallengeRecord",
    "ChallengeRecordVersion",
    "ChallengeShare",
    "ChallengeWithdrawal",
    "Kloe",
    "LaPlan",
    "LaPlanComment",
    "LaPlanResponse",
    "LaPlanSignOffEvent",
    "LaPlanVersion",
    "FiguresVersion",
    "ImportedFile",
    "IndicatorReturn",
    "PublishedValue",
    "ReturnOverride",
    "ReturnValue",
    "ReturnWindow",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "AuditHeadSignature",
    "Cycle",
    "MouReview",
    "MouSignatureEvent",
    "MouVersion",
    "OutboxMessage",
    "PackJob",
    "RenderedPack",
    "RoleAssignment",
    "SefComment",
    "SefContributor",
    "SefDocument",
    "SefResponse",
    "SefSignOffEvent",
    "SefVersion",
    "SelfEvaluation",
    "Triad",
    "TriadMember",
    "TriadReviewer",
    "StageWindow",
    "User",
    "WebSession",
]
