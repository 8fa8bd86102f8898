"""Questions and answers: a question in a chat becomes cited passages of the indexed articles.

Follow a question from the chat to the reply in this order:

- `questions`: what of a message is the question to search (pure);
- `budget`: how many questions a user may ask a minute, in memory or shared on PostgreSQL;
- `service`: the search off the event loop, one page at a time, and the keys of "More ▸";
- `shared_keys`: those keys in the database, for replicas that share one;
- `rendering`: answers, article lists and stats as Telegram HTML, or terminal text (pure);
- `handlers`: questions, "More ▸", /sources and /stats in Telegram;
- `local_chat`: the same answers in a terminal, without Telegram.
"""
