"""Tests that run on both stores of index versions (VECTOR_STORE): the `vector_store` fixture of
tests/index/conftest.py takes the parameter."""

from __future__ import annotations

import pytest

both_stores = pytest.mark.parametrize("vector_store", ["faiss", "milvus"], indirect=True)
"""Run a test once on FAISS version folders and once on Milvus Lite collections."""
