class IdeaError(ValueError):
    """A rule of the ideas pipeline was broken; the message is shown to the person."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
