"""Pixel and container work. Knows nothing of HTTP, the database or storage: paths and bytes in, facts out."""
