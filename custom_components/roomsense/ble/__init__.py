"""SwitchBot devices over Bluetooth (PySwitchbot), joined to their cloud twins."""
