"""X's weighted length, checked against twitter-text's v3 conformance examples and its URL rules."""

from __future__ import annotations

import pytest

from civildesk.publishing.xtext import extract_urls, parse, weighted_length

X = "xxxxxxxxxx-"
CJK = (
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
    "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
    "遥知兄弟登高处，遍插茱萸少一人。"
)
KANA = "あいうえおかきくけこ"


# Examples from twitter-text's conformance suite (validate.yml,
# WeightedTweetsWithDiscountedEmojiCounterTest), Apache-2.0.
@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("Hi http://test.co", 26),
        ("http://test.co", 23),
        ("285 chars-" + X * 25, 285),
        ("285 chars- http://www.twitter.com/jack " + X * 24, 299),
        ("https://www.twitter.com/aloha " * 10, 240),
        (CJK, 320),
        ("😷" * 160, 320),
        ("H🐱☺👨‍👩‍👧‍👦", 7),  # a ZWJ family is one emoji
        ("🙋🏽👨‍🎤", 4),  # skin tone and ZWJ sequences
        ("😷👾😡🔥💩", 10),
        ("282 chars-" + X * 24 + "xxxxxÁx", 281),  # NFC: A + combining acute is one character
        ("ÁB", 2),
        (
            "This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004\u2005"
            "\u2006\u2007\u2008\u2009\u200a\u200b ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷",
            110,
        ),
        ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),  # 64-char label
        (KANA * 12 + " http://" + KANA * 5 + "あいう.com", 358),  # host too long once punycoded
        (KANA * 12 + " http://" + KANA * 5 + "あい.com", 264),
    ],
)
def test_twitter_text_conformance(text: str, weight: int) -> None:
    assert weighted_length(text) == weight


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("samaritans.org", ["samaritans.org"]),  # a bare domain on a generic TLD is a link
        ("www.nhs.uk", ["www.nhs.uk"]),
        ("bbc.co.uk", ["bbc.co.uk"]),
        ("nhs.uk", []),  # name.cc alone is not a link...
        ("see nhs.uk/mental-health now", ["nhs.uk/mental-health"]),  # ...with a path it is
        ("t.co", ["t.co"]),  # .co and .tv are the exceptions
        ("v1.2.3 e.g. this", []),
        ("-example.com", []),  # not straight after - _ . /
        ("https://example.com/foo_(bar) and more", ["https://example.com/foo_(bar)"]),
        ("ftp://example.org", []),  # only http(s) is a protocol, and a domain after "/" is not a link
        ("Call 0800 028 8000.", []),
    ],
)
def test_urls_are_found_as_x_finds_them(text: str, urls: list[str]) -> None:
    assert [u.text for u in extract_urls(text)] == urls


def test_a_long_url_weighs_23() -> None:
    url = "https://www.swlstg.nhs.uk/" + "a" * 300
    assert weighted_length(f"Read {url}") == 5 + 23


def test_copyright_sign_is_text_unless_styled_as_emoji() -> None:
    assert weighted_length("©") == 1
    assert weighted_length("©\ufe0f") == 2


def test_invalid_characters_make_a_post_invalid_whatever_its_length() -> None:
    assert parse("hello").valid
    assert not parse("hello\ufeff").valid
    assert parse("hello\ufeff").has_invalid_characters


def test_empty_and_too_long_are_invalid() -> None:
    assert not parse("").valid
    assert parse("a" * 280).valid and not parse("a" * 281).valid
    assert parse("💙" * 140).valid and not parse("💙" * 141).valid
