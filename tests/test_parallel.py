"""Work in chunks over the machine's cores (generator.build.parallel): every item once, in order."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from generator.build.parallel import guided_chunks, in_chunks, worker_count


@given(st.integers(0, 50_000), st.integers(1, 16), st.integers(1, 8), st.integers(8, 512))
def test_guided_chunks_cover_every_item_once_in_shrinking_pieces(
    count: int, workers: int, smallest: int, largest: int
) -> None:
    chunks = guided_chunks(count, workers, smallest, largest)
    if count == 0:
        assert chunks == []
        return
    assert [start for start, _ in chunks] == [0, *[end for _, end in chunks[:-1]]]
    assert chunks[-1][1] == count
    sizes = [end - start for start, end in chunks]
    assert all(0 < size <= largest for size in sizes)
    assert sizes == sorted(sizes, reverse=True)  # the processes finish together
    assert all(size >= min(smallest, largest) for size in sizes[:-1])


def squares(items: Sequence[int]) -> list[int]:
    return [item * item for item in items]


def test_in_chunks_gives_every_result_in_order() -> None:
    items = list(range(1000))
    workers = max(2, worker_count())
    assert in_chunks(items, workers, squares, squares) == [item * item for item in items]


def test_in_chunks_keeps_what_keep_makes_of_each_chunk_as_it_comes() -> None:
    items = list(range(1000))
    starts: list[int] = []

    def keep(start: int, results: list[int]) -> list[int]:
        starts.append(start)
        assert results == [item * item for item in items[start : start + len(results)]]
        return [-result for result in results]

    workers = max(2, worker_count())
    assert in_chunks(items, workers, squares, squares, keep=keep) == [-item * item for item in items]
    assert sorted(starts) == [start for start, _ in guided_chunks(len(items), workers)]
