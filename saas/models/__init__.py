"""Models that live in every tenant's schema. Importing this package registers them all."""

from saas.models.attachment import Attachment
from saas.models.audit import AuditEntry
from saas.models.cycle import (
    Cycle,
    CycleResult,
    CycleSubject,
    ExternalRater,
    RatingSheet,
    ScoringRun,
)
from saas.models.eligibility import EligibilityRule
from saas.models.feedback import Feedback, FeedbackLink
from saas.models.goal import Goal, GoalActual, GoalBoard
from saas.models.imports import ImportBatch
from saas.models.inspection import Inspection, InspectionSchedule, RectificationNotice
from saas.models.ledger import LedgerEntry
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.models.provider import ProviderContract
from saas.models.scheme import AssessmentScheme, SchemeVersion
from saas.models.setting import TenantSetting
from saas.models.signing import SigningIdentity
from saas.models.statement import Statement
from saas.models.tokens import AccountSheet, AccountToken
from saas.models.user import Role, User, UserRole

__all__ = [
    "AccountSheet",
    "AccountToken",
    "AssessmentScheme",
    "Attachment",
    "AuditEntry",
    "Cycle",
    "CycleResult",
    "CycleSubject",
    "EligibilityRule",
    "Employee",
    "ExternalRater",
    "Feedback",
    "FeedbackLink",
    "Goal",
    "GoalActual",
    "GoalBoard",
    "ImportBatch",
    "Inspection",
    "InspectionSchedule",
    "LedgerEntry",
    "OrgUnit",
    "PositionLevel",
    "ProviderContract",
    "RatingSheet",
    "RectificationNotice",
    "Role",
    "SchemeVersion",
    "ScoringRun",
    "SigningIdentity",
    "Statement",
    "TenantSetting",
    "User",
    "UserRole",
]
