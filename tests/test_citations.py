"""geo.citations: every kind of copy maps to the page it stands for, and the page itself is left alone."""

from __future__ import annotations

import pytest

from geo import citations
from geo.citations import canonical, find_addresses, find_urls, problem

CASES = [
    # (given, canonical, a word of the kind, snapshot)
    (
        "https://kiwix.haohe.fun/content/wikipedia_en_all_maxi_2024-01/A/Khankandi",
        "https://en.wikipedia.org/wiki/Khankandi",
        "Kiwix",
        "2024-01",
    ),
    (
        "http://98.80.38.242:8888/wikipedia_en_all_maxi_2022-05/A/Mets_Taglar",
        "https://en.wikipedia.org/wiki/Mets_Taglar",
        "Kiwix",
        "2022-05",
    ),
    (
        "https://kiwix.nikhpc.keenetic.name/content/wikipedia_ru_all_maxi_2025-06/%D0%91%D0%B0%D0%B7%D0%B0%D1%80%D0%BA%D0%B5%D0%BD%D0%B4",
        "https://ru.wikipedia.org/wiki/%D0%91%D0%B0%D0%B7%D0%B0%D1%80%D0%BA%D0%B5%D0%BD%D0%B4",
        "Kiwix",
        "2025-06",
    ),
    ("https://soft.lk/key/Kanach_Zham", "https://en.wikipedia.org/wiki/Kanach_Zham", "clone", None),
    ("https://wikiland.org/fr/Kolatak", "https://fr.wikipedia.org/wiki/Kolatak", "clone", None),
    (
        "https://perceptiode.com/Тагавард",
        "https://ru.wikipedia.org/wiki/%D0%A2%D0%B0%D0%B3%D0%B0%D0%B2%D0%B0%D1%80%D0%B4",
        "clone",
        None,
    ),
    (
        "https://de.qaz.wiki/wiki/Suqovu%C5%9Fan,_Tartar",
        "https://en.wikipedia.org/wiki/Suqovu%C5%9Fan,_Tartar",
        "machine-translated",
        None,
    ),
    (
        "https://i63617563617375736865726974616765o636f726e656c6co656475z.oszar.com/?p=1630",
        "https://caucasusheritage.cornell.edu/?p=1630",
        "hex-encoded",
        None,
    ),
    (
        "https://backend.710302.xyz/https/en.m.wikipedia.org/w/index.php?oldid=1247912109&title=Lusadzor%2C_Nagorno-Karabakh",
        "https://en.wikipedia.org/w/index.php?title=Lusadzor,_Nagorno-Karabakh&oldid=1247912109",
        "proxy",
        None,
    ),
    (
        "https://akarinohon.com/text/taketori.cgi/en.wikipedia.org/wiki/Kanach_Zham",
        "https://en.wikipedia.org/wiki/Kanach_Zham",
        "proxy",
        None,
    ),
    (
        "http://206.189.44.186/host-https-en.wikipedia.org/w/index.php?oldid=1247911648&title=Khnapat",
        "https://en.wikipedia.org/w/index.php?title=Khnapat&oldid=1247911648",
        "proxy",
        None,
    ),
    (
        "http://retrosearch.org/browse?url=https%3A%2F%2Fen.wikipedia.org%2Fwiki%2FVankasar_Church",
        "https://en.wikipedia.org/wiki/Vankasar_Church",
        "proxy",
        None,
    ),
    (
        "https://speed.lescigales.org/xypor/index.php?q=aHR0cHM6Ly9oeS53aWtpcGVkaWEub3JnL3dpa2kvJUQ1JTgwJUQ1JUFCJUQ1JUI2XyVENSU4NyVENSVBNSVENSVCNg%3D%3D",
        "https://hy.wikipedia.org/wiki/%D5%80%D5%AB%D5%B6_%D5%87%D5%A5%D5%B6",
        "proxy",
        None,
    ),
    (
        "https://ybgg2evrcdz37y2qes23ff3wjqjdn33tthgoagi76vhxytu4mpxiz5qd.onion.jump.black/w/index.php?lang=en&oldid=1133306701&title=Blockade_of_Nagorno-Karabakh",
        "https://en.wikipedia.org/w/index.php?title=Blockade_of_Nagorno-Karabakh&oldid=1133306701",
        "Tor",
        None,
    ),
    ("https://lt.m.wikipedia.org/wiki/Mardakertas", "https://lt.wikipedia.org/wiki/Mardakertas", "mobile", None),
    ("https://eu.m.wikipedia.org/wiki/Berezi:MobileLanguages/Latxin", "https://eu.wikipedia.org/wiki/Latxin", "mobile", None),
    ("https://azatutyun.am/amp/31237444.html", "https://azatutyun.am/a/31237444.html", "AMP", None),
    ("https://m24.ru/amp/news/politika/27092023/623355", "https://m24.ru/news/politika/27092023/623355", "AMP", None),
    ("https://president.az/ru/articles/view/62666/print", "https://president.az/ru/articles/view/62666", "print", None),
    (
        "https://backend.710302.xyz/https/en.wikipedia.org/w/index.php?printable=yes&title=Mets_Shen%2C_Shusha",
        "https://en.wikipedia.org/wiki/Mets_Shen,_Shusha",
        "print",
        None,
    ),
    ("https://rfe.pangea-cms.com/preview/hy-AM/a/32743695.html", "https://www.azatutyun.am/a/32743695.html", "preview", None),
    (
        "https://it.teknopedia.teknokrat.ac.id/w/index.php?action=edit&title=Q%C4%B1z%C4%B1l_K%C9%99ng%C9%99rli",
        "https://it.wikipedia.org/wiki/Q%C4%B1z%C4%B1l_K%C9%99ng%C9%99rli",
        "edit view",
        None,
    ),
    (
        "http://en.wikipedia.org./wiki/Presidential_Palace,_Stepanakert",
        "https://en.wikipedia.org/wiki/Presidential_Palace,_Stepanakert",
        "trailing dot",
        None,
    ),
    ("http://it.wikipedia.org/wiki/Vardadzor_(Askeran)", "https://it.wikipedia.org/wiki/Vardadzor_(Askeran)", "http", None),
    (
        "https://en.wikipedia.org/wiki/?oldid=959904958&title=Khojavend_%28town%29",
        "https://en.wikipedia.org/w/index.php?title=Khojavend_(town)&oldid=959904958",
        "",
        None,
    ),
    (
        "https://ipfs.desmos.network/ipfs/QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco/wiki/Hadrut_(town).html",
        "https://en.wikipedia.org/wiki/Hadrut_(town)",
        "IPFS",
        None,
    ),
    (
        "https://lfwp.net/dw/en/nagorno-karabakh-over-100000-flee-to-armenia/a-66969667",
        "https://www.dw.com/en/nagorno-karabakh-over-100000-flee-to-armenia/a-66969667",
        "copy of another outlet",
        None,
    ),
]


@pytest.mark.parametrize(("given", "expected", "kind", "snapshot"), CASES)
def test_each_kind_of_copy_maps_to_its_page(given: str, expected: str, kind: str, snapshot: str | None) -> None:
    found = canonical(given)
    assert found.url == expected
    assert kind.lower() in found.describe().lower()
    assert found.snapshot == snapshot
    if found.is_copy:
        assert found.read_via == given


@pytest.mark.parametrize(("given", "expected", "kind", "snapshot"), [c for c in CASES if c[2]])
def test_problem_names_the_kind_and_the_canonical_form(given: str, expected: str, kind: str, snapshot: str | None) -> None:
    message = problem(given)
    assert message is not None
    assert expected in message
    assert kind.lower() in message.lower()


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/Ghazanchetsots_Cathedral",
        "https://en.wikipedia.org/w/index.php?title=Khnapat&oldid=1247911648",
        "https://caucasusheritage.cornell.edu/?p=1630",
        "https://www.azatutyun.am/a/32743695.html",
        "https://monumentwatch.org/en/alerts/azerbaijan-removes-cross-from-vankasar-church",
        "http://pop-stat.mashke.org/nkr-census.htm",  # http, but not known to serve https: left as it is
        "https://www.amp-project.example/ampere/article",
    ],
)
def test_canonical_pages_are_left_alone(url: str) -> None:
    found = canonical(url)
    assert not found.is_copy
    assert found.url == url
    assert found.read_via is None
    assert problem(url) is None


def test_a_canonical_address_is_a_fixed_point() -> None:
    for given, expected, _, _ in CASES:
        assert canonical(expected).url == expected, given


@pytest.mark.parametrize(
    "url",
    [
        "https://armenianclub.com/2020/12/08/civilnet-the-tombstones-of-our-relatives-remain-on-the-azerbaijani-side",
        "https://arc.ask3.ru/arc/aa/87/ff/8706045b83a9a5d552865971dd1b9dff__translat.html",
        "https://en-academic.com/dic.nsf/enwiki/7610841",
    ],
)
def test_a_copy_that_does_not_name_its_page_needs_the_original_found_by_hand(url: str) -> None:
    found = canonical(url)
    assert found.is_copy and found.url is None
    message = problem(url)
    assert message is not None and "original" in message
    original = "https://www.civilnet.am/en/news/1/an-article/"
    resolved = canonical(url, {url: original})
    assert resolved.url == original and resolved.read_via == url
    assert problem(url, {url: original}) is not None  # still not a citation: cite the original


def test_find_urls_keeps_balanced_parentheses_and_drops_trailing_punctuation() -> None:
    text = "see https://it.wikipedia.org/wiki/Vardadzor_(Askeran), and (https://news.am/eng/news/752212.html)."
    assert find_urls(text) == ["https://it.wikipedia.org/wiki/Vardadzor_(Askeran)", "https://news.am/eng/news/752212.html"]


def test_find_addresses_sees_addresses_without_a_scheme() -> None:
    text = "capital until 2023 (wikiclassic.com/wiki/Xankendi); NKR law (nankr.am/hy/1078), 4.5 km."
    assert find_addresses(text) == ["wikiclassic.com/wiki/Xankendi", "nankr.am/hy/1078"]


def test_every_mirror_shape_parses_an_example() -> None:
    """Each host in the registry has an example here, so a broken shape fails a test rather than a citation."""
    examples = {
        "enwikipedia.net": "https://enwikipedia.net/wiki/Dashalty",
        "wikiwand.com": "https://www.wikiwand.com/en/articles/Metsshen",
        "wikizero.com": "https://wikizero.com/az/He%C5%9Fan",
        "wikizero.net": "https://wikizero.net/wiki/it/Sghnakh",
        "az-az.nina.az": "https://www.azur.az-az.nina.az/D%C9%99hr%C9%99z.html",
        "wikipedia.anarim.az": "https://wikipedia.anarim.az?q=A%C5%9Fa%C4%9F%C4%B1_Yemi%C5%9Fcan",
        "review.clateway.com": "https://review.clateway.com/wiki/view_html.php?q=Berkadzor&sq=Qlik",
        "wiki-gateway.eudic.net": "https://wiki-gateway.eudic.net/wikipedia_en/Shushi.html",
        "jablog.org": "https://jablog.org/%E3%83%95%E3%82%A1%E3%83%AB%E3%82%AF/Farukh",
        "everything.explained.today": "https://everything.explained.today/%2F%2F/Tsmakahogh",
    }
    for host, url in examples.items():
        assert host in citations.MIRRORS
        found = canonical(url)
        assert found.url is not None and ".wikipedia.org/wiki/" in found.url, url
