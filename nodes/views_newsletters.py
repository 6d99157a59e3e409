"""Staff UI of the center's newsletters (情報紙): the titles and the archive of editions, an edition's
assembly (items from events, groups and cases, a column, the staff's edit and order), its preview and
PDF, publication, and its distribution list; and the portal's published editions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common import pdf
from permissions.scoping import holds

from . import city_menu, models as m, newsletters as selectors
from .services import newsletters as services
from .views_common import get_or_404, int_or_none, show_errors, staff_centers_or_403

STEPS = ("add-items", "add-column", "save", "publish", "withdraw", "distribution")
BLANK_DISTRIBUTION_ROWS = 3


@login_required
def newsletter_list(request):
    centers = staff_centers_or_403(request.user)
    q = request.GET.get("q", "")[:100]
    return render(request, "nodes/newsletters.html", {
        "newsletters": selectors.newsletters(user=request.user), "q": q,
        "editions": selectors.editions(user=request.user, q=q)[:100],
        "centers": [c for c in centers if holds(request.user, m.CENTER_CHANGE, c.pk)],
    })


@login_required
@require_POST
def newsletter_new(request):
    centers = [c for c in staff_centers_or_403(request.user) if holds(request.user, m.CENTER_CHANGE, c.pk)]
    center = next((c for c in centers if str(c.uuid) == request.POST.get("center")), None)
    if center is None and len(centers) == 1:
        center = centers[0]
    if center is None:
        messages.error(request, gettext("センターを選んでください。"))
        return redirect("newsletters")
    try:
        newsletter = services.newsletter_create(
            acting_user=request.user, center=center, title=request.POST.get("title", ""),
            issues_per_year=int_or_none(request.POST.get("issues_per_year")), format_note=request.POST.get("format_note", ""))
    except ValidationError as error:
        show_errors(request, error)
        return redirect("newsletters")
    messages.success(request, gettext("情報紙「%(title)s」を登録しました。") % {"title": newsletter.title})
    return redirect("newsletters")


@login_required
@require_POST
def edition_new(request):
    staff_centers_or_403(request.user)
    newsletter = get_or_404(request.user, m.Newsletter, "change", request.POST.get("newsletter") or None)
    try:
        edition = services.edition_create(
            acting_user=request.user, newsletter=newsletter, number=int_or_none(request.POST.get("number")),
            issue_date=parse_date(request.POST.get("issue_date", "") or ""), headline=request.POST.get("headline", ""))
    except ValidationError as error:
        show_errors(request, error)
        return redirect("newsletters")
    messages.success(request, gettext("%(edition)s を作りました。記事を選んでください。") % {"edition": edition})
    return redirect("newsletter-edition", uuid=edition.uuid)


def _distribution_rows(edition, posted: list[dict] | None = None) -> list[dict]:
    rows = posted if posted is not None else [
        {"kind": line.kind, "recipient": line.recipient, "han_count": line.han_count, "copies": line.copies}
        for line in edition.distribution.all()]
    return rows + [{"kind": m.DistributionKind.HAN_KAIRAN, "recipient": "", "han_count": None, "copies": None}
                   for _ in range(BLANK_DISTRIBUTION_ROWS)]


def _edition_page(request, edition, *, status: int = 200, posted_distribution=None):
    return render(request, "nodes/newsletter_edition.html", {
        "edition": edition, "items": edition.items.select_related("event", "group__organization", "case"),
        "candidates": selectors.candidates(edition=edition) if edition.status == m.EditionStatus.DRAFT else None,
        "distribution": _distribution_rows(edition, posted_distribution),
        "totals": selectors.distribution_totals(edition=edition),
        "kinds": m.DistributionKind.choices, "draft": edition.status == m.EditionStatus.DRAFT,
    }, status=status)


@login_required
def edition_detail(request, uuid):
    staff_centers_or_403(request.user)
    return _edition_page(request, get_or_404(request.user, m.NewsletterEdition, "view", uuid))


def _posted_distribution(post) -> list[dict]:
    rows = []
    for index in range(int_or_none(post.get("distribution-count")) or 0):
        prefix = f"distribution-{index}-"
        recipient = post.get(prefix + "recipient", "").strip()
        if not recipient:
            continue  # a blank row is not a line
        rows.append({"kind": post.get(prefix + "kind", ""), "recipient": recipient,
                     "han_count": int_or_none(post.get(prefix + "han_count")), "copies": int_or_none(post.get(prefix + "copies"))})
    return rows


def _posted_items(post, edition) -> list[dict]:
    return [{"id": item.pk, "heading": post.get(f"item-{item.pk}-heading", ""),
             "body": post.get(f"item-{item.pk}-body", ""), "position": int_or_none(post.get(f"item-{item.pk}-position")),
             "delete": post.get(f"item-{item.pk}-delete") == "on"} for item in edition.items.all()]


def _chosen(post, name: str, model, edition):
    uuids = [value for value in post.getlist(name) if value]
    try:
        records = list(model.objects.filter(center=edition.center_id, uuid__in=uuids))
    except ValidationError:
        records = []
    if len(records) != len(set(uuids)):
        raise ValidationError({name: ValidationError(gettext("選んだ記録が見つかりません。"), code="unknown_record")})
    return records


@login_required
@require_POST
def edition_step(request, uuid, step):
    staff_centers_or_403(request.user)
    if step not in STEPS:
        raise Http404
    edition = get_or_404(request.user, m.NewsletterEdition, "change", uuid)
    user, post, posted_distribution = request.user, request.POST, None
    try:
        if step == "add-items":
            services.edition_add_items(acting_user=user, edition=edition,
                                       events=_chosen(post, "events", m.Event, edition),
                                       groups=_chosen(post, "groups", m.GroupRegistration, edition),
                                       cases=_chosen(post, "cases", m.CollaborationCase, edition))
            done = gettext("記事を追加しました。")
        elif step == "add-column":
            services.edition_add_column(acting_user=user, edition=edition, heading=post.get("heading", ""),
                                        body=post.get("body", ""))
            done = gettext("コラムを追加しました。")
        elif step == "save":
            services.edition_update(acting_user=user, edition=edition, headline=post.get("headline", ""),
                                    items=_posted_items(post, edition))
            done = gettext("見出し・本文・順番を保存しました。")
        elif step == "publish":
            services.edition_publish(acting_user=user, edition=edition)
            done = gettext("発行しました。ポータルに掲載されています。")
        elif step == "withdraw":
            services.edition_withdraw(acting_user=user, edition=edition, reason=post.get("reason", ""))
            done = gettext("発行を取り下げました。ポータルから外れ、編集できます。")
        else:
            posted_distribution = _posted_distribution(post)
            services.distribution_set(acting_user=user, edition=edition, lines=posted_distribution)
            done = gettext("配布先を保存しました。")
    except ValidationError as error:
        show_errors(request, error)
        edition.refresh_from_db()
        return _edition_page(request, edition, status=400, posted_distribution=posted_distribution)
    messages.success(request, done)
    return redirect("newsletter-edition", uuid=edition.uuid)


@login_required
def edition_preview(request, uuid):
    """The edition exactly as the portal will show it (through the door), draft or published."""
    staff_centers_or_403(request.user)
    edition = get_or_404(request.user, m.NewsletterEdition, "view", uuid)
    return render(request, "nodes/newsletter_preview.html", {
        "edition": edition, "public": selectors.public_edition(edition)})


def _pdf_response(edition) -> HttpResponse:
    body = pdf.render(selectors.edition_document(selectors.public_edition(edition)))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="newsletter-{edition.number}.pdf"'
    return response


@login_required
def edition_pdf(request, uuid):
    staff_centers_or_403(request.user)
    return _pdf_response(get_or_404(request.user, m.NewsletterEdition, "view", uuid))


# --- the portal (no login): published editions only ---------------------------------------------


def _public_center(center_uuid):
    center = city_menu.public_center(center_uuid)
    if center is None:
        raise Http404
    return center


def _published(center, uuid):
    edition = (m.NewsletterEdition.objects.filter(center=center, uuid=uuid, status=m.EditionStatus.PUBLISHED)
               .select_related("newsletter", "center").first())
    if edition is None:
        raise Http404
    return edition


def public_newsletters(request, center_uuid):
    center = _public_center(center_uuid)
    q = request.GET.get("q", "")[:100]
    return render(request, "nodes/public/newsletters.html", {
        "center": center, "q": q, "editions": selectors.published_editions(center=center, q=q)})


def public_edition(request, center_uuid, uuid):
    center = _public_center(center_uuid)
    edition = _published(center, uuid)
    return render(request, "nodes/public/newsletter_edition.html", {
        "center": center, "edition": edition, "public": selectors.public_edition(edition)})


def public_edition_pdf(request, center_uuid, uuid):
    return _pdf_response(_published(_public_center(center_uuid), uuid))
