"""Migrations ``accounts.0003``, ``products.0005``, ``sla.0005``, ``service.0015``: master-data
names stored as one bilingual string ("黑色 Black") get their Chinese and English fields; the
names seeded in English only get their Chinese names. Run on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Department
from products.models import ComponentClass, ProductLine, ProductModel, Unit
from sla.models import BusinessCalendar, SlaPolicy

BEFORE = [
    ("accounts", "0002_department_scope_orders"),
    ("products", "0003_terms_updated_at"),
    ("sla", "0004_target_amount_bound"),
    ("service", "0011_at_risk_index"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_schema(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    _migrate(_latest())


def test_bilingual_strings_are_split_and_seeded_english_names_get_chinese(old_schema):
    apps = old_schema
    # given rows as they were stored before the two fields: one string per name
    OldDepartment = apps.get_model("accounts", "Department")
    OldProductLine = apps.get_model("products", "ProductLine")
    OldProductModel = apps.get_model("products", "ProductModel")
    OldComponentClass = apps.get_model("products", "ComponentClass")
    OldUnit = apps.get_model("products", "Unit")
    OldCalendar = apps.get_model("sla", "BusinessCalendar")
    OldPolicy = apps.get_model("sla", "SlaPolicy")
    OldDepartment.objects.create(code="cs", name="客服中心 Customer service", kind="customer_service")
    OldDepartment.objects.create(code="pq", name="生产质量部 Production / quality", kind="production_quality")
    OldDepartment.objects.create(code="hq", name="总部", kind="customer_service")
    line = OldProductLine.objects.create(code="cam", name="摄像头 Cameras")
    model = OldProductModel.objects.create(code="SL-X1", name="指纹智能锁 X1 / Fingerprint smart lock X1", line=line)
    OldProductModel.objects.create(code="AC26", name="壁挂式空调 1匹 / Wall-mounted AC 1 HP", line=line)
    OldProductModel.objects.create(code="EN-1", name="Heater", line=line)
    OldComponentClass.objects.update_or_create(
        code="main", defaults={"name": "Main unit and core components", "kind": "main"}
    )
    OldUnit.objects.create(serial="U-1", model=model, colour="黑色 Black", channel="官方商城 Official store")
    OldUnit.objects.create(serial="U-2", model=model, colour="white", channel="京东自营旗舰店")
    OldCalendar.objects.update_or_create(code="cn", defaults={"name": "China (mainland)"})
    OldPolicy.objects.update_or_create(code="standard", defaults={"name": "Standard service"})

    # when the migrations run
    _migrate(_latest())

    # then each name is in its two fields
    assert {d.code: (d.name, d.name_en) for d in Department.objects.filter(code__in=["cs", "pq", "hq"])} == {
        "cs": ("客服中心", "Customer service"),
        "pq": ("生产质量部", "Production / quality"),
        "hq": ("总部", ""),
    }
    assert (ProductLine.objects.get(code="cam").name, ProductLine.objects.get(code="cam").name_en) == (
        "摄像头",
        "Cameras",
    )
    assert {m.code: (m.name, m.name_en) for m in ProductModel.objects.all()} == {
        "SL-X1": ("指纹智能锁 X1", "Fingerprint smart lock X1"),
        "AC26": ("壁挂式空调 1匹", "Wall-mounted AC 1 HP"),
        "EN-1": ("Heater", ""),  # English only and not seeded: left as it is (shown in both languages)
    }
    main = ComponentClass.objects.get(code="main")
    assert (main.name, main.name_en) == ("主机及核心部件", "Main unit and core components")
    assert {u.serial: (u.colour, u.colour_en, u.channel, u.channel_en) for u in Unit.objects.all()} == {
        "U-1": ("黑色", "Black", "官方商城", "Official store"),
        "U-2": ("white", "", "京东自营旗舰店", ""),
    }
    cal = BusinessCalendar.objects.get(code="cn")
    assert (cal.name, cal.name_en) == ("中国大陆", "China (mainland)")
    policy = SlaPolicy.objects.get(code="standard")
    assert (policy.name, policy.name_en) == ("标准服务", "Standard service")


def test_a_fresh_database_has_the_seeded_names_in_both_languages(db):
    # given the database built by the migrations alone
    # then the seeded component classes, calendar and policies are named in Chinese and English
    assert {
        c.code: (c.name, c.name_en) for c in ComponentClass.objects.filter(code__in=["main", "accessory", "software"])
    } == {
        "main": ("主机及核心部件", "Main unit and core components"),
        "accessory": ("配件", "Accessories"),
        "software": ("软件", "Software"),
    }
    cal = BusinessCalendar.objects.get(code="cn")
    assert (cal.name, cal.name_en) == ("中国大陆", "China (mainland)")
    assert {p.code: (p.name, p.name_en) for p in SlaPolicy.objects.all()} == {
        "industrial": ("工业设备", "Industrial equipment"),
        "urgent": ("加急服务", "Urgent requests"),
        "standard": ("标准服务", "Standard service"),
        "complaint": ("投诉处理", "Complaints"),
    }
