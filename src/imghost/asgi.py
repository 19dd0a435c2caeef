"""The ASGI entry point server workers import: `imghost.asgi:app`."""

from imghost.app import create_app
from imghost.settings import Settings

app = create_app(Settings.in_worker())
