"""Shared pytest set-up: markers are declared in pyproject.toml (--strict-markers)."""

import os

import pytest

# Plots in tests never need a display.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    """A seeded generator; tests that need another seed make their own."""
    import numpy as np
    return np.random.default_rng(12345)
