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


def test_a_held_slot_is_waited_for_given_back_and_refused_after_the_wait() -> None:
    import asyncio
    import time
    from concurrent.futures import ThreadPoolExecutor

    import pytest

    from dynimg.errors import PreviewsBusy

    async def story() -> float:
        slots = StreamSlots(per_session=1, in_all=2)
        async with slots.held("a", PreviewsBusy()):
            started = time.monotonic()
            with pytest.raises(PreviewsBusy):
                async with slots.held("a", PreviewsBusy(), wait=0.3):
                    pass
            waited = time.monotonic() - started
            async with slots.held("b", PreviewsBusy()):
                with pytest.raises(PreviewsBusy):
                    async with slots.held("c", PreviewsBusy()):
                        pass
        with pytest.raises(RuntimeError):
            async with slots.held("a", PreviewsBusy()):
                raise RuntimeError("a failed render")
        assert slots.take("a") and slots.take("b"), "every slot was given back"
        slots.give_back("a")

        async def later() -> None:
            await asyncio.sleep(0.2)
            slots.give_back("b")

        freed = asyncio.ensure_future(later())
        async with slots.held("c", PreviewsBusy(), wait=2):  # waits for b's slot
            pass
        await freed
        return waited

    # On a thread of its own: Playwright's sync API, used earlier in a run, leaves an event
    # loop running in the main thread, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as thread:
        assert 0.3 <= thread.submit(lambda: asyncio.run(story())).result() < 1.0
