"""The Telegram bot: commands and questions answered with cited passages from the index."""
