"""The soak: a simulated week of the demo home, with its memory, timers and stores measured."""
