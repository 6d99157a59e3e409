"""Staff UI views: check input, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.models import OrganizationKind
from permissions.scoping import get_scoped_or_deny, holds, scoped_queryset
from sync.services import status as sync_status

from . import (
    inboxes,
    lifecycle,
    models as m,
    network_selectors,
    routing_selectors,
    selectors,
    services,
    sharing,
    support_networks,
    views_public,
)
from .forms import PartyFormSet
from .ui import RECORDS, detail_rows

PAGE_SIZE = 25


def _ui(slug: str):
    try:
        return RECORDS[slug]
    except KeyError as error:
        raise Http404 from error


def _scoped(user, ui, perm: str, uuid):
    try:
        return get_scoped_or_deny(user, ui.model, perm, uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error


def home(request):
    """The staff dashboard; a visitor who is not signed in gets the center's public portal."""
    if not request.user.is_authenticated:
        return views_public.portal_home(request)
    # A group's member has no center to look after: its start page is わたしの団体.
    if (not selectors.user_centers(user=request.user, codename=m.CENTER_VIEW).exists()
            and lifecycle.my_groups(user=request.user).exists()):
        return redirect("my-group")
    return render(request, "nodes/dashboard.html", {
        "data": selectors.dashboard(user=request.user),
        "notices": selectors.hub_notices(limit=3),
    })


@login_required
def sync_page(request):
    """Where this node stands with its hub: lag, last success, last error, drift."""
    if not selectors.user_centers(user=request.user, codename="view_center_records").exists():
        raise PermissionDenied
    return render(request, "nodes/sync.html", {"status": sync_status(), "feed": selectors.feed_recent(limit=20)})


@login_required
def record_list(request, slug):
    ui = _ui(slug)
    filterset = ui.filterset(request.GET or None, queryset=selectors.record_list(user=request.user, model=ui.model))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(record, [str(column(record) or "") for _label, column in ui.columns]) for record in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"ui": ui, "filter": filterset, "page": page, "rows": rows, "query": query.urlencode()}
    template = "nodes/_record_table.html" if request.htmx and request.htmx.target == "results" else "nodes/record_list.html"
    return render(request, template, context)


def _detail_context(request, ui, record) -> dict:
    context = {
        "ui": ui, "record": record, "title": ui.title(record), "rows": detail_rows(record),
        "can_change": scoped_queryset(request.user, ui.model, "change").filter(pk=record.pk).exists(),
        "can_delete": scoped_queryset(request.user, ui.model, "delete").filter(pk=record.pk).exists(),
        "personal_fields": [str(record._meta.get_field(f).verbose_name) for f in getattr(record, "PERSONAL_FIELDS", ())],
    }
    if hasattr(record, "activity_fields"):
        context["activity_fields"] = list(record.activity_fields.all())
    if isinstance(record, m.CollaborationCase):
        context["parties"] = list(record.party_roles.select_related("organization"))
        context["case_years"] = list(record.years.select_related("responsible_department"))
        # The 協働推進事業 application it was adopted from, for those who may read it.
        context["programme_application"] = scoped_queryset(request.user, m.ProgrammeApplication, "view").filter(
            case=record).select_related("call").first()
        # Scans personal data only for a case meant to be shared; says "known data" to center admins only.
        context["hub_state"] = sharing.hub_state(record, detailed=holds(request.user, m.CENTER_DELETE, record.center_id))
    if isinstance(record, m.Event):
        context["links"] = {
            "organizers": list(record.organizers.all()), "participants": list(record.participants.all()),
            "produced_cases": list(record.produced_cases.all()),
            "produced_groups": list(record.produced_groups.select_related("organization")),
        }
    if isinstance(record, m.Consultation):
        context["steps"] = [
            (value, label, value in services.steps_done(record)) for value, label in m.ConsultationStep.choices
        ]
        context["linked"] = {"organizations": list(record.linked_organizations.all()),
                             "cases": list(record.linked_cases.all())}
        context["referrals"] = network_selectors.consultation_referrals(user=request.user, consultation=record)
        context["routing"] = routing_selectors.consultation_routing(user=request.user, consultation=record)
    if isinstance(record, m.Need | m.Offer):
        side = "need" if isinstance(record, m.Need) else "offer"
        context["matching"] = {
            "side": side, "can_suggest": holds(request.user, m.CENTER_VIEW, record.center_id),
            "matches": list(selectors.match_list(user=request.user).filter(**{side: record})),
        }
    if isinstance(record, m.Need | m.MenuItem):
        context["publication"] = {"state": record.get_publication_display(), "note": record.publication_note,
                                  "actions": inboxes.publication_actions(user=request.user, record=record)}
    if isinstance(record, m.TalentVolunteer):
        context["talent_consents"] = [
            (consent, label, getattr(record, f"consent_{consent}_at"))
            for consent, label in (("public_listing", gettext("公開の人材検索（ウェブ）への掲載")),
                                   ("guidebook", gettext("名人・達人ガイドブック（印刷物）への掲載")))
        ]
        context["talent_public"] = record.is_active and record.consent_public_listing_at is not None
        context["talent_request_count"] = scoped_queryset(request.user, m.TalentRequest, "view").filter(
            talent=record).count()
    if isinstance(record, m.GroupRegistration):
        context["consents"] = [
            (consent, label, getattr(record, f"consent_{consent}_at"))
            for consent, label in (("hub_listing", gettext("ハブ（県域）の団体一覧に掲載")),
                                   ("named_cases", gettext("共有する協働事例に団体名を掲載")),
                                   ("disaster_contact", gettext("災害時の連絡先共有")),
                                   ("national_listing", gettext("全国ハブの団体一覧に掲載（できることメニューも）")))
        ]
        context["offers"] = list(record.offers.all())
        if support_networks.is_network_kind(record) and holds(request.user, m.CENTER_VIEW, record.center_id):
            network = support_networks.network_of(record)
            context["network_counts"] = (support_networks.counts_of(network) if network
                                         else support_networks.MemberCounts())
        if holds(request.user, m.CENTER_VIEW, record.center_id):  # the renewals pages are the center's
            context["renewal"] = m.RegistrationRenewal.objects.filter(group=record).order_by("-due_on").first()
    return context


@login_required
def record_detail(request, slug, uuid):
    ui = _ui(slug)
    try:
        record = selectors.record_detail(user=request.user, model=ui.model, uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    return render(request, "nodes/record_detail.html", _detail_context(request, ui, record))


def _party_values(formset) -> list[dict]:
    return [
        form.cleaned_data for form in formset.forms
        if form.cleaned_data.get("organization") is not None and not form.cleaned_data.get("DELETE")
    ]


@login_required
def record_edit(request, slug, uuid=None):
    ui = _ui(slug)
    record = _scoped(request.user, ui, "change", uuid) if uuid else None
    form = ui.form(request.POST or None, instance=record, user=request.user)
    formset = None
    if ui.has_parties:
        initial = [
            {"organization": p.organization, "role": p.role, "contribution": p.contribution}
            for p in record.party_roles.select_related("organization")
        ] if record else []
        formset = PartyFormSet(request.POST or None, initial=initial, prefix="parties",
                               form_kwargs={"user": request.user})
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            values = form.service_values()
            if formset is not None:
                values["parties"] = _party_values(formset)
            saved = ui.update(request.user, record, values) if record else ui.create(request.user, values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("保存しました。"))
            return redirect("record-detail", slug=slug, uuid=saved.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "nodes/record_form.html",
                  {"ui": ui, "form": form, "formset": formset, "record": record}, status=status)


@login_required
@require_POST
def record_delete(request, slug, uuid):
    ui = _ui(slug)
    record = _scoped(request.user, ui, "delete", uuid)
    try:
        ui.delete(request.user, record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("record-detail", slug=slug, uuid=uuid)
    messages.success(request, gettext("削除しました。"))
    return redirect("record-list", slug=slug)


def record_consent(request, service, **target) -> None:
    """A consent given or withdrawn from a posted form (`consent`, `given`), recorded by `service`
    (a group's or a talent's), with the outcome as a message."""
    consent, given = request.POST.get("consent", ""), request.POST.get("given") == "1"
    try:
        service(acting_user=request.user, consent=consent, given=given, **target)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("同意を記録しました。") if given else gettext("同意の撤回を記録しました。"))


@login_required
@require_POST
def group_consent(request, uuid):
    group = _scoped(request.user, RECORDS["groups"], "change", uuid)
    record_consent(request, services.group_set_consent, group=group)
    return redirect("record-detail", slug="groups", uuid=uuid)


@login_required
@require_POST
def group_renew(request, uuid):
    group = _scoped(request.user, RECORDS["groups"], "change", uuid)
    services.group_renew(acting_user=request.user, group=group)
    messages.success(request, gettext("登録を更新しました。"))
    return redirect("record-detail", slug="groups", uuid=uuid)


@login_required
@require_POST
def consultation_advance(request, uuid):
    ui = RECORDS["consultations"]
    consultation = _scoped(request.user, ui, "change", uuid)
    try:
        consultation = services.consultation_advance(
            acting_user=request.user, consultation=consultation, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        record = selectors.record_detail(user=request.user, model=m.Consultation, uuid=uuid, purpose="advance")
        return render(request, "nodes/_consultation_steps.html", _detail_context(request, ui, record))
    return redirect("record-detail", slug="consultations", uuid=uuid)



def _segments(text: str, spans: list[tuple[int, int, object]]) -> list[tuple[str, object]]:
    """Cut `text` into (piece, replacement or None) so a template can highlight replacements."""
    pieces, at = [], 0
    for start, end, replacement in sorted(spans, key=lambda s: s[0]):
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], replacement))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


@login_required
def case_share(request, uuid):
    """Choose how a case is shared with the hub, after seeing exactly what the hub will receive."""
    ui = RECORDS["cases"]
    case = _scoped(request.user, ui, "change", uuid)
    if request.method == "POST":
        level = request.POST.get("level", "")
        try:
            case = services.case_set_sharing(acting_user=request.user, case=case, level=level,
                                             reach=request.POST.get("reach") or None)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            state = sharing.hub_state(case, detailed=holds(request.user, m.CENTER_DELETE, case.center_id))
            if state.code == "held":
                messages.warning(request, gettext("共有レベルを記録しましたが、送信は保留しています: %(reasons)s") % {
                    "reasons": " ".join(state.reasons)})
            else:
                messages.success(request, gettext("共有レベルを「%(level)s」にしました（%(state)s）。") % {
                    "level": case.get_sharing_level_display(), "state": state.label})
        return redirect("case-share", uuid=case.uuid)
    level = request.GET.get("level") or (case.sharing_level if case.sharing_level != "private" else "anonymized")
    if level not in ("anonymized", "named"):
        level = "anonymized"
    share = sharing.case_share(case, level, actor=request.user)
    detailed = holds(request.user, m.CENTER_DELETE, case.center_id)  # center admins: which layer found what
    texts = [
        (label, _segments(preview.original, [(r.start, r.end, r) for r in preview.result.replacements]),
         _segments(preview.result.text, [(r.scrubbed_start, r.scrubbed_end, r) for r in preview.result.replacements]))
        for label, preview in ((_text_label(name), share.texts[name]) for name in share.texts)
    ]
    parties = [{**p, "kind_label": OrganizationKind(p["kind"]).label, "role_label": m.PartyRole(p["role"]).label}
               for p in (share.payload or {}).get("parties", [])]
    return render(request, "nodes/case_share.html", {
        "record": case, "ui": ui, "share": share, "level": level, "texts": texts, "parties": parties,
        "state": sharing.hub_state(case, share if case.sharing_level == level else None, detailed=detailed),
        "detailed": detailed,
        "levels": [(value, label) for value, label in m.SharingLevel.choices if value != "private"],
        "reaches": m.SharingReach.choices,
    })


def _text_label(name: str) -> str:
    if name.startswith("party"):
        return gettext("担った役割（主体%(number)s）") % {"number": int(name[5:]) + 1}
    return str(m.CollaborationCase._meta.get_field(name).verbose_name)
