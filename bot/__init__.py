"""The NGO events bot: wiring of settings, database, dispatcher, scheduler and services."""
