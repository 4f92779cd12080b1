"""Job handlers for a Raspberry Pi Pico W (MicroPython).

`HANDLERS` maps each command name to a function: it takes the job's payload (a dict;
`agent` takes the instruction text) and returns a dict, or raises to fail the job.
These drive the real hardware: GPIO outputs and the RP2040's on-chip temperature sensor.
Keep edge_cli.PICO_W_CAPABILITIES (used when registering from a computer) in step.
"""

import machine

ADC_TEMPERATURE_CHANNEL = 4  # the RP2040's internal temperature sensor
ADC_VREF = 3.3
# From the RP2040 datasheet: 0.706 V at 27 °C, falling 1.721 mV per degree.
SENSOR_VOLTS_AT_27C = 0.706
SENSOR_VOLTS_PER_DEGREE = 0.001721

# GP23, GP24, GP25 and GP29 drive the Pico W's wireless chip: never let a job touch them.
RESERVED_PINS = (23, 24, 25, 29)
LED_PIN = "LED"  # the Pico W's on-board LED, wired through the wireless chip


def _check_pin(pin):
    if pin == LED_PIN:
        return pin
    if isinstance(pin, bool) or not isinstance(pin, int) or pin < 0 or pin > 28:
        raise ValueError("payload.pin must be 0 to 28 or 'LED', got " + repr(pin))
    if pin in RESERVED_PINS:
        raise ValueError(f"GP{pin} belongs to the Wi-Fi chip on a Pico W")
    return pin


def gpio(payload):
    """Drive an output pin: `{"pin": 0..28 or "LED", "value": 0|1}`."""
    if not isinstance(payload, dict):
        raise TypeError("the payload must be a JSON object")
    pin = _check_pin(payload.get("pin"))
    value = payload.get("value")
    if value is True or value is False:
        value = int(value)
    if value not in (0, 1):
        raise ValueError("payload.value must be 0 or 1, got " + repr(value))
    machine.Pin(pin, machine.Pin.OUT).value(value)
    return {"pin": pin, "value": value, "simulated": False}


def adc_to_celsius(raw):
    """Convert a 16-bit reading of the temperature sensor channel to °C."""
    volts = raw * ADC_VREF / 65535
    return 27 - (volts - SENSOR_VOLTS_AT_27C) / SENSOR_VOLTS_PER_DEGREE


def read_temperature_c():
    """The RP2040 die temperature, rounded to 0.1 °C."""
    raw = machine.ADC(ADC_TEMPERATURE_CHANNEL).read_u16()
    return round(adc_to_celsius(raw), 1)


def sensor_read(_payload):
    """The on-board temperature sensor (the Pico W has no humidity sensor)."""
    return {"sensor": "rp2040_internal", "temperature_c": read_temperature_c(), "simulated": False}


def cpu_temperature(_payload):
    """The RP2040 chip temperature, like the Raspberry Pi 4's cpu_temperature."""
    return {"temperature_c": read_temperature_c(), "source": "rp2040_adc4", "simulated": False}


def agent(instruction):
    """Answer an English instruction by echoing it back; the Pico runs no model."""
    text = str(instruction)
    return {"answer": "echo: " + text, "instruction": text, "handled_by": "echo"}


def echo(payload):
    """Return the payload unchanged: a round-trip test."""
    return {"echo": payload}


HANDLERS = {
    "agent": agent,
    "cpu_temperature": cpu_temperature,
    "echo": echo,
    "gpio": gpio,
    "sensor_read": sensor_read,
}
