"""Imports every model, so that metadata (and Alembic's autogenerate check) sees them all."""

from app.audit.models import AuditChainCheck, AuditEvent
from app.auth.models import ApiToken, RoleGrant, User
from app.calendar.models import HolidayYear
from app.communities.models import Community, Township
from app.governance.body_models import BodyMember, GoverningBody
from app.governance.models import GovernanceEvent
from app.governance.reminder_models import GovernanceReminder
from app.governance.supervision_models import SupervisionAction
from app.governance.transparency_models import Publication
from app.owners.models import OwnerSession, OwnerSignInCode, Petition, PetitionSignature
from app.preparation.models import (
    ArrearsDemand,
    Candidate,
    CandidateCosigner,
    CandidateListReview,
    ClockReminder,
    GroupMember,
    MeetingPlan,
    Notice,
    NoticeObjection,
    PreparatoryGroup,
)
from app.results.models import Result, ResultObjection, SigningKey
from app.roll.models import RollImport, RollObjection, RollOwner, RollUnit, RollVersion
from app.voting.letter_batches import LetterBatch
from app.voting.models import (
    Ballot,
    Credential,
    Matter,
    MatterAttachment,
    MatterCandidate,
    Meeting,
    MeetingVoter,
    SmsMessage,
)
from app.voting.paper_models import PaperEntry
from app.voting.proxy_models import Proxy
from app.voting.reminder_models import ReminderBatch

__all__ = [
    "ApiToken",
    "ArrearsDemand",
    "AuditChainCheck",
    "AuditEvent",
    "Ballot",
    "BodyMember",
    "Candidate",
    "CandidateCosigner",
    "CandidateListReview",
    "ClockReminder",
    "Community",
    "Credential",
    "GovernanceEvent",
    "GovernanceReminder",
    "GoverningBody",
    "GroupMember",
    "HolidayYear",
    "LetterBatch",
    "Matter",
    "MatterAttachment",
    "MatterCandidate",
    "Meeting",
    "MeetingPlan",
    "MeetingVoter",
    "Notice",
    "NoticeObjection",
    "OwnerSession",
    "OwnerSignInCode",
    "PaperEntry",
    "Petition",
    "PetitionSignature",
    "PreparatoryGroup",
    "Proxy",
    "Publication",
    "ReminderBatch",
    "Result",
    "ResultObjection",
    "RoleGrant",
    "RollImport",
    "RollObjection",
    "RollOwner",
    "RollUnit",
    "RollVersion",
    "SigningKey",
    "SmsMessage",
    "SupervisionAction",
    "Township",
    "User",
]
