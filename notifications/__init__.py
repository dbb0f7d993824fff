"""Notifications: one row per message and channel, sent after commit by a background job."""
