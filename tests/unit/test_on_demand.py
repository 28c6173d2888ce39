"""On-demand URLs: parameters in one canonical form, bounds, and a signature over path and query."""

from __future__ import annotations

import pytest

from dynimg.domain.on_demand import ON_DEMAND_FORMATS, fit_window, parse_params
from dynimg.domain.template_documents import template_document
from dynimg.domain.template_parsing import parse_template_config
from dynimg.domain.templates import ImageFormat, TimeSpan
from dynimg.domain.url_signing import DeliveryPolicy, signed_text, signer_uid, verify
from dynimg.errors import InvalidParameter


def test_every_spelling_of_a_request_has_one_key() -> None:
    a = parse_params("gif", {"start": "1", "end": "2.5", "width": "320"})
    b = parse_params("gif", {"start": "00:00:01.000", "end": "2.500", "fps": "15"})
    assert a.key == b.key == "gif/1000-2500/w320/f15"
    assert parse_params("webp", {"start": "1", "end": "2.5"}).key != a.key


def test_the_formats_are_the_engines() -> None:
    assert set(ON_DEMAND_FORMATS) == {f.value for f in ImageFormat}


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"start": "0", "end": "10.001"}, "end"),
        ({"start": "3", "end": "3.1"}, "end"),
        ({"width": "641"}, "width"),
        ({"width": "127"}, "width"),
        ({"fps": "31"}, "fps"),
        ({"fps": "1.5"}, "fps"),
        ({"height": "100"}, "height"),
    ],
)
def test_out_of_bounds_is_refused_naming_the_parameter(query: dict[str, str], name: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_params("gif", query)
    assert caught.value.parameter == name


def test_an_mp4_needs_an_even_width_and_renders_the_template_its_parameters_name() -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_params("mp4", {"width": "321"})
    assert caught.value.parameter == "width"
    params = parse_params("mp4", {"start": "1", "end": "2.5", "width": "322", "fps": "12"})
    config = params.template_config()
    assert (config.format, config.width, config.height, config.fps) == ("mp4", 322, None, 12.0)
    assert config.time_span == TimeSpan(1000, duration_ms=1500)
    assert parse_template_config(template_document(config)) == config


def test_a_default_end_is_cut_at_the_end_of_the_video_a_given_one_is_not() -> None:
    assert fit_window(parse_params("gif", {"start": "1"}), 3000).end_ms == 3000
    with pytest.raises(InvalidParameter):
        fit_window(parse_params("gif", {"start": "1", "end": "4"}), 3000)
    with pytest.raises(InvalidParameter):
        fit_window(parse_params("gif", {"start": "2.9"}), 3000)


def test_the_signature_covers_path_and_query_in_any_order() -> None:
    policy = DeliveryPolicy("http://h", ("key",), 600)
    query = [("start", "1"), ("end", "2")]
    url = policy.query_url("/videos/v/animated.gif", query, "42", expires=2_000_000_000)
    auth_key = url.rsplit("auth_key=", 1)[1]
    assert url.startswith("http://h/videos/v/animated.gif?end=2&start=1&auth_key=")
    assert signer_uid(auth_key) == "42"

    def valid(path: str, pairs: list[tuple[str, str]]) -> bool:
        return verify(signed_text(path, pairs), auth_key, ["key"], now=1_900_000_000)

    assert valid("/videos/v/animated.gif", [("end", "2"), ("start", "1")])
    assert not valid("/videos/v/animated.gif", [("start", "1"), ("end", "3")])
    assert not valid("/videos/v/animated.gif", [*query, ("fps", "30")])
    assert not valid("/videos/v/animated.webp", query)
    assert not verify(signed_text("/videos/v/animated.gif", query), auth_key, ["key"], 2**31)
