"""In-process test kit: a recording Bot API session, update factories, and a chat client."""
