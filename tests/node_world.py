"""Fixtures of node tests: two centers with people in every role and records of every kind."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from nodes import models as m, services
from permissions.models import OrganizationKind, Role
from permissions.services import organization_create

from . import factories as f


@pytest.fixture
def world(db):
    """Center A (茅ヶ崎) and center B (小田原), each with records; users of every role."""
    a = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    b = f.center("小田原市市民活動交流センター UMECO", "142069", "小田原市")
    admin_a = f.member("admin_a", a, Role.CENTER_ADMIN)
    staff_a = f.member("staff_a", a, Role.CENTER_STAFF)
    staff_b = f.member("staff_b", b, Role.CENTER_STAFF)
    department = organization_create(acting_user=staff_a, name="環境保全課", kind=OrganizationKind.CITY_DEPARTMENT,
                                      center=a, municipality_code="142077", municipality_name="茅ヶ崎市")
    other_department = organization_create(acting_user=staff_a, name="文化生涯学習課",
                                            kind=OrganizationKind.CITY_DEPARTMENT, center=a)
    dept_staff = f.member("dept_a", department, Role.DEPARTMENT_STAFF)
    group_a = f.group(staff_a, a, "Chigasaki Cat's Protect", name_kana="チガサキキャッツプロテクト",
                      activity_fields=f.fields(7), representative_name="杉浦 花子",
                      contact_phone="0467-00-0000", contact_email="cats@example.jp")
    group_a2 = f.group(staff_a, a, "NPO法人赤ちゃんからのアートフレンドシップ協会", name_kana="アカチャンカラノアートフレンドシップキョウカイ",
                       legal_form=m.LegalForm.NPO, activity_fields=f.fields(6, 13))
    member_a = f.member("member_a", group_a.organization, Role.GROUP_MEMBER)
    group_b = f.group(staff_b, b, "めだかサポーターの会", name_kana="メダカサポーターノカイ", activity_fields=f.fields(7))

    def records(staff, center, group, dept):
        return SimpleNamespace(
            talent=services.talent_register(acting_user=staff, center=center, name="山田 太郎", name_kana="ヤマダ タロウ",
                                            skills="手品", title="手品の達人"),
            event=f.event(staff, center, "団体交流会", theme="環境保全"),
            consultation=services.consultation_open(acting_user=staff, center=center, topic="NPO法人の設立",
                                                    channel=m.ConsultationChannel.COUNTER, requester_name="岡部 太郎"),
            case=services.case_create(acting_user=staff, center=center, title="野良猫の不妊去勢手術", summary="TNR活動",
                                      form=m.CollaborationForm.KYODO_SUISHIN_GYOSEI, fiscal_year_start=2014,
                                      responsible_department=dept, total_cost=1_732_180, city_share=1_694_000,
                                      parties=[{"organization": group.organization, "role": "lead",
                                                "contribution": "猫の生態に関する専門知識"}]),
            need=services.need_create(acting_user=staff, center=center, title="飼い主のいない猫対策",
                                      description="地域の苦情対応", requester=dept),
            offer=services.offer_create(acting_user=staff, group=group, title="譲渡会の開催", description="保護猫の譲渡会"),
            desk=services.desk_save(acting_user=staff, department=dept, desk_name="協働推進担当",
                                    switchboard="0467-81-5511", themes="協働、市民活動"),
            menu_item=services.menu_item_create(acting_user=staff, department=dept, kind=m.MenuItemKind.VENUE,
                                                title="会議室の貸出", description="打ち合わせに使えます",
                                                fiscal_year=2026),
        )

    rec_a = records(staff_a, a, group_a, department)
    rec_b_department = organization_create(acting_user=staff_b, name="市民部", kind=OrganizationKind.CITY_DEPARTMENT, center=b)
    rec_b = records(staff_b, b, group_b, rec_b_department)
    other_case = services.case_create(acting_user=staff_a, center=a, title="美術「みるっこ」プログラム事業", summary="鑑賞出張講座",
                                      form=m.CollaborationForm.KYODO_SUISHIN_SHIMIN, fiscal_year_start=2016,
                                      fiscal_year_end=2017, responsible_department=other_department)
    offer_a2 = services.offer_create(acting_user=staff_a, group=group_a2, title="鑑賞出張講座", description="幼稚園で")
    return SimpleNamespace(
        a=a, b=b, admin_a=admin_a, staff_a=staff_a, staff_b=staff_b, dept_staff=dept_staff, member_a=member_a,
        department=department, other_department=other_department, group_a=group_a, group_a2=group_a2,
        group_b=group_b, rec_a=rec_a, rec_b=rec_b, other_case=other_case, offer_a2=offer_a2,
        today=dt.date.today(),
    )


