"""imghost: a self-hosted image host that speaks the Imgur API v3."""

__version__ = "0.1.0"
