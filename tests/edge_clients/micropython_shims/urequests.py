"""A stand-in for MicroPython's `urequests`: scripted answers, recorded calls."""

answers = []  # (status, text) tuples or exceptions to raise, in order
calls = []  # every request's arguments
responses = []  # every Response handed out


class Response:
    def __init__(self, status_code, text):
        self.status_code = status_code
        self._text = text
        self.closed = False
        self.text_reads = 0

    @property
    def text(self):
        self.text_reads += 1
        if isinstance(self._text, Exception):
            raise self._text
        return self._text

    def close(self):
        self.closed = True


def request(method, url, data=None, headers=None, timeout=None):
    calls.append(
        {"method": method, "url": url, "data": data, "headers": headers, "timeout": timeout}
    )
    answer = answers.pop(0)
    if isinstance(answer, Exception):
        raise answer
    response = Response(answer[0], answer[1])
    responses.append(response)
    return response
