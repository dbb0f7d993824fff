"""Departments, the demo logins (one per role) and their API tokens.

Demo API tokens are derived, not random: HMAC-SHA256 of the seed and the username
keyed with ``SECRET_KEY``. Only their SHA-256 is stored (``ApiToken.digest``, as for
any token); ``demo_logins`` derives them again from the seed recorded in
``DemoDataset`` and prints only those that still match a live token.
"""

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from accounts.models import ApiToken, Department, User
from customers.models import Address, Contact, Customer
from dispatch.models import EngineerProfile, SkillLevel
from dispatch.services import (
    CertificateIn,
    ShiftIn,
    SkillIn,
    certificate_kind_save,
    certificate_requirement_add,
    engineer_profile_save,
)
from notifications.preferences import preference_set
from products.models import ProductLine

from . import catalogue

DEMO_PASSWORD = "demo-Pass-2026"
TOKEN_NAME = "demo"


def demo_token(username: str, seed: int) -> str:
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"demo-api-token:{seed}:{username}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def ensure_departments() -> dict[str, Department]:
    result = {}
    for code, name, name_en, kind in catalogue.DEPARTMENTS:
        dept, _created = Department.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "kind": kind}
        )
        result[code] = dept
    return result


def _names(display: str) -> tuple[str, str]:
    first, _sep, last = display.partition(" ")
    return (first, last) if last else (display, "")


def ensure_demo_users(*, seed: int, departments: dict[str, Department]) -> dict[str, User]:
    """Create or reset the demo logins: known password, role, department, a derived API token."""
    password = make_password(DEMO_PASSWORD)  # hashed once: the demo users share it
    users = {}
    for username, role, dept, display, phone in catalogue.DEMO_USERS:
        first, last = _names(display)
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "department": departments.get(dept) if dept else None,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                "phone": phone,
                "is_active": True,
                "is_staff": role == "admin",
                "is_superuser": role == "admin",
                "password": password,
            },
        )
        token = demo_token(username, seed)
        ApiToken.objects.filter(user=user, name=TOKEN_NAME).delete()
        ApiToken.objects.create(user=user, name=TOKEN_NAME, prefix=token[:8], digest=ApiToken.hash(token))
        users[username] = user
    return users


def ensure_demo_customers(users: dict[str, User]) -> dict[str, Customer]:
    """The archive records of the demo customer logins (with an address and a contact)."""
    result = {}
    for username, (kind, tier, province, company) in catalogue.DEMO_CUSTOMERS.items():
        user = users[username]
        place = next(p for p in catalogue.PLACES if p[0] == province)
        customer, created = Customer.objects.update_or_create(
            user=user,
            defaults={
                "name": company or user.display_name(),
                "kind": kind,
                "tier": tier,
                "phone": user.phone,
                "email": user.email,
                "region": province,
            },
        )
        if created:
            Address.objects.create(
                customer=customer,
                label="默认",
                province=place[0],
                city=place[1],
                line=f"{place[2][0]}{catalogue.STREETS[len(result)]}{88 + len(result)}号",
                is_default=True,
            )
            Contact.objects.create(
                customer=customer, name=user.display_name(), phone=user.phone, email=user.email, is_primary=True
            )
        # the product's messages reach them in the language they write in
        english = username in catalogue.DEMO_CUSTOMERS_IN_ENGLISH
        preference_set(actor=user, language="en" if english else "zh-hans")
        result[username] = customer
    return result


# The demo engineers' dispatch profiles: regions (provinces; "" is all), product-line skills
# ("" is every line), home city, weekday shifts, and a certificate some work needs.
# In the demo's history the desk assigns every order by hand (the drafted route says when and to
# whom, at any hour and in any region), so while it is written the engineers work round the clock
# everywhere and take no automatic assignments (the bulk loader could not replay the dispatch
# rule's picks). Six engineers carry the whole demo's open orders, far beyond a real capacity:
# after loading (``make_room_for_new_orders``) each gets their real coverage and hours and takes
# automatic assignments again, with room for DEMO_ROOM more orders, so that intake has someone
# to pick.
DEMO_ROOM = 500
DEMO_DAILY_VISITS = 8
OFFICE_HOURS = [(d, "08:30", "12:00") for d in range(5)] + [(d, "13:00", "17:30") for d in range(5)]
WEEKEND_DUTY = OFFICE_HOURS + [(5, "09:00", "16:00", True)]
ENGINEER_COVERAGE = {
    "engineer": ("上海市,江苏省,浙江省", "", "上海市", WEEKEND_DUTY),
    "engineer2": ("北京市,天津市,河北省,山东省,山西省,辽宁省,吉林省,黑龙江省", "", "北京市", OFFICE_HOURS),
    "engineer3": (
        "上海市,江苏省,浙江省,安徽省,福建省,江西省",
        "air-conditioner,smart-lock,camera,robot-vacuum",
        "杭州市",
        OFFICE_HOURS,
    ),
    "engineer4": ("广东省,海南省,湖南省,湖北省,河南省", "", "广州市", WEEKEND_DUTY),
    "engineer5": ("四川省,重庆市,云南省,贵州省,陕西省,甘肃省,青海省", "", "成都市", OFFICE_HOURS),
    "engineer6": ("", "production-line", "苏州市", OFFICE_HOURS),
}
# Refrigerant work needs the operation certificate (制冷与空调作业证); engineer3's expired.
REFRIGERANT = ("refrigerant", "制冷与空调作业证", "Refrigeration and air-conditioning operation certificate")
CERTIFIED = {"engineer": 800, "engineer4": 400, "engineer3": -30}  # days valid from today (negative: expired)


ROUND_THE_CLOCK = [ShiftIn(d, dt.time(0), dt.time(0), True) for d in range(7)]


HISTORY_CAPACITY = 32000  # the field's range: up to 32,767


def ensure_engineer_profiles(users: dict[str, User]) -> int:
    """The demo engineers' profiles as the history needs them (see above)."""
    for username in ENGINEER_COVERAGE:
        user = users.get(username)
        if user is not None:
            engineer_profile_save(
                actor=None,
                user_id=user.pk,
                regions=[],
                skills=[SkillIn(level=SkillLevel.EXPERT)],
                shifts=ROUND_THE_CLOCK,
                certificates=[],
                team_id=user.department_id,
                auto_assign=False,
                daily_capacity=500,
                # the history's engineers carry every open order of the year being written (the
                # desk assigns them by hand, which checks the open-order capacity)
                capacity=HISTORY_CAPACITY,
            )
    return len(ENGINEER_COVERAGE)


def _shift(row) -> ShiftIn:
    return ShiftIn(row[0], dt.time.fromisoformat(row[1]), dt.time.fromisoformat(row[2]), len(row) > 3)


def make_room_for_new_orders() -> None:
    """After the history is written: each demo engineer's real coverage, hours, certificate,
    home base and van; automatic assignments again, capacity = open orders + ``DEMO_ROOM``."""
    lines = dict(ProductLine.objects.values_list("code", "id"))
    kind = certificate_kind_save(actor=None, code=REFRIGERANT[0], name=REFRIGERANT[1], name_en=REFRIGERANT[2])
    if "air-conditioner" in lines:
        certificate_requirement_add(
            actor=None, kind_id=kind.pk, product_line_id=lines["air-conditioner"], service_type="installation"
        )
    today = timezone.localdate()
    profiles = EngineerProfile.objects.filter(user__username__in=list(ENGINEER_COVERAGE)).select_related("user")
    for n, profile in enumerate(profiles.order_by("user__username")):
        regions, codes, city, shifts = ENGINEER_COVERAGE[profile.user.username]
        lat, lng = catalogue.CITY_CENTRES[city]
        wanted = [c for c in codes.split(",") if c in lines]
        days = CERTIFIED.get(profile.user.username)
        engineer_profile_save(
            actor=None,
            user_id=profile.user_id,
            regions=[r for r in regions.split(",") if r],
            skills=[SkillIn(lines[c]) for c in wanted] or [SkillIn()],
            shifts=[_shift(row) for row in shifts],
            certificates=[CertificateIn(kind.pk, today + dt.timedelta(days=days), f"T{2026000 + n}")]
            if days is not None
            else [],
            home_address=f"{city}服务站",
            home_lat=Decimal(f"{lat + 0.01 * (n % 3):.6f}"),
            home_lng=Decimal(f"{lng - 0.01 * (n % 2):.6f}"),
            van_plate=f"沪A·D{1000 + n}",
            van_capacity=30,
            daily_capacity=DEMO_DAILY_VISITS,
            capacity=min(profile.open_orders + DEMO_ROOM, 32000),
            auto_assign=True,
        )


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    token: str


def demo_logins(seed: int | None) -> list[Login]:
    """The demo users that exist, with the password and the API token still valid for them."""
    wanted = [u[0] for u in catalogue.DEMO_USERS]
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    live = set(
        ApiToken.objects.filter(user__in=users.values(), name=TOKEN_NAME, revoked=False).values_list(
            "digest", flat=True
        )
    )
    checked: dict[str, bool] = {}  # the demo users share one hash: check it once
    result = []
    for username in wanted:
        user = users.get(username)
        if user is None:
            continue
        token = demo_token(username, seed) if seed is not None else ""
        if user.password not in checked:
            checked[user.password] = check_password(DEMO_PASSWORD, user.password)
        password = DEMO_PASSWORD if checked[user.password] else ""
        result.append(Login(user.role, username, password, token if ApiToken.hash(token) in live else ""))
    return result
