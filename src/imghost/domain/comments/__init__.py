"""Comments on gallery posts."""
