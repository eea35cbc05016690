"""Lighthouse (npm, headless Chromium, mobile profile with simulated throttling) scores the
typical post, with its letter form and script, at least 98 in performance, accessibility,
best practices and SEO. One page here (about 15 s); bench/quality.py scores every page type
and writes the table in docs/quality.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import (
    LIGHTHOUSE_CATEGORIES,
    TYPICAL_POST,
    Sample,
    lighthouse_failures,
    lighthouse_scores,
    run_lighthouse,
)

pytestmark = [pytest.mark.quality, pytest.mark.browser, pytest.mark.lighthouse]

FLOOR = 98


def test_the_typical_post_scores_at_least_98_everywhere(lighthouse: Path, sample: Sample) -> None:
    result = run_lighthouse(sample.inbox.url(TYPICAL_POST))
    assert result["configSettings"]["formFactor"] == "mobile"
    assert not result.get("runtimeError"), result.get("runtimeError")
    scores = lighthouse_scores(result)
    assert set(scores) == set(LIGHTHOUSE_CATEGORIES)
    assert {k: v for k, v in scores.items() if v < FLOOR} == {}, lighthouse_failures(result)
