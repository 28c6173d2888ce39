"""Live streams are bounded per session and in all, and a closed one frees its slot."""

from __future__ import annotations

from dynimg.api.console.stream_slots import StreamSlots


def test_streams_are_bounded_per_session_and_in_all() -> None:
    slots = StreamSlots(per_session=2, in_all=3)
    assert slots.take("a") and slots.take("a")
    assert not slots.take("a")
    assert slots.take("b")
    assert not slots.take("c")  # three open in all
    slots.give_back("a")
    assert slots.take("c")
    assert not slots.take("a")
