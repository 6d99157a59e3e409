from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NodesConfig(AppConfig):
    name = "nodes"
    verbose_name = _("センターの記録")

    def ready(self):
        from sync import feed, registry
        from sync.wire import introductions, referrals, tours, trainings

        from . import outgoing, projections, publishing
        from .services import (
            attendance_receive_item,
            introduction_answer_receive_item,
            introduction_receive_item,
            referral_receive_item,
            referral_status_receive_item,
            registration_receive_item,
            relation_receive_item,
            training_receive_item,
        )
        from .tours import report_receive_item

        projections.register_types()
        registry.before_push(publishing.ensure_profiles)
        registry.set_gate(outgoing.gate)
        feed.register(introductions.REQUEST_KIND, introduction_receive_item)
        feed.register(introductions.ANSWER_KIND, introduction_answer_receive_item)
        feed.register(referrals.RELATION_KIND, relation_receive_item)
        feed.register(referrals.REQUEST_KIND, referral_receive_item)
        feed.register(referrals.STATUS_KIND, referral_status_receive_item)
        feed.register(tours.REPORT_KIND, report_receive_item)
        feed.register(trainings.TRAINING_KIND, training_receive_item)
        feed.register(trainings.REGISTRATION_KIND, registration_receive_item)
        feed.register(trainings.ATTENDANCE_KIND, attendance_receive_item)
