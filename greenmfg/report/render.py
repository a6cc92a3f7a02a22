"""Render a report model to one self-contained HTML page: inline CSS and SVG, no script, no request.

The page's own Content-Security-Policy forbids every fetch (default-src 'none'), so even a link someone adds
later cannot make it load anything; navigation links (to Data Docs, the dictionary) still work when clicked.
"""

from __future__ import annotations

import posixpath
from html import escape
from importlib import resources

from greenmfg.report import svg
from greenmfg.report.model import Chart, Label, Link, Report, Section, Table, Tile

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
NO_DATA = Label("本快照中无此数据", "No data for this chart in the snapshot")


def stylesheet() -> str:
    return resources.files("greenmfg.report").joinpath("report.css").read_text(encoding="utf-8")


def text(label: Label | str) -> str:
    return svg.bilingual(label, "span")


def _tile(tile: Tile, year: int | None, previous: int | None) -> str:
    value = svg.fmt(tile.value, tile.digits)
    parts = [
        '<div class="tile">',
        f'<div class="t-title">{text(tile.title)}</div>',
        f'<div class="t-value">{value}<span class="unit">{text(tile.unit)}</span></div>',
    ]
    if previous is not None:
        delta = ""
        if tile.value is not None and tile.previous is not None:
            change = tile.value - tile.previous
            arrow = "▲" if change > 0 else "▼" if change < 0 else "＝"
            delta = f'<span class="delta">{arrow} {svg.fmt(abs(change), tile.digits)}</span>'
        parts.append(f'<div class="t-prev">{previous}: {svg.fmt(tile.previous, tile.digits)}{delta}</div>')
    if tile.note is not None:
        parts.append(f'<div class="t-note">{text(tile.note)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _legend(chart: Chart) -> str:
    if len(chart.series) < 2:
        return ""
    items = "".join(
        f'<li class="{"hl" if s.highlight else ""}"><span class="sw s{i % svg.PALETTE_SIZE}'
        f'{" hl" if s.highlight else ""}"></span>{text(s.name)}</li>'
        for i, s in enumerate(chart.series)
    )
    return f'<ul class="legend">{items}</ul>'


def _chart(chart: Chart) -> str:
    body = svg.draw(chart) if chart.has_data else f'<p class="empty">{text(NO_DATA)}</p>'
    note = f'<p class="note">{text(chart.note)}</p>' if chart.note else ""
    return (
        f'<figure class="chart-box" id="{escape(chart.key)}"><figcaption><h3>{text(chart.title)}</h3>'
        f"</figcaption>{_legend(chart) if chart.has_data else ''}{body}{note}</figure>"
    )


def _links(links: tuple[Link, ...]) -> str:
    if not links:
        return ""
    anchors = "".join(
        f'<a href="{escape(link.href)}" title="{escape(link.key)}">{escape(link.text)}</a>'
        if link.href is not None
        else f'<span title="{escape(link.key)}">{escape(link.text)}</span> '
        for link in links
    )
    paths = [link.key for link in links]
    prefix = posixpath.commonpath(paths) + "/" if len(paths) > 1 else paths[0]
    return f'<span class="links">{anchors}</span><code class="key">{escape(prefix)}</code>'


def _cell(value: object, numeric: bool) -> str:
    if isinstance(value, tuple):
        return f"<td>{_links(value)}</td>"
    if isinstance(value, Link):
        return f"<td>{_links((value,))}</td>"
    if value is None:
        shown = "–"
    elif isinstance(value, float):
        shown = svg.fmt(value, 0 if value.is_integer() else 2)
    elif isinstance(value, int) and numeric:
        shown = f"{value:,}"
    else:
        shown = escape(str(value))
    cls = "num" if numeric else ("wrap" if isinstance(value, str) and len(value) > 60 else "")
    return f'<td class="{cls}">{shown}</td>' if cls else f"<td>{shown}</td>"


def _table(table: Table) -> str:
    numeric = table.numeric or (False,) * len(table.header)
    head = "".join(
        f'<th class="num">{text(h)}</th>' if n else f"<th>{text(h)}</th>"
        for h, n in zip(table.header, numeric, strict=True)
    )
    body = "".join(
        "<tr>" + "".join(_cell(v, n) for v, n in zip(row, numeric, strict=True)) + "</tr>"
        for row in table.rows
    )
    return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _titled_table(title: Label, table: Table, *, open_rows: int = 12) -> str:
    opened = " open" if len(table.rows) <= open_rows else ""
    rows = len(table.rows)
    count = text(Label(f"{rows} 行", f"{rows} row" + ("" if rows == 1 else "s")))
    return (
        f'<details class="panel"{opened}><summary>{text(title)} <span class="sep">({count})</span></summary>'
        f"{_table(table)}</details>"
    )


def _section(section: Section) -> str:
    intro = f'<p class="intro">{text(section.intro)}</p>' if section.intro else ""
    charts = "".join(_chart(c) for c in section.charts)
    tables = "".join(_titled_table(title, table) for title, table in section.tables)
    return (
        f'<section><h2>{text(section.title)}</h2>{intro}<div class="charts">{charts}</div>{tables}</section>'
    )


def _header(report: Report) -> str:
    year = (
        text(
            Label(
                f"{report.year}年指标（与{report.previous_year}年对比）",
                f"Indicators of {report.year}, with {report.previous_year} beside them",
            )
        )
        if report.year is not None
        else text(Label("无年度指标", "No yearly indicators"))
    )
    switch = "".join(
        f'<label for="lang-{key}">{escape(name)}</label>'
        for key, name in (("both", "中文 + English"), ("zh", "中文"), ("en", "English"))
    )
    return (
        f'<header class="top"><div class="row"><div><h1>{text(report.title)}</h1>'
        f'<p class="sub">{year} · {text(Label("快照", "snapshot"))} '
        f"<code>{escape(report.snapshot_id)}</code></p>"
        f'</div><nav class="lang" aria-label="language">{switch}</nav></div></header>'
    )


def _footer(report: Report) -> str:
    dictionary = " · ".join(
        f'<a href="{escape(link.href or "")}">{escape(link.text)}</a>' for link in report.dictionary_links
    )
    repo = text(
        Label("代码库中另见 docs/data_dictionary.md", "also docs/data_dictionary.md in the repository")
    )
    rows = [
        (Label("快照编号", "Snapshot id"), f"<code>{escape(report.snapshot_id)}</code>"),
        (Label("代码版本", "Code version"), f"<code>{escape(report.code_version)}</code>"),
        (Label("数据字典", "Data dictionary"), f"{dictionary} ({repo})"),
        (
            Label("单位", "Units"),
            text(Label("金额：万元；能耗：吨标准煤", "money in 10,000 yuan; energy in tce")),
        ),
    ]
    items = "".join(f"<dt>{text(k)}</dt><dd>{v}</dd>" for k, v in rows)
    tables = "".join(_titled_table(title, table, open_rows=0) for title, table in report.footer)
    return f'<footer class="meta"><dl>{items}</dl>{tables}</footer>'


def render_html(report: Report) -> str:
    """The page as one string: same report, same bytes."""
    tiles = "".join(_tile(t, report.year, report.previous_year) for t in report.tiles)
    radios = "".join(
        f'<input class="lang-radio" type="radio" name="lang" id="lang-{key}"{" checked" * (key == "both")}>'
        for key in ("both", "zh", "en")
    )
    title = f"{report.title.zh} · {report.title.en} · {report.snapshot_id}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{stylesheet()}</style></head>"
        f'<body>{radios}<div class="page">{_header(report)}'
        f'<section class="tiles-section"><div class="tiles">{tiles}</div></section>'
        + "".join(_section(s) for s in report.sections)
        + f"{_footer(report)}</div></body></html>\n"
    )
