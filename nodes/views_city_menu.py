"""Staff UI of the city's menu: the publication queue, and the steps submit / approve / send back / withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from permissions.scoping import get_scoped_or_deny

from . import inboxes, models as m, services

MODELS = {"needs": m.Need, "city-menu-items": m.MenuItem}


@login_required
def publication_queue(request):
    """What waits for center staff (掲載申請中) and what was sent back to a department."""
    return render(request, "nodes/publication_queue.html", inboxes.publication_queue(user=request.user))


@login_required
@require_POST
def publication_step(request, slug, uuid, step):
    model = MODELS.get(slug)
    if model is None:
        raise Http404
    try:
        record = get_scoped_or_deny(request.user, model, "change", uuid=uuid)
    except ObjectDoesNotExist as error:
        raise Http404 from error
    steps = {
        "submit": (lambda: services.publication_submit(acting_user=request.user, record=record),
                   gettext("掲載を申請しました。センターの確認後に公開されます。")),
        "approve": (lambda: services.publication_approve(acting_user=request.user, record=record),
                    gettext("公開しました。")),
        "send-back": (lambda: services.publication_send_back(acting_user=request.user, record=record,
                                                             reason=request.POST.get("reason", "")),
                      gettext("差し戻しました。")),
        "withdraw": (lambda: services.publication_withdraw(acting_user=request.user, record=record),
                     gettext("公開を取り下げました。")),
    }
    if step not in steps:
        raise Http404
    run, done = steps[step]
    try:
        run()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, gettext("この操作はセンター職員だけができます。"))
    else:
        messages.success(request, done)
    return redirect("record-detail", slug=slug, uuid=uuid)
