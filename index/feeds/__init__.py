"""Feeds as a source of articles: RSS, Atom and RDF fetched on a schedule, their entries' pages
read with trafilatura, and the articles added to the index through `IndexWriter.add`.

The feed list lives in the product's database (`index.database.engine`), beside the bot's tables but
with its own tables and its own migration history (`index.feeds.migrate`).
"""
