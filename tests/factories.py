import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Department, User
from customers.models import Customer
from products.models import ProductLine, ProductModel, Unit
from service.models import WorkOrder


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")
    kind = "customer_service"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    role = "agent"
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def dispatch(obj, create, extracted, **kwargs):
        """A field engineer can take any work at any time (``engineer_profile``'s defaults) and
        no automatic assignment, unless ``dispatch=False`` (no profile) or a dict of options."""
        if create and obj.role == "engineer" and extracted is not False:
            engineer_profile(obj, **(extracted if isinstance(extracted, dict) else {}))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")


class ProductLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLine
        django_get_or_create = ("code",)

    code = "home"
    name = "Smart home"


class ProductModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductModel

    code = factory.Sequence(lambda n: f"M-{n}")
    name = factory.Sequence(lambda n: f"Model {n}")
    line = factory.SubFactory(ProductLineFactory)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    model = factory.SubFactory(ProductModelFactory)
    sale_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    owner = factory.SubFactory(CustomerFactory)


class WorkOrderFactory(factory.django.DjangoModelFactory):
    """A bare order in a given state (for tests of reads; writes go through services)."""

    class Meta:
        model = WorkOrder

    customer = factory.SubFactory(CustomerFactory)
    contact_name = factory.LazyAttribute(lambda o: o.customer.name)
    contact_phone = factory.LazyAttribute(lambda o: o.customer.phone)
    service_type = "repair"
    channel = "phone"
    fault_description = "It does not start."
    address = "上海市浦东新区世纪大道100号"


def engineer_profile(
    user,
    *,
    regions=(),
    skills=((None, "", 3),),
    shifts="always",
    auto_assign=False,
    capacity=10000,
    daily_capacity=50,
    **fields,
):
    """A dispatch profile for ``user`` through the ORM (test data): ``skills`` as (product line
    or None, service type or "", level); ``shifts="always"`` gives every day 00:00–24:00 (rest
    days too), ``()`` the calendar's hours, or a list of (weekday, "HH:MM", "HH:MM")."""
    from dispatch.models import EngineerProfile, ServiceArea, Shift, Skill

    profile = EngineerProfile.objects.create(
        user=user, auto_assign=auto_assign, capacity=capacity, daily_capacity=daily_capacity, **fields
    )
    ServiceArea.objects.bulk_create([ServiceArea(profile=profile, region=r) for r in regions])
    Skill.objects.bulk_create(
        [Skill(profile=profile, product_line=line, service_type=kind, level=level) for line, kind, level in skills]
    )
    if shifts == "always":
        shifts = [(d, "00:00", "00:00", True) for d in range(7)]
    Shift.objects.bulk_create(
        [
            Shift(
                profile=profile,
                weekday=row[0],
                starts=dt.time.fromisoformat(row[1]),
                ends=dt.time.fromisoformat(row[2]),
                on_rest_days=row[3] if len(row) > 3 else False,
            )
            for row in shifts
        ]
    )
    return profile
