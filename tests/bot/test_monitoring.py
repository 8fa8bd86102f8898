"""The bot's metrics helpers: naming an update's kind, and counting a failed question."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from telegram import Update

from bot.monitoring import counts_errors, update_kind

USER = {"id": 1, "is_bot": False, "first_name": "Ann"}
CHAT = {"id": 1, "type": "private"}
MESSAGE = {"message_id": 5, "date": 0, "chat": CHAT, "from": USER, "text": "hi"}


def errors() -> float:
    found = REGISTRY.get_sample_value("newsbot_answers_total", {"outcome": "error"})
    assert found is not None, "every outcome is scraped from the start"
    return found


@pytest.mark.parametrize(
    ("field", "payload"),
    [
        ("message", MESSAGE),
        ("edited_message", {**MESSAGE, "edit_date": 1}),
        ("channel_post", {**MESSAGE, "chat": {"id": -100, "type": "channel"}}),
        ("callback_query", {"id": "7", "from": USER, "chat_instance": "c", "data": "more"}),
    ],
)
def test_an_update_is_named_by_what_it_carries(field: str, payload: dict[str, object]) -> None:
    update = Update.de_json({"update_id": 1, field: payload}, None)
    assert update_kind(update) == field


def test_what_is_not_an_update_is_other() -> None:
    assert update_kind(object()) == "other"
    assert update_kind(Update(update_id=1)) == "other"


async def test_a_question_the_handler_fails_on_is_counted_as_an_error_and_raised() -> None:
    @counts_errors
    async def failing(raw: str) -> None:
        raise RuntimeError(raw)

    @counts_errors
    async def answering(raw: str) -> str:
        return raw

    before = errors()
    with pytest.raises(RuntimeError, match="boom"):
        await failing("boom")
    assert await answering("fine") == "fine"
    assert errors() - before == 1
