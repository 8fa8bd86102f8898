"""Questions and answers: a question in a chat becomes cited passages of the indexed articles.

Follow a question from the chat to the reply in this order:

- `questions`: what of a message is the question to search (pure);
- `budget`: how many questions a user may ask a minute, in memory or shared on PostgreSQL;
- `service`: the search off the event loop, one page at a time, and the keys of "More ▸";
- `shared_keys`: those keys in the database, for replicas that share one;
- `rendering`: answers, article lists and stats as Telegram HTML, or terminal text (pure);
- `answer_buttons`: ◂ Back / More ▸ and 👍 / 👎 under an answer, and their data (pure);
- `listings`: the article and story lists of /sources, a page at a time;
- `handlers`: questions, "More ▸", /sources and /stats in Telegram;
- `conversation`: each chat's last answered questions (`Turn`s), so a reply can follow one up;
- `votes`: readers' 👍 / 👎 on answers in the database, with what each answer cited;
- `voting`: those votes in Telegram: a press counted, the buttons redrawn;
- `local_chat`: the same answers and commands in a terminal, without Telegram.
"""
