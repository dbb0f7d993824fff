"""A short soak in the test suite: ``bench/soak.py`` for 20 seconds instead of 10 minutes.

The same mixed load (intake, transitions, API and console queues, details, search) from four
clients on gunicorn with 2 workers, on a fresh database of the engine ``DATABASE_URL`` names,
seeded with 500 demo orders. It must answer everything (no error, no traceback in the server
log), leave every order it wrote consistent, and keep the workers' memory flat once warm:
the long runs and their figures are in docs/reliability.md.
"""

import importlib.util

from .live import REPO, postgres_server_url

SECONDS = 20
WARM = 8  # seconds: the first requests of each kind import modules and fill caches
MAX_GROWTH_MB = 10  # per worker, from the end of the warm-up to the end


def load_soak():
    spec = importlib.util.spec_from_file_location("bench_soak", REPO / "bench" / "soak.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_soak_answers_everything_and_keeps_memory_flat(tmp_path):
    soak = load_soak()
    pg = postgres_server_url()
    report = soak.soak(
        seconds=SECONDS,
        orders=500,
        clients=4,
        db_kind="postgres" if pg else "sqlite",
        pg=pg,
        sample_every=1,
        workdir=tmp_path,
        log=lambda line: None,
    )
    print("\n" + soak.markdown(report))
    assert report["errors"] == 0, report["error_samples"]
    assert report["requests"] > 100, "the load did not run"
    assert all(report["per_kind"][kind]["requests"] for kind in soak.WEIGHTS), report["per_kind"]
    assert report["orders_written"] > 0 and report["invariant_violations"] == [], report["invariant_violations"]
    assert report["log_errors"] == [], report["log_errors"]
    assert len(report["worker_pids_seen"]) == 2, "a worker died or was replaced during the load"
    samples = report["memory_samples"]
    for pid in report["worker_pids_seen"]:
        warm = [s["rss_kb"][pid] for s in samples if s["t"] >= WARM and pid in s["rss_kb"]]
        assert len(warm) >= 5
        growth_mb = (warm[-1] - warm[0]) / 1024
        assert growth_mb < MAX_GROWTH_MB, f"worker {pid} grew {growth_mb:.1f} MB in {SECONDS - WARM} s"
