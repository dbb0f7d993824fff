"""Load the demo data set: ``manage.py seed_demo --orders 2000 [--seed 42] [--if-empty] [--batch 5000] [--bulk]``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.generator import SERVICES_LIMIT, generate
from service.models import WorkOrder


class Command(BaseCommand):
    help = "Load a reproducible demo data set (demo logins, catalogue, customers, units, work orders)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=2000, help="number of work orders (default 2000)")
        parser.add_argument("--seed", type=int, default=42, help="random seed: same seed, same data (default 42)")
        parser.add_argument(
            "--batch",
            type=int,
            default=5000,
            help="customers, units or orders per batch (default 5000; the whole load is one transaction)",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when work orders exist")
        parser.add_argument(
            "--bulk",
            action="store_true",
            default=None,
            help=f"write the orders in bulk below the services (benchmarks; the default above {SERVICES_LIMIT:,} orders)",
        )
        parser.add_argument(
            "--services",
            dest="bulk",
            action="store_false",
            help=f"write the orders through the services (the default up to {SERVICES_LIMIT:,} orders)",
        )

    def handle(self, *args, orders, seed, batch, if_empty, bulk=None, **options):
        if orders < 0 or batch < 1:
            raise CommandError("--orders must be 0 or more and --batch at least 1.")
        existing = WorkOrder.objects.exists()
        if existing and if_empty:
            self.stdout.write("Work orders exist already: demo data not loaded.")
            return
        if existing:
            raise CommandError(
                "The database has work orders already. Use --if-empty to skip, or load the demo into an empty database."
            )
        now = timezone.now().replace(minute=0, second=0, microsecond=0)  # same hour, same data
        verbose = options["verbosity"] >= 1

        def progress(stage, done, total, rows, seconds):
            if not verbose:
                return
            if stage == "indexes":
                self.stdout.write(f"  indexes: building indexes and checking foreign keys ({seconds:.1f}s so far)")
                return
            rate = rows / seconds if seconds else 0.0
            unit = "calls" if stage == "services" else "rows"  # orders through the services: service calls
            self.stdout.write(
                f"{stage:>9}: {done:>9,}/{total:,} ({done * 100 // max(total, 1):>3}%)  "
                f"{rows:>11,} {unit} in {seconds:7.1f}s  {rate:>9,.0f} {unit}/s"
            )

        through_services = None if bulk is None else not bulk
        result = generate(
            seed=seed, orders=orders, now=now, batch=batch, progress=progress, through_services=through_services
        )
        if result.calls:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded through the services: {result.orders:,} work orders, {result.calls:,} service "
                    f"calls, {result.rows:,} rows in {result.seconds:.1f}s. Logins: manage.py demo_logins"
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {result.orders:,} work orders, {result.rows:,} rows in {result.seconds:.1f}s "
                f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s, "
                f"{result.orders / max(result.seconds, 1e-9):,.0f} orders/s). Logins: manage.py demo_logins"
            )
        )
