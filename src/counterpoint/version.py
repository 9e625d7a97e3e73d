"""The version of counterpoint (a leaf: every stage may read it without importing the API)."""

__version__ = "0.1.0"
