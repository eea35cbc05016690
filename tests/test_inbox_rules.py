"""The receiver's rules on their own: form parsing, validation, spam signs and rate limits."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.build.manifest import ManifestPost
from generator.inbox.ratelimit import RateLimiter, RateLimits, Ticket, client_address, network_of
from generator.inbox.validation import (
    Limits,
    Refused,
    count_links,
    has_control,
    is_email,
    parse_form,
    spam_reason,
    validate,
)

POSTS = {"inch-wide": ManifestPost("inch-wide", "An Inch Wide", "https://example.com/posts/inch-wide/")}
FORM = "application/x-www-form-urlencoded"


def fields(**changes: str) -> dict[str, str]:
    base = {"post": "inch-wide", "name": "Ada", "email": "ada@example.com", "message": "Hi", "consent": "private"}
    base.update(changes)
    return base


def problems(values: dict[str, str], limits: Limits | None = None) -> list[str]:
    with pytest.raises(Refused) as refused:
        validate(values, limits or Limits(), POSTS)
    assert refused.value.status == HTTPStatus.BAD_REQUEST
    return [p.field for p in refused.value.problems]


def test_a_good_letter_passes_with_newlines_as_typed() -> None:
    done = validate(fields(message="line one\r\nline two\r\n", name="  Ada  "), Limits(), POSTS)
    assert done.message == "line one\nline two\n" and done.name == "Ada" and done.post.id == "inch-wide"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"post": "../../etc/passwd"}, "post"),
        ({"post": "nope"}, "post"),
        ({"email": ""}, "email"),
        ({"email": "not an address"}, "email"),
        ({"email": "ada@example.com\r\nBcc: victim@example.com"}, "email"),
        ({"email": "a@b.com, c@d.com"}, "email"),
        ({"email": "<a@b.com>"}, "email"),
        ({"name": "Ada\r\nBcc: victim@example.com"}, "name"),
        ({"name": "Ada\x00"}, "name"),
        ({"name": "Ada\u202eevil"}, "name"),  # a bidi override disguises text
        ({"name": "x" * 101}, "name"),
        ({"message": "   \n  "}, "message"),
        ({"message": "x" * 10001}, "message"),
        ({"message": "see http://a.example http://b.example https://c.example www.d.example"}, "message"),
        ({"consent": "everything"}, "consent"),
    ],
)
def test_each_problem_names_its_field(changes: dict[str, str], field: str) -> None:
    limits = Limits(max_links=3)
    assert problems(fields(**changes), limits) == [field]


def test_every_problem_is_reported_at_once() -> None:
    assert problems({"post": "x", "email": "bad", "message": ""}) == ["post", "email", "message"]


def test_limits_come_from_the_settings() -> None:
    assert problems(fields(message="x" * 21), Limits(max_message=20)) == ["message"]
    validate(fields(message="x" * 20), Limits(max_message=20), POSTS)


@given(st.text())
def test_messages_of_any_text_are_taken_verbatim(text: str) -> None:
    if not text.strip() or len(text.replace("\r\n", "\n")) > 10000 or count_links(text) > 5:
        return
    assert validate(fields(message=text), Limits(), POSTS).message == text.replace("\r\n", "\n")


def test_names_with_joiners_and_accents_are_fine() -> None:
    assert validate(fields(name="Zoë 👩\u200d👩\u200d👧 Ólafsdóttir"), Limits(), POSTS).name.startswith("Zoë")
    assert not has_control("Zoë 👩\u200d👩\u200d👧")


@pytest.mark.parametrize("address", ["a@example.com", "first.last+tag@sub.example.co.uk", "o'brien@example.ie"])
def test_addresses_that_are_addresses(address: str) -> None:
    assert is_email(address)


@pytest.mark.parametrize("address", ["a@b", "a@@b.com", "a b@c.com", "a@b.123", ".a@b.com", "a@-b.com", "a@b.com."])
def test_addresses_that_are_not(address: str) -> None:
    assert not is_email(address)


def test_form_bodies_are_parsed_strictly() -> None:
    assert parse_form(b"name=Zo%C3%AB&message=a+b", FORM) == {"name": "Zoë", "message": "a b"}
    assert parse_form(b"name=x", FORM + "; charset=UTF-8") == {"name": "x"}
    cases = [
        (b"name=%FF", FORM, HTTPStatus.BAD_REQUEST),  # not UTF-8
        ("name=Zoë".encode(), FORM, HTTPStatus.BAD_REQUEST),  # raw bytes, not URL-encoded
        (b"name=a&name=b", FORM, HTTPStatus.BAD_REQUEST),  # ambiguous
        (b"&".join(b"f%d=1" % i for i in range(40)), FORM, HTTPStatus.BAD_REQUEST),
        (b'{"name": "x"}', "application/json", HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
        (b"name=x", "multipart/form-data; boundary=x", HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
        (b"name=x", FORM + "; charset=latin-1", HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
    ]
    for body, kind, status in cases:
        with pytest.raises(Refused) as refused:
            parse_form(body, kind)
        assert refused.value.status == status, body


def test_spam_signs() -> None:
    limits = Limits(min_seconds=3)
    assert spam_reason(fields(), limits) == ""  # no JavaScript: no timing to judge
    assert spam_reason(fields(website="http://spam.example"), limits) == "honeypot"
    assert spam_reason(fields(elapsed_ms="900"), limits) == "too-fast"
    assert spam_reason(fields(elapsed_ms="soon"), limits) == "too-fast"
    assert spam_reason(fields(elapsed_ms="3000"), limits) == ""


def test_networks_group_neighbours() -> None:
    assert network_of("203.0.113.7") == network_of("203.0.113.200") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2::5") == "2001:db8:1:2::/64"
    assert network_of("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert network_of("garbage").startswith("unknown:")


def test_the_proxy_address_is_used_only_when_trusted() -> None:
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.4"}
    assert client_address(environ, trust_proxy=False) == "127.0.0.1"
    assert client_address(environ, trust_proxy=True) == "198.51.100.4"  # the hop our proxy added


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_per_address_limits_slide_with_the_window() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(per_address=2, per_network=0, window=60), clock)
    assert isinstance(limiter.acquire(address="A@x.com", network="n1"), Ticket)
    assert isinstance(limiter.acquire(address="a@X.com", network="n2"), Ticket)  # same address, any case
    wait = limiter.acquire(address="a@x.com", network="n3")
    assert wait == 60
    assert isinstance(limiter.acquire(address="b@x.com", network="n1"), Ticket)
    clock.now += 60
    assert isinstance(limiter.acquire(address="a@x.com", network="n1"), Ticket)


def test_per_network_limits_and_giving_back() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(per_address=0, per_network=2, window=100), clock)
    first = limiter.acquire(address="a@x.com", network="n")
    assert isinstance(first, Ticket)
    assert isinstance(limiter.acquire(address="b@x.com", network="n"), Ticket)
    assert not isinstance(limiter.acquire(address="c@x.com", network="n"), Ticket)
    limiter.release(first)  # the first could not be stored after all
    assert isinstance(limiter.acquire(address="c@x.com", network="n"), Ticket)
