"""What of a collaboration case (協働事例) the hub may see — decided on the node, fail closed.

Three steps, each able to stop the case from leaving:
1. structured rules: persons and contacts never leave; an organization becomes its kind, fields
   and size band unless the case is shared `named` and it consented; a kind too rare at this
   center to hide in (fewer than `KYODO_ANON_K` organizations) holds the case back;
2. the free texts go through the scrubber (sync.anonymize) with everything the node knows;
3. the finished payload is checked again against that known personal data: any hit blocks it.

The outbox calls `project_case` in the writing transaction; the publish screen calls `case_share`
and shows staff exactly the same payload. Messages for other centers and disaster texts go
through `check_text`, the same scrub-and-check.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_lazy

from permissions.audit import audit_record
from permissions.models import Organization
from sync.anonymize import KnownPersonalData, ScrubResult, scrub
from sync.models import Op, OutboxEntry
from sync.outbox import record_reproject
from sync.relay import sync_state
from sync.wire import cases as case_wire

from .known_data import PUBLIC_KINDS, all_personal_data, allowing
from .models import CaseParty, CollaborationCase, StudyTour, TourCase
from .outgoing import final_check

TEXT_FIELDS = ("title", "summary", "lessons")
SIZE_BANDS = ((10, "1-9"), (30, "10-29"), (100, "30-99"))


def size_band(members: int | None) -> str | None:
    if not members:
        return None
    return next((band for limit, band in SIZE_BANDS if members < limit), "100+")


def party_ref(organization, *, named: bool = False) -> str:
    """A pseudonym that lets the hub count distinct organizations without learning which they are.
    Named cases use another key: the hub sees a named party's name beside its ref, and the same ref
    would then name the organization in every anonymized case too."""
    salt = "kyodo.shared_case.named_party" if named else "kyodo.shared_case.party"
    return salted_hmac(salt, str(organization.uuid)).hexdigest()[:16]


@dataclass
class TextPreview:
    original: str
    result: ScrubResult


@dataclass
class CaseShare:
    """The answer to "what would the hub receive?" — the payload, or why nothing is sent."""

    level: str
    payload: dict | None = None
    texts: dict[str, TextPreview] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)  # structured reasons, for staff (translated)
    notes: list[str] = field(default_factory=list)  # what was left out so the parties stay anonymous
    blocked: list[str] = field(default_factory=list)  # final check: kinds of known data still present

    @property
    def sendable(self) -> bool:
        return self.payload is not None


def _held_for_consent(parties, consented: set[int] | None = None) -> list[str]:
    """Named needs every non-public party's consent: the standing one on its registration, or, for a
    study tour's copy, the consent recorded for that tour only (`consented`: organization ids)."""
    reasons = []
    for party in parties:
        organization = party.organization
        if organization.kind in PUBLIC_KINDS:
            continue
        if consented is not None:
            if organization.pk not in consented:
                reasons.append(gettext("%(name)s（%(kind)s）はこのツアーでの団体名公開に同意していません。") % {
                    "name": organization.name, "kind": organization.get_kind_display()})
            continue
        registration = getattr(organization, "registration", None)
        if registration is None or registration.consent_named_cases_at is None:
            reasons.append(gettext("%(name)s（%(kind)s）は事例での団体名公開に同意していません。") % {
                "name": organization.name, "kind": organization.get_kind_display()})
    return reasons


def _profile(organization) -> tuple[tuple[int, ...], str | None]:
    """What the hub sees of an organization besides its kind: its activity fields and size band."""
    registration = getattr(organization, "registration", None)
    if registration is None:
        return (), None
    return tuple(sorted(f.code for f in registration.activity_fields.all())), size_band(registration.member_count)


@dataclass
class Rarity:
    held: list[str] = field(default_factory=list)  # a kind rarer than k: the case stays home
    notes: list[str] = field(default_factory=list)  # what was left out of a party's profile, and why
    # organization id → (fields, size band) as the hub may see them (k-anonymous at this center)
    profiles: dict[int, tuple[tuple[int, ...], str | None]] = field(default_factory=dict)


def _rarity(case, parties, peers: dict | None = None) -> Rarity:
    """k-anonymity of the parties among the center's registry, for an anonymized case.

    A kind rarer than k at this center would point at one organization: the hub knows the case's
    municipality (the center's) and its 年度, so kind × municipality × period would name it — the case
    is held back. A kind common enough on its own can still be named by its combination with the
    fields and size band the payload shows (the only 子どもの健全育成 group of 100+ members): then the
    size band, and if need be the fields, are left out for that party until at least k organizations
    of the center look the same, and the preview says so. The anonymity set is the center's registry
    today — registration dates say when a group joined, not when it existed, so they cannot narrow
    the period honestly. `peers` memoizes the registry per (center, kind) for a caller projecting many
    cases in one transaction."""
    k = settings.KYODO_ANON_K
    rarity = Rarity()
    for kind in sorted({p.organization.kind for p in parties} - PUBLIC_KINDS):
        memo = peers if peers is not None else {}
        key = (case.center_id, kind)
        if key not in memo:
            memo[key] = list(Organization.objects.filter(center=case.center, kind=kind).select_related("registration")
                             .prefetch_related("registration__activity_fields"))
        of_kind = memo[key]
        label = Organization(kind=kind).get_kind_display()
        if len(of_kind) < k:
            rarity.held.append(gettext("%(kind)sは当センターの登録が%(count)d団体のみで、種類・市町村・期間から特定されるおそれが"
                                       "あります（%(k)d団体未満）。") % {"kind": label, "count": len(of_kind), "k": k})
            continue
        exact = Counter(_profile(peer) for peer in of_kind)
        by_fields = Counter(_profile(peer)[0] for peer in of_kind)
        for party in (p for p in parties if p.organization.kind == kind):
            fields, band = _profile(party.organization)
            if exact[(fields, band)] >= k:
                shown = (fields, band)
            elif by_fields[fields] >= k:
                shown = (fields, None)
                rarity.notes.append(gettext("%(kind)s（分野 %(fields)s・会員数 %(band)s）の組み合わせは当センターで%(k)d団体に"
                                            "満たないため、会員数の規模を伏せて送ります。") % {
                    "kind": label, "fields": _codes(fields), "band": band or "—", "k": k})
            else:
                shown = ((), None)
                rarity.notes.append(gettext("%(kind)s（分野 %(fields)s・会員数 %(band)s）の組み合わせは当センターで%(k)d団体に"
                                            "満たないため、分野と会員数の規模を伏せて送ります。") % {
                    "kind": label, "fields": _codes(fields), "band": band or "—", "k": k})
            rarity.profiles[party.organization.pk] = shown
    return rarity


def _codes(fields: tuple[int, ...]) -> str:
    return "・".join(map(str, fields)) or "—"


def _party_payload(party, *, named: bool, known: KnownPersonalData, texts: dict, index: int,
                   profiles: dict) -> dict:
    organization = party.organization
    contribution = scrub(party.contribution or "", known)
    texts[f"party{index}"] = TextPreview(party.contribution or "", contribution)
    fields, band = profiles.get(organization.pk) or _profile(organization)
    return {
        "ref": party_ref(organization, named=named), "kind": organization.kind, "role": party.role,
        "name": organization.name if named else None, "fields": list(fields), "size_band": band,
        "contribution": contribution.text,
    }


def _payload_strings(payload: dict) -> list[str]:
    strings = [payload[name] for name in TEXT_FIELDS]
    strings += [p["contribution"] for p in payload["parties"]]
    # A named organization's name may itself carry a person's name (山田太郎事務所): checked too.
    strings += [p["name"] for p in payload["parties"] if p["name"]]
    return [s for s in strings if s]


def case_share(case, level: str | None = None, *, actor=None, known: KnownPersonalData | None = None,
               consented: set[int] | None = None, peers: dict | None = None) -> CaseShare:
    """The payload the hub would receive for `case` at `level` (default: its current level).

    `known` lets a caller checking many cases read the node's personal data once; `consented` (a
    study tour's copy) replaces the standing named-case consent by the tour's own.
    """
    level = level or case.sharing_level
    share = CaseShare(level=level)
    if level not in ("anonymized", "named"):
        return share
    parties = list(CaseParty.objects.filter(case=case).select_related("organization", "organization__registration"))
    department = case.responsible_department
    if department is not None and all(p.organization_id != department.pk for p in parties):
        parties.append(CaseParty(case=case, organization=department, role="government"))
    named = level == "named"
    profiles: dict = {}
    if named:
        share.held += _held_for_consent(parties, consented)
    else:
        rarity = _rarity(case, parties, peers)
        share.held += rarity.held
        share.notes += rarity.notes
        profiles = rarity.profiles
    known = known or all_personal_data()
    if named:
        known = allowing(known, [p.organization for p in parties])
    for name in TEXT_FIELDS:
        original = getattr(case, name) or ""
        share.texts[name] = TextPreview(original, scrub(original, known))
    payload = {
        "center": str(case.center.uuid), "level": level, "reach": case.sharing_reach,
        **{name: share.texts[name].result.text for name in TEXT_FIELDS},
        "form": case.form, "fields": sorted(f.code for f in case.activity_fields.all()),
        "fiscal_year_start": case.fiscal_year_start, "fiscal_year_end": case.fiscal_year_end,
        "outcome": case.outcome, "total_cost": case.total_cost, "city_share": case.city_share,
        "published_month": case.updated_at.strftime("%Y-%m"),
        "parties": [_party_payload(p, named=named, known=known, texts=share.texts, index=i, profiles=profiles)
                    for i, p in enumerate(parties)],
    }
    # The hub refuses what does not fit its schema, and a refused batch stops this node's sync.
    if len(payload["parties"]) > case_wire.MAX_PARTIES:
        share.held.append(gettext("協働の主体が%(limit)sを超えるため、ハブに送れません。") % {"limit": case_wire.MAX_PARTIES})
    if case_wire.CASE.over_limits(payload):
        share.held.append(gettext("本文が長すぎるため、ハブに送れません（概要・教訓は2万字まで）。"))
    # Fail closed: whatever the layers missed, known personal data in the final payload stops it.
    share.blocked = sorted(final_check(_payload_strings(payload), known))
    if not share.held and not share.blocked:
        share.payload = payload
    # The scan read every piece of personal data on the node: audited, with counts only.
    audit_record(actor=actor, action="sharing.personal_data_scan", target=case, organization=case.center,
                 detail={"level": level, "held": len(share.held), "blocked": share.blocked,
                         "replacements": sum(len(t.result.replacements) for t in share.texts.values())})
    return share


def project_case(case, *, known: KnownPersonalData | None = None, peers: dict | None = None) -> dict | None:
    """Outbox projection: the shared payload, or None (private, held back or blocked → retract)."""
    if case.sharing_level == "private":
        return None
    return case_share(case, known=known, peers=peers).payload


def rescan_shared_cases() -> int:
    """Personal data registered after a case was shared may occur in its text: project every shared
    case again and send what changed (a new version, so the hub takes it), or retract it."""
    known = all_personal_data()  # read once for every case
    changed = 0
    for case in CollaborationCase.objects.exclude(sharing_level="private").select_related("center"):
        with transaction.atomic():
            changed += record_reproject(case, projection=project_case(case, known=known)) is not None
    changed += _rescan_tours()
    return changed


def _rescan_tours() -> int:
    """Open study tours and their case copies: texts scrubbed again with today's personal data."""
    changed = 0
    for tour in StudyTour.objects.filter(closed_at__isnull=True).select_related("center"):
        with transaction.atomic():
            changed += record_reproject(tour) is not None
            for tour_case in TourCase.objects.filter(tour=tour, case__isnull=False).select_related("tour", "center"):
                changed += record_reproject(tour_case) is not None
    return changed


@dataclass
class HubState:
    code: str  # private | held | pending | shared | retracted
    label: str
    reasons: list[str] = field(default_factory=list)


def hub_state(case, share: CaseShare | None = None, *, detailed: bool = False) -> HubState:
    """Where the case stands with the hub: from its last outbox entry and the acknowledged seq.

    `detailed` (center admins only) says that the final check found data the node holds; anyone else
    learns only the kind, so the preview cannot tell them whether a name they typed is a person of
    the node's records."""
    last = OutboxEntry.objects.filter(entity_type="shared_case", entity_uuid=case.uuid).order_by("-id").first()
    if case.sharing_level != "private":
        share = share or case_share(case)
        if not share.sendable:
            reasons = share.held + [blocked_reason(kind, detailed=detailed) for kind in share.blocked]
            return HubState("held", gettext("送信を保留中"), reasons)
    if last is None or last.op != Op.UPSERT:
        return (HubState("retracted", gettext("ハブから取り下げ済み")) if last is not None
                else HubState("private", gettext("ハブには未共有")))
    acked = last.publish_seq is not None and last.publish_seq <= sync_state().last_acked_seq
    return HubState("shared", gettext("ハブに掲載中")) if acked else HubState("pending", gettext("ハブへ送信待ち"))


BLOCK_LABELS = {"person": gettext_lazy("人名"), "phone": gettext_lazy("電話番号"), "email": gettext_lazy("メールアドレス"),
                "address": gettext_lazy("住所"), "organization": gettext_lazy("団体名"),
                "postal_code": gettext_lazy("郵便番号")}


def blocked_reason(kind: str, *, detailed: bool) -> str:
    label = BLOCK_LABELS.get(kind, kind)
    if detailed:
        return gettext("送信前の最終確認で登録済みの個人情報（%(kind)s）が残っていました。") % {"kind": label}
    return gettext("送信前の最終確認で個人情報（%(kind)s）と思われる記載が残っていました。本文を見直してください。") % {
        "kind": label}


def replacement_reason(kind: str) -> str:
    """Why a span is replaced, in words, whichever layer found it."""
    return gettext("%(kind)sと判断したため置き換えます。") % {"kind": BLOCK_LABELS.get(kind, kind)}


def share_document(case, share: CaseShare, *, detailed: bool = False) -> dict:
    """The preview as data (API and publish screen): payload, reasons, and where each replacement sits
    and why. Which layer found a replacement (the node's own records or a pattern) only with
    `detailed` (center admins): for anyone else it would tell whether a string is known data."""
    state = hub_state(case, share, detailed=detailed)

    def replacement(r) -> dict:
        item = {"start": r.start, "end": r.end, "kind": r.kind, "placeholder": r.placeholder,
                "reason": replacement_reason(r.kind)}
        return {**item, "layer": r.layer} if detailed else item

    return {
        "level": share.level, "reach": case.sharing_reach, "sendable": share.sendable, "payload": share.payload,
        "held": share.held, "blocked": share.blocked, "notes": share.notes,
        "replacements": {name: [replacement(r) for r in preview.result.replacements]
                         for name, preview in share.texts.items()},
        "hub_state": {"code": state.code, "label": state.label, "reasons": state.reasons},
    }


@dataclass
class CheckedText:
    """A free text about to leave the node: the scrubbed text, and the kinds of known data still in it."""

    text: str
    replaced: int
    blocked: list[str]

    @property
    def sendable(self) -> bool:
        return not self.blocked


def check_text(text: str, *, known: KnownPersonalData | None = None) -> CheckedText:
    """Scrub a message for another center, then check it again (fail closed, as for cases)."""
    known = known or all_personal_data()
    result = scrub(text or "", known)
    blocked = sorted(final_check([result.text], known))
    return CheckedText(text=result.text, replaced=len(result.replacements), blocked=blocked)


def blocked_message(kinds) -> str:
    labels = "・".join(str(BLOCK_LABELS.get(kind, kind)) for kind in kinds)
    return gettext("登録済みの個人情報（%(labels)s）が含まれているため送れません。該当する部分を書き換えてください。") % {
        "labels": labels}


def disaster_text(text: str, limit: int, *, known: KnownPersonalData | None = None, withheld: str = "") -> str:
    """A free text of a disaster record (a status note, a need line, skills): scrubbed, and replaced by
    `withheld` when known personal data remains — the record itself still goes, since a shelter's
    status matters more than its note. Cut to the hub's limit (placeholders are longer than a 林)."""
    checked = check_text(text or "", known=known)
    return (checked.text if checked.sendable else withheld)[:limit]


def require_sendable(text: str, field: str, known):
    """Scrubbed text for another center, or a ValidationError on `field` naming what is still personal."""
    checked = check_text(text, known=known)
    if not checked.sendable:
        raise ValidationError({field: ValidationError(blocked_message(checked.blocked), code="personal_data")})
    return checked
