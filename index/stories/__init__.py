"""Stories: the articles of several outlets (or one outlet's updates) that report one event.

`model` holds what a reader sees of a story; `fingerprint` what an article is compared by;
`assignment` decides, when an article is indexed, which story it joins (pure functions).
"""
