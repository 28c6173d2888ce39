"""Use cases. Each receives its collaborators (unit of work, clock, ...) as arguments."""
