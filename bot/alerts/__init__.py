"""Alerts: chats subscribe to topics, and newly indexed articles that match are posted there once.

Follow an article from the index to the message in this order:

- `model`: the records (subscriptions, matches, pending alerts) and their enums;
- `store`: chats, subscriptions and the alert log in the bot's database (exactly-once lives here);
- `scan`: which new articles match which subscriptions, logged as pending;
- `delivery` (with `delivery_lock`): pending alerts posted and settled, whatever Telegram answers;
- `render`: alerts, digests and subscription lists as Telegram HTML (pure);
- `jobs` (with `leader` and `problems`): the rounds that run all of that, on one replica;
- `commands` (with `arguments` and `permissions`): /subscribe and the other handlers.
"""
