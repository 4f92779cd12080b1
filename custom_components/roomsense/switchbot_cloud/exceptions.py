"""Exceptions raised by the SwitchBot Cloud API client."""

from __future__ import annotations


class SwitchBotError(Exception):
    """Base class for every error of the SwitchBot Cloud client."""


class SwitchBotConnectionError(SwitchBotError):
    """The cloud could not be reached: timeout, connection failure or an HTTP 5xx.

    `request_sent` is False only when the request provably never left: the connection
    could not be opened. Only then may a command be sent again without risk.
    """

    def __init__(self, message: str, *, request_sent: bool = True, answered: bool = False) -> None:
        """Say whether the request may have reached the cloud, and whether it answered.

        `answered`: the cloud is up but failing (HTTP 5xx or 429, or a body that is not
        JSON), as opposed to not answering at all.
        """
        super().__init__(message)
        self.request_sent = request_sent
        self.answered = answered


class SwitchBotAuthenticationError(SwitchBotError):
    """The cloud rejected the token or the signature (HTTP 401)."""


class SwitchBotApiError(SwitchBotError):
    """The cloud answered with an application error (`statusCode` other than 100)."""

    def __init__(self, status_code: int, message: str) -> None:
        """Keep the application status code and message of the answer."""
        super().__init__(f"SwitchBot API error {status_code}: {message or 'no message'}")
        self.status_code = status_code
        self.api_message = message


class SwitchBotQuotaExceededError(SwitchBotApiError):
    """The account has spent its daily call budget (statusCode 190, daily-limit message)."""


class SwitchBotOfflineError(SwitchBotApiError):
    """The device or its hub is offline."""


class SwitchBotDeviceOfflineError(SwitchBotOfflineError):
    """The device itself is offline (statusCode 161)."""


class SwitchBotHubOfflineError(SwitchBotOfflineError):
    """The hub that bridges the device to the cloud is offline (statusCode 171)."""


class SwitchBotCommandError(SwitchBotApiError):
    """The command was not accepted (statusCode 151, 152 or 160)."""


class SwitchBotDeviceTypeError(SwitchBotCommandError):
    """The device type cannot take this command (statusCode 151)."""


class SwitchBotDeviceNotFoundError(SwitchBotCommandError):
    """No device with this id exists on the account (statusCode 152)."""


class SwitchBotUnsupportedCommandError(SwitchBotCommandError):
    """The device does not support this command (statusCode 160)."""


class SwitchBotDeviceError(SwitchBotApiError):
    """statusCode 190 (other than the daily limit) or any undocumented application code.

    190 covers both "device internal error" and "invalid command format".
    """


class SwitchBotWebhookExistsError(SwitchBotDeviceError):
    """setupWebhook was called while the account already has a webhook URL."""
