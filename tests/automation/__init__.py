"""Tests of the automation engine."""
