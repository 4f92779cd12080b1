"""Tests of the language-model adapters."""
