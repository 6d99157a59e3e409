"""The hub's signed endpoints for trainings and information-sharing meetings across centers: open or
change, cancel, register seats, count the attendance, attach a material, fetch a material's file."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

from .models import Node
from .services import trainings
from .services.referrals import NetworkRefused
from .sync_views import signed
from .sync_views_network import _body, _refused


@require_http_methods(["POST"])
@signed
def training_open(request, node: Node):
    payload, error = _body(request)
    if error:
        return error
    try:
        training, created = trainings.training_open(node=node, payload=payload)
    except NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse(trainings.training_payload(training, node.pk), status=201 if created else 200)


@require_http_methods(["POST"])
@signed
def training_status(request, node: Node, uuid):
    payload, error = _body(request)
    if error:
        return error
    try:
        training, _changed = trainings.training_status(node=node, training_uuid=uuid, payload=payload)
    except NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse({"uuid": str(training.uuid), "status": training.status})


@require_http_methods(["POST"])
@signed
def registration(request, node: Node, uuid):
    payload, error = _body(request)
    if error:
        return error
    try:
        registration = trainings.registration_set(node=node, training_uuid=uuid, payload=payload)
    except NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse({"training": str(uuid), "center": str(registration.center_uuid),
                         "seats": registration.seats})


@require_http_methods(["POST"])
@signed
def attendance(request, node: Node, uuid):
    payload, error = _body(request)
    if error:
        return error
    try:
        training = trainings.attendance_record(node=node, training_uuid=uuid, payload=payload)
    except NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse({"uuid": str(training.uuid), "status": training.status})


@require_http_methods(["POST"])
@signed
def materials(request, node: Node, uuid):
    payload, error = _body(request)
    if error:
        return error
    try:
        material, created = trainings.material_attach(node=node, training_uuid=uuid, payload=payload)
    except NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse(trainings.material_payload(material), status=201 if created else 200)


@require_http_methods(["GET"])
@signed
def material_file(request, node: Node, uuid, material):
    try:
        return JsonResponse(trainings.material_file(node=node, training_uuid=uuid, material_uuid=material))
    except NetworkRefused as refused:
        return _refused(refused)
