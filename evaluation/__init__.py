"""Retrieval quality on public data sets (`../shared/eval`), with the product's own search:
`python -m evaluation`. Not part of the product: nothing under `index/` or `bot/` imports it."""
