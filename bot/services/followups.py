"""The follow-up survey after an event: who may answer, saving answers, the organizers' summary."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from db import Database
from db import events as events_repo
from db import followups as repo
from db.events import Event
from db.followups import COMMENT_LIMIT, FollowupAnswer, Summary

__all__ = ["COMMENT_LIMIT", "FollowupService", "Participant", "Summary"]


@dataclass(frozen=True, slots=True)
class Participant:
    """A person checked in at an event, so their survey answers count."""

    event: Event
    registration_id: int


@dataclass(eq=False)
class FollowupService:
    db: Database
    clock: Clock

    async def participant(self, person_id: int, event_id: int) -> Participant | None:
        """None for anyone who was not checked in at the event (a forged button included)."""
        db = self.db
        registration_id = await repo.attended_registration(db, event_id, person_id)
        if registration_id is None:
            return None
        event = await events_repo.get(db, event_id)
        return None if event is None else Participant(event, registration_id)

    async def rate(self, participant: Participant, rating: int) -> FollowupAnswer:
        return await repo.rate(
            self.db,
            participant.event.id,
            participant.registration_id,
            rating,
            self.clock.timestamp(),
        )

    async def answer(self, participant: Participant) -> FollowupAnswer | None:
        return await repo.get(self.db, participant.registration_id)

    async def comment(self, participant: Participant, text: str) -> bool:
        """Attach a comment to the participant's rating; False when they have not rated."""
        return await repo.set_comment(
            self.db,
            participant.registration_id,
            text.strip(),
            self.clock.timestamp(),
        )

    async def summary(self, event_id: int) -> Summary:
        """Count, average, spread and the latest comments, for /stats."""
        return await repo.summary(self.db, event_id)
