"""The hub's data: the registry of nodes and keys, what the nodes share, and the hub → node feed.

Nothing here can hold a person — except disaster contacts, shared by consent for one declared
disaster and read under a grant: copies carry organization names only for groups that consented
to be listed, and counts only for everything else.

One module per capability; every model is importable from here, where Django looks for them.
"""

# The wire format shares the node's vocabulary: the same values on both sides.
from common.vocabulary import ACTIVITY_FIELDS, CaseOutcome, CollaborationForm, PartyRole

from .copies import (
    AggregateSnapshot,
    DirectoryGroup,
    SharedCopy,
    SharedEvent,
    SharedNetwork,
    SharedOffer,
    Tombstone,
    field_index,
)
from .disaster import (
    CenterStatusCopy,
    CommitmentReportCopy,
    ContactGrant,
    DisasterCommitment,
    DisasterContactCopy,
    DisasterDeclaration,
    DisasterNeedCopy,
    DisasterOfferCopy,
    EmergencySurvey,
    SurveyCountsCopy,
)
from .feed import FeedEntry, FeedSequence
from .figures import FiguresSource, FiguresVersion
from .introductions import IntroductionRequest, IntroductionStatus
from .library import CaseCollection, CaseContent, CaseLevel, CaseReach, CollectionCase, SharedCase
from .national import NationalStatisticsCell
from .reads import LibraryRead, LibraryReadKind
from .referrals import CenterRelation, Referral
from .registry import KeyStatus, Node, NodeCenter, NodeKey, NodeKind, NodeStatus, SeenNonce
from .tours import StudyTour, TourCaseCopy, TourInvitation, TourLessonCopy, TourParticipant, TourReport
from .trainings import Training, TrainingInvitation, TrainingMaterial, TrainingRegistration

__all__ = [
    "ACTIVITY_FIELDS", "AggregateSnapshot", "CaseCollection", "CaseContent", "CaseLevel", "CaseOutcome", "CaseReach",
    "CenterRelation", "CenterStatusCopy", "CollaborationForm", "CollectionCase", "CommitmentReportCopy", "ContactGrant",
    "DirectoryGroup", "DisasterCommitment", "DisasterContactCopy", "DisasterDeclaration", "DisasterNeedCopy",
    "DisasterOfferCopy", "EmergencySurvey", "FeedEntry", "FeedSequence", "FiguresSource", "FiguresVersion",
    "IntroductionRequest",
    "IntroductionStatus", "KeyStatus", "LibraryRead", "LibraryReadKind", "NationalStatisticsCell", "Node", "NodeCenter", "NodeKey", "NodeKind", "NodeStatus", "PartyRole",
    "Referral", "SeenNonce",
    "SharedCase", "SharedCopy", "SharedEvent", "SharedNetwork", "SharedOffer", "StudyTour", "SurveyCountsCopy", "Tombstone",
    "TourCaseCopy", "TourInvitation", "Training", "TrainingInvitation", "TrainingMaterial", "TrainingRegistration", "TourLessonCopy", "TourParticipant", "TourReport", "field_index",
]
