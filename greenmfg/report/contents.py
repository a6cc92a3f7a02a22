"""What a rendered page holds, read back from its HTML or a browser's DOM: charts with their marks, and URLs.

Checks a report (every chart drew, nothing points off the machine) with no browser automation library.
"""

from __future__ import annotations

from html.parser import HTMLParser

URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "srcset", "poster", "data"})


class PageContents(HTMLParser):
    """Counts the data marks (class `mark`) of each inline SVG chart and collects URL-bearing attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, int] = {}
        self.urls: list[str] = []
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "svg" and "chart" in classes:
            self._current = values.get("data-chart") or ""
            self.charts[self._current] = 0
        elif self._current is not None and "mark" in classes:
            self.charts[self._current] += 1
        self.urls += [value for name, value in attrs if name in URL_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._current = None


def page_contents(html: str) -> PageContents:
    contents = PageContents()
    contents.feed(html)
    contents.close()
    return contents
