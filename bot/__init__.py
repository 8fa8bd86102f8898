"""The Telegram bot: commands and questions answered with cited passages from the index.

`application` is the one place that builds the bot and wires every handler and job;
`python -m bot` (`__main__`) runs it, or a chat in the terminal without a token.

- One package per feature: `answers/` (questions, "More ▸", /sources, /stats), `alerts/`
  (subscriptions and the alerts they bring), `feeds/` (/feeds and the feed round).
- What every handler is given: `context` (the typed context, and the services in its
  `bot_data`); `core_handlers` answers /start, /help, stale buttons and errors in every chat.
- What every feature renders with: `texts` (every sentence the bot says), `citations`,
  `excerpts`, `escaping` and `html_split` (Telegram HTML within Telegram's limit).
- Around Telegram: `message_rate_limiter`, `webhook` and `webhook_server`, `startup` (the
  index opened before serving), `inbox` (article files dropped in a folder), `settings`, `logs`,
  `errors`.
- The bot's database: `database`, `database_outage`, `schema`, `migrate` (with `migrations/`),
  and the `python -m bot` commands on it, `cli` (subscriptions) and `db_cli` with `db_copy`.
"""
