"""Fuzzing of every HTTP entry of RoomSense and of its services' schemas (Hypothesis)."""
