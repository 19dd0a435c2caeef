"""The ASGI entry point server workers import: `imghost.asgi:app`."""

from imghost.app import create_app

app = create_app()
