"""Tests for the reference edge device clients under edge_device_code/."""
