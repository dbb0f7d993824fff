"""Engineer profiles as rows: skills, certificates, service areas and shifts replace the
``",a,b,"`` strings (docs/dispatch.md).

The data step keeps every engineer eligible for what they were before, as far as rows can say it:
- ``regions`` → one ``ServiceArea`` per region (an empty list stays "every region");
- ``product_lines`` → one ``Skill`` per known product-line code, for every service type, at the
  qualified level; an empty list ("trained for every line") → one skill for every line and type;
  an unknown code is dropped (it never matched an order);
- ``certificate_valid_until`` → a certificate of the kind ``service-qualification`` (上岗证),
  created once. No work requires that kind until an administrator says so (a
  ``CertificateRequirement``): the old single date blocked everything, the rows block only the
  work that needs the certificate.
Backwards, the strings are rebuilt from the rows.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
import datetime
from django.db import migrations, models


QUALIFIED = 2


def _items(text):
    return [i for i in (text or "").split(",") if i]


def rows_from_strings(apps, schema_editor):
    Profile = apps.get_model("dispatch", "EngineerProfile")
    Skill = apps.get_model("dispatch", "Skill")
    Area = apps.get_model("dispatch", "ServiceArea")
    Kind = apps.get_model("dispatch", "CertificateKind")
    Certificate = apps.get_model("dispatch", "Certificate")
    ProductLine = apps.get_model("products", "ProductLine")
    lines = dict(ProductLine.objects.values_list("code", "id"))
    kind = None
    for p in Profile.objects.all().iterator():
        Area.objects.bulk_create([Area(profile_id=p.pk, region=r) for r in dict.fromkeys(_items(p.regions))])
        codes = _items(p.product_lines)
        if codes:
            skills = [
                Skill(profile_id=p.pk, product_line_id=lines[c], level=QUALIFIED)
                for c in dict.fromkeys(codes)
                if c in lines
            ]
        else:
            skills = [Skill(profile_id=p.pk, product_line_id=None, level=QUALIFIED)]
        Skill.objects.bulk_create(skills)
        if p.certificate_valid_until is not None:
            if kind is None:
                kind, _created = Kind.objects.get_or_create(
                    code="service-qualification", defaults={"name": "上岗证", "name_en": "Service qualification"}
                )
            Certificate.objects.create(profile_id=p.pk, kind=kind, valid_until=p.certificate_valid_until)


def strings_from_rows(apps, schema_editor):
    Profile = apps.get_model("dispatch", "EngineerProfile")
    Skill = apps.get_model("dispatch", "Skill")
    Area = apps.get_model("dispatch", "ServiceArea")
    Certificate = apps.get_model("dispatch", "Certificate")
    for p in Profile.objects.all().iterator():
        regions = list(Area.objects.filter(profile_id=p.pk).order_by("id").values_list("region", flat=True))
        skills = list(Skill.objects.filter(profile_id=p.pk).select_related("product_line").order_by("id"))
        codes = [] if any(s.product_line_id is None for s in skills) else [s.product_line.code for s in skills]
        dates = [c.valid_until for c in Certificate.objects.filter(profile_id=p.pk) if c.valid_until]
        p.regions = f",{','.join(regions)}," if regions else ""
        p.product_lines = f",{','.join(dict.fromkeys(codes))}," if codes else ""
        p.certificate_valid_until = min(dates) if dates else None
        p.save(update_fields=["regions", "product_lines", "certificate_valid_until"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_absence"),
        ("dispatch", "0001_initial"),
        ("products", "0005_bilingual_names"),
        ("sla", "0005_bilingual_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Certificate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.CharField(blank=True, max_length=60, verbose_name="number")),
                (
                    "valid_until",
                    models.DateField(blank=True, help_text="Empty: no expiry.", null=True, verbose_name="valid until"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "certificate",
                "verbose_name_plural": "certificates",
            },
        ),
        migrations.CreateModel(
            name="CertificateKind",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, verbose_name="name (Chinese)")),
                (
                    "name_en",
                    models.CharField(
                        blank=True,
                        help_text="Empty: the Chinese name is shown.",
                        max_length=120,
                        verbose_name="name (English)",
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "certificate kind",
                "verbose_name_plural": "certificate kinds",
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="CertificateRequirement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "service_type",
                    models.CharField(
                        blank=True, help_text="Empty: every service type.", max_length=20, verbose_name="service type"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "certificate requirement",
                "verbose_name_plural": "certificate requirements",
            },
        ),
        migrations.CreateModel(
            name="ServiceArea",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("region", models.CharField(max_length=60, verbose_name="region")),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "service area",
                "verbose_name_plural": "service areas",
            },
        ),
        migrations.CreateModel(
            name="Shift",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ],
                        verbose_name="weekday",
                    ),
                ),
                ("starts", models.TimeField(verbose_name="from")),
                ("ends", models.TimeField(help_text="00:00 means midnight, the end of the day.", verbose_name="until")),
                (
                    "on_rest_days",
                    models.BooleanField(
                        default=False,
                        help_text="Worked even when the calendar has a holiday or weekend.",
                        verbose_name="also on rest days",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "shift",
                "verbose_name_plural": "shifts",
                "ordering": ["weekday", "starts"],
            },
        ),
        migrations.CreateModel(
            name="Skill",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "service_type",
                    models.CharField(
                        blank=True, help_text="Empty: every service type.", max_length=20, verbose_name="service type"
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "Trainee"), (2, "Qualified"), (3, "Expert")], default=2, verbose_name="level"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "skill",
                "verbose_name_plural": "skills",
            },
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="calendar",
            field=models.ForeignKey(
                blank=True,
                help_text="Working days and default hours; empty: the calendar of the first service area, else the default.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="sla.businesscalendar",
                verbose_name="calendar",
            ),
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="daily_capacity",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Visits a day at most; empty for the dispatch.daily_visits setting.",
                null=True,
                validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(500)],
                verbose_name="daily capacity (visits)",
            ),
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="home_address",
            field=models.CharField(blank=True, max_length=200, verbose_name="home base"),
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="home_lat",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                max_digits=9,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-90),
                    django.core.validators.MaxValueValidator(90),
                ],
                verbose_name="home latitude (WGS-84)",
            ),
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="home_lng",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                max_digits=9,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(-180),
                    django.core.validators.MaxValueValidator(180),
                ],
                verbose_name="home longitude (WGS-84)",
            ),
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="van_capacity",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Load units the van carries (parts, units).",
                null=True,
                verbose_name="van capacity",
            ),
        ),
        migrations.AddField(
            model_name="engineerprofile",
            name="van_plate",
            field=models.CharField(blank=True, help_text="Registration plate.", max_length=20, verbose_name="van"),
        ),
        migrations.AddConstraint(
            model_name="engineerprofile",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("home_lat__isnull", True), ("home_lng__isnull", True)),
                    models.Q(("home_lat__isnull", False), ("home_lng__isnull", False)),
                    _connector="OR",
                ),
                name="dispatch_home_both_or_none",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="profile",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="certificates", to="dispatch.engineerprofile"
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="kind",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="dispatch.certificatekind",
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="certificaterequirement",
            name="kind",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="dispatch.certificatekind", verbose_name="certificate"
            ),
        ),
        migrations.AddField(
            model_name="certificaterequirement",
            name="product_line",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: every product line.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="products.productline",
                verbose_name="product line",
            ),
        ),
        migrations.AddField(
            model_name="servicearea",
            name="profile",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="areas", to="dispatch.engineerprofile"
            ),
        ),
        migrations.AddField(
            model_name="shift",
            name="profile",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="shifts", to="dispatch.engineerprofile"
            ),
        ),
        migrations.AddField(
            model_name="skill",
            name="product_line",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: every product line.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="products.productline",
                verbose_name="product line",
            ),
        ),
        migrations.AddField(
            model_name="skill",
            name="profile",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="skills", to="dispatch.engineerprofile"
            ),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(fields=("profile", "kind"), name="dispatch_certificate_unique"),
        ),
        migrations.AddIndex(
            model_name="servicearea",
            index=models.Index(fields=["region"], name="dispatch_area_region"),
        ),
        migrations.AddConstraint(
            model_name="servicearea",
            constraint=models.UniqueConstraint(fields=("profile", "region"), name="dispatch_area_unique"),
        ),
        migrations.AddConstraint(
            model_name="shift",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends__gt", models.F("starts")), ("ends", datetime.time(0, 0)), _connector="OR"),
                name="dispatch_shift_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="skill",
            constraint=models.UniqueConstraint(
                condition=models.Q(("product_line__isnull", False)),
                fields=("profile", "product_line", "service_type"),
                name="dispatch_skill_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="skill",
            constraint=models.UniqueConstraint(
                condition=models.Q(("product_line__isnull", True)),
                fields=("profile", "service_type"),
                name="dispatch_skill_any_line",
            ),
        ),
        migrations.RunPython(rows_from_strings, strings_from_rows),
        migrations.RemoveField(
            model_name="engineerprofile",
            name="certificate_valid_until",
        ),
        migrations.RemoveField(
            model_name="engineerprofile",
            name="product_lines",
        ),
        migrations.RemoveField(
            model_name="engineerprofile",
            name="regions",
        ),
    ]
