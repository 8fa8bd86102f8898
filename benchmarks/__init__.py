"""Benchmarks: scripts that print measured figures and ratios against a baseline run in the same
process. Run each from the repository root as a module: `python -m benchmarks.NAME --help`."""

import os

# No model or data set is ever fetched from a hub: the model comes from an installed package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
