"""Dispatchers: doorbells that announce ``(kind, ref)``; the database holds every task's state."""
