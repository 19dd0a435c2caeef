"""Notifications: replies, comments on one's posts and messages, per recipient, with viewed."""
