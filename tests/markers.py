"""Translation markers in tests: what a page still shows in English after it was switched to another language (the
browser tests' text-node walk), and a server-rendered page read without its markers.

Every text node of the body and every attribute a reader or a screen reader meets (`aria-label`, `title`, `alt`,
`placeholder`, a card's `data-label`) is read; what is left in Latin letters fails, except what is not interface
text: a name or a source's own words (marked with the language they are in, `lang="en"` or `lang="az"`, or
`translate="no"`), a link to a source (its label is the source's name), the basemap's attribution (the tile
provider's required credit), code (a snippet to paste) and script data.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

WALK = """
(lang) => {
  const EXEMPT = [
    "script", "style", "template", "textarea", "noscript", "code", '[translate="no"]',
    ".leaflet-control-attribution", 'a[href^="http"]'
  ].join(", ");
  const ATTRIBUTES = ["aria-label", "title", "alt", "placeholder", "data-label"];
  const latin = /[A-Za-z]{2,}/;
  function marked(element) {
    const found = element.closest("[lang]");
    return found !== null && found.getAttribute("lang") !== lang;
  }
  function own(element) { return !element.closest(EXEMPT) && !marked(element); }
  /* The data's words the page shows marked with their language (a name, a publisher): where an attribute or the
   * page's title repeats them, they are not interface text either. */
  const names = new Set();
  document.querySelectorAll("[lang]").forEach((element) => {
    if (element !== document.documentElement && element.getAttribute("lang") !== lang) {
      const text = element.textContent.trim();
      if (text) names.add(text);
    }
  });
  const longestFirst = Array.from(names).sort((a, b) => b.length - a.length);
  function withoutNames(text) { return longestFirst.reduce((rest, name) => rest.split(name).join(" "), text); }
  const left = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (parent && own(parent) && latin.test(node.data)) left.push(node.data.trim() + "  <" + parent.tagName.toLowerCase() + ">");
  }
  document.body.querySelectorAll("*").forEach((element) => {
    if (!own(element)) return;
    ATTRIBUTES.forEach((name) => {
      const value = element.getAttribute(name);
      if (value && latin.test(withoutNames(value))) left.push(name + "=" + value + "  <" + element.tagName.toLowerCase() + ">");
    });
  });
  if (latin.test(withoutNames(document.title))) left.push("<title> " + document.title);
  return left;
}
"""
"""The walk: every text node and reader-facing attribute of the body, and the title, in Latin letters (two or more)
though the page is in `lang` and the text is not marked as another language's."""

ALLOWED = (
    # Names of sources, tools and licences, written in Latin script in Armenian and Russian as in English (the
    # glossary's note on the monitors' names): they are names, not interface text.
    "Caucasus Heritage Watch",
    "Monument Watch",
    "Cornell University",
    "Purdue University",
    "Wikipedia",
    "CC BY-SA",
    "ODbL",
    "OpenStreetMap",
    "Esri World Imagery",
    "Esri",
    "Maxar",
    "Earthstar Geographics",
    "GIS User Community",
    "Natural Earth",
    "Admin 0 – Countries",
    "TopoJSON",
    "npm",
    "world-atlas",
    "pop-stat.mashke.org",
    "data/SOURCES.md",
    "JavaScript",
    "--base-url",
    "Leaflet",
)
"""Names the interface shows in Latin script whatever the language (each a source's, a tool's or a licence's)."""


def english_left(page: Page, lang: str) -> list[str]:
    """Every piece of interface text `page` still shows in English (Latin letters) though it is in `lang`, less the
    names of `ALLOWED`."""
    assert page.evaluate("document.documentElement.lang") == lang, "the page is not in the language asked for"
    left = []
    for text in page.evaluate(WALK, lang):
        rest = re.sub(r"https?://\S+", " ", text.rsplit("  <", 1)[0])  # a source's address, as the picture prints it
        for name in ALLOWED:
            rest = rest.replace(name, " ")
        if re.search(r"[A-Za-z]{2,}", rest):
            left.append(text)
    return left


class _Unmarked(HTMLParser):
    """The page as written, less the translation markers geo/i18n.py puts around its interface strings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.spans: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "span":
            self.spans.append(bool(names & {"data-t", "data-p"}))
            if self.spans[-1]:
                return
        kept = [(n, v) for n, v in attrs if n != "data-ta" and not n.startswith(("data-t-", "data-v-"))]
        if len(kept) == len(attrs):
            self.out.append(self.get_starttag_text() or "")
        else:
            self.out.append(f"<{tag}" + "".join(f' {n}="{html.escape(v or "")}"' for n, v in kept) + ">")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.spans and self.spans.pop():
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def unmarked(page: str) -> str:
    """`page` (a server-rendered page) without its translation markers: what it says in English, markup as written."""
    parser = _Unmarked()
    parser.feed(page)
    parser.close()
    return "".join(parser.out)
