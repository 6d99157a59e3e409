"""A center's own records: groups, talent volunteers, events, consultations, cases, needs, offers,
matches, introductions and study tours — one module per capability.

Every record carries its center (the partition root every permission and every sync batch is
cut along), a uuid that identifies it across the federation, and a version the hub compares.
Personal data is marked in `PERSONAL_FIELDS`: reading it is audited, and it never leaves the node.
"""

from common.vocabulary import CaseOutcome, CollaborationForm, CostItem, PartyRole

from .base import (
    CENTER_CHANGE,
    CENTER_DELETE,
    CENTER_VIEW,
    ActivityField,
    CenterRecord,
    validate_kana,
)
from .cases import (
    CaseParty,
    CollaborationCase,
    SharingLevel,
)
from .consultations import (
    CONSULTATION_STEP_ORDER,
    Consultation,
    ConsultationChannel,
    ConsultationStep,
)
from .events import (
    Event,
    EventKind,
    EventStatus,
)
from .groups import (
    GroupRegistration,
    GroupStatus,
    LegalForm,
    TalentVolunteer,
)
from .introductions import (
    IntroductionDirection,
    IntroductionRequest,
    IntroductionStatus,
)
from .matching import (
    FORMS_NEEDING_BUDGET,
    FORMS_NEEDING_LEGAL_ENTITY,
    LEGAL_ENTITY_FORMS,
    MATCH_ACTIVE_STATUSES,
    MATCH_STALLED_DAYS,
    MATCH_STATUS_ORDER,
    MONTHS,
    DismissalReason,
    Match,
    MatchMeeting,
    MatchReminder,
    MatchStatus,
    Need,
    NeedBudget,
    NeedStatus,
    Offer,
    SuggestionDismissal,
    is_legal_entity,
)
from .talents import (
    TalentRequest,
    TalentRequestStatus,
)
from .tours import (
    TOUR_MAX_CAPACITY,
    ConsentMethod,
    StudyTour,
    TourCase,
    TourLesson,
    TourNamedConsent,
    TourOrganization,
    TourOrganizationKind,
    TourReport,
    TourStop,
)

__all__ = [
    "ActivityField",
    "CENTER_CHANGE",
    "CENTER_DELETE",
    "CENTER_VIEW",
    "CONSULTATION_STEP_ORDER",
    "CaseOutcome",
    "CaseParty",
    "CenterRecord",
    "CollaborationCase",
    "CollaborationForm",
    "ConsentMethod",
    "Consultation",
    "ConsultationChannel",
    "ConsultationStep",
    "CostItem",
    "DismissalReason",
    "Event",
    "EventKind",
    "EventStatus",
    "FORMS_NEEDING_BUDGET",
    "FORMS_NEEDING_LEGAL_ENTITY",
    "GroupRegistration",
    "GroupStatus",
    "IntroductionDirection",
    "IntroductionRequest",
    "IntroductionStatus",
    "LEGAL_ENTITY_FORMS",
    "LegalForm",
    "MATCH_ACTIVE_STATUSES",
    "MATCH_STALLED_DAYS",
    "MATCH_STATUS_ORDER",
    "MONTHS",
    "Match",
    "MatchMeeting",
    "MatchReminder",
    "MatchStatus",
    "Need",
    "NeedBudget",
    "NeedStatus",
    "Offer",
    "PartyRole",
    "SharingLevel",
    "StudyTour",
    "SuggestionDismissal",
    "TOUR_MAX_CAPACITY",
    "TalentRequest",
    "TalentRequestStatus",
    "TalentVolunteer",
    "TourCase",
    "TourLesson",
    "TourNamedConsent",
    "TourOrganization",
    "TourOrganizationKind",
    "TourReport",
    "TourStop",
    "is_legal_entity",
    "validate_kana",
]
