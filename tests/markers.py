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
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

WALK = """
(lang) => {
  const EXEMPT = 'script, style, template, textarea, noscript, code, [translate="no"], .leaflet-control-attribution, a[href^="http"]';
  const ATTRIBUTES = ["aria-label", "title", "alt", "placeholder", "data-label"];
  const latin = /[A-Za-z]{2,}/;
  function own(element) {
    const marked = element.closest("[lang]");
    return !element.closest(EXEMPT) && (!marked || marked.getAttribute("lang") === lang);
  }
  const left = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (parent && own(parent) && latin.test(node.data)) left.push(node.data.trim() + "  <" + parent.tagName.toLowerCase() + (parent.className && typeof parent.className === "string" ? "." + parent.className.split(" ").join(".") : "") + ">");
  }
  document.body.querySelectorAll("*").forEach((element) => {
    if (!own(element)) return;
    ATTRIBUTES.forEach((name) => {
      const value = element.getAttribute(name);
      if (value && latin.test(value)) left.push(name + "=" + value + "  <" + element.tagName.toLowerCase() + ">");
    });
  });
  if (latin.test(document.title)) left.push("<title> " + document.title);
  return left;
}
"""


def english_left(page: Page, lang: str) -> list[str]:
    """Every piece of interface text `page` still shows in English (Latin letters) though it is in `lang`."""
    assert page.evaluate("document.documentElement.lang") == lang, "the page is not in the language asked for"
    return list(page.evaluate(WALK, lang))


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
