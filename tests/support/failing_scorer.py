"""Fault injection: a real scorer that raises on texts containing a marker."""


class FailingOn:
    def __init__(self, real, marker):
        self.real, self.marker = real, marker
        self.name, self.version, self.labels = real.name, real.version, real.labels

    def score(self, texts):
        if any(self.marker in text for text in texts):
            raise ValueError("model crashed on this text")
        return self.real.score(texts)
