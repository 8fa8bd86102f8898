"""Named errors of the bot package.

`python -m bot` (the bot and its `subscriptions` commands) turns each into one `error:` line on
stderr and exit code 1, never a traceback. Every message says what is wrong and how to fix
it.
"""

from __future__ import annotations

from index.errors import DatabaseError


class BotError(Exception):
    """Base class for every error the bot package raises on purpose."""


class SubscriptionsDatabaseError(BotError, DatabaseError):
    """The subscriptions database cannot be used as it is: damaged, emptied, not ours or newer."""
