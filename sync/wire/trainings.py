"""Trainings and information-sharing meetings across centers (研修・情報共有会議): a backing center opens
one to the centers it backs; their nodes register seats, fetch the materials and receive the
attendance. The node → hub requests and the feed entries, as data both sides read."""

from __future__ import annotations

KINDS = ("kenshu", "joho_kyoyu")  # 研修 / 情報共有会議
# Forward only, as tiers: 受付中 → 開催済み (attendance recorded) / 中止.
STATUS_ORDER = (("open",), ("held", "cancelled"))
STATUSES = tuple(status for tier in STATUS_ORDER for status in tier)
OPEN, HELD, CANCELLED = "open", "held", "cancelled"
MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_PLACE = 200
MAX_NOTE = 500
MAX_CAPACITY = 1000
MAX_SEATS = 100  # seats one center takes in one training

# node → hub, POST /sync/v1/trainings: the organizing node opens (or, while open, changes) a training
# for one of its centers. `to_centers` empty: every center it backs by a confirmed relation. Texts were
# scrubbed through the organizing node's one door.
TRAINING_KEYS = frozenset({"uuid", "center", "kind", "title", "description", "starts_at", "ends_at", "place",
                           "online", "capacity_per_center", "capacity_total", "deadline", "to_centers"})
# node → hub, POST /sync/v1/trainings/<uuid>/status: the organizer cancels.
STATUS_KEYS = frozenset({"status"})
# node → hub, POST /sync/v1/trainings/<uuid>/registrations: a registering center's seats (0: cancelled)
# and a scrubbed note. The staff it names stay on that node.
REGISTRATION_KEYS = frozenset({"center", "seats", "note"})
# node → hub, POST /sync/v1/trainings/<uuid>/attendance: after the event, the organizer's count of
# attendees per registered center, all in one request (the hub applies all or none).
ATTENDANCE_KEYS = frozenset({"attendance"})
ATTENDANCE_ROW_KEYS = frozenset({"center", "attended"})

# node → hub, POST /sync/v1/trainings/<uuid>/materials: a material (資料), a file or a link. The file
# is checked by its extension and its first bytes; staff confirmed it holds no personal data.
MATERIAL_KEYS = frozenset({"uuid", "title", "description", "filename", "content", "link", "no_personal_data"})
MAX_MATERIAL_BYTES = 2 * 1024 * 1024
MAX_MATERIAL_TITLE = 200
MAX_MATERIAL_DESCRIPTION = 1000
MAX_FILENAME = 150
MAX_LINK = 500
# Extension → (content type, the magic bytes a file of that kind starts with).
MATERIAL_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK\x03\x04"),
    ".doc": ("application/msword", b"\xd0\xcf\x11\xe0"),
    ".xls": ("application/vnd.ms-excel", b"\xd0\xcf\x11\xe0"),
    ".ppt": ("application/vnd.ms-powerpoint", b"\xd0\xcf\x11\xe0"),
}


def material_type(filename: str, head: bytes) -> str | None:
    """The content type of an allowed material, or None when the name or the first bytes are not one."""
    dot = filename.rfind(".")
    known = MATERIAL_TYPES.get(filename[dot:].lower()) if dot >= 0 else None
    if known is None or not head.startswith(known[1]):
        return None
    return known[0]


def may_move(old: str, new: str) -> bool:
    tier = {status: rank for rank, statuses in enumerate(STATUS_ORDER) for status in statuses}
    return old in tier and new in tier and tier[new] > tier[old]


# hub → each invited node (and the organizer's), after every change: the training as it stands.
TRAINING_KIND = "training"
TRAINING_FEED_KEYS = frozenset({"uuid", "center", "center_name", "kind", "title", "description", "starts_at",
                                "ends_at", "place", "online", "capacity_per_center", "capacity_total", "deadline",
                                "status", "invited", "seats_taken", "materials"})
MATERIAL_FEED_KEYS = frozenset({"uuid", "title", "description", "filename", "size", "link"})
# hub → the organizing node: a center registered, changed its seats or cancelled (seats 0).
REGISTRATION_KIND = "training_registration"
REGISTRATION_FEED_KEYS = frozenset({"training", "center", "center_name", "seats", "note", "changed_at"})
# hub → the registering node: the organizer's count of its attendees.
ATTENDANCE_KIND = "training_attendance"
ATTENDANCE_FEED_KEYS = frozenset({"training", "center", "attended"})
# hub → a registered node, GET /sync/v1/trainings/<uuid>/materials/<uuid>: the file, base64.
MATERIAL_FILE_KEYS = frozenset({"filename", "content_type", "content"})
