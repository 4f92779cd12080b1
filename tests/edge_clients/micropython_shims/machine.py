"""A stand-in for MicroPython's `machine` module: records pin writes, fakes the ADC."""

writes = []  # (pin, value) for every Pin.value(v)
adc_channels = []  # every ADC(channel) made
adc_raw = [14022]  # what ADC.read_u16() returns (a list, so tests can change it)
resets = []


class Pin:
    IN = 0
    OUT = 1

    def __init__(self, pin, mode=-1):
        self.pin = pin
        self.mode = mode
        self._value = 0

    def value(self, value=None):
        if value is None:
            return self._value
        self._value = value
        writes.append((self.pin, value))
        return None

    def toggle(self):
        self.value(1 - self._value)


class ADC:
    def __init__(self, channel):
        self.channel = channel
        adc_channels.append(channel)

    def read_u16(self):
        return adc_raw[0]


def reset():
    resets.append(True)
