"""Action handlers, one module per resource; each module exports its ``ACTIONS``."""
