"""The benchmark's floor: Django and the database alone (one INSERT, or one indexed SELECT, per request).

A separate tiny project, so that the product has no such endpoint. Same Django, same gunicorn,
same database settings as ours (``DATABASE_URL``; SQLite in WAL mode with the same pragmas).
"""
