"""Feeds: RSS, Atom and RDF feeds whose new entries are indexed, and then alerted like any article.

Fetching and indexing live in `index.feeds`; here is what the bot adds:

- `jobs`: the round that fetches the feeds that are due, on the replica that leads;
- `commands`: /feeds, for the bot's admins, lists, adds and removes them.
"""
