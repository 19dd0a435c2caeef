"""Private messages between accounts: conversations, messages, blocks."""
