"""A self-contained HTML report of a snapshot: tiles, inline SVG charts, data quality, provenance.

gather/quality/compose turn DataFrames and the manifest into a model (pure); svg/render draw it; build reads
the stores and writes snapshots/<id>/report.html.
"""

from greenmfg.report.build import build_report, publish_report, staging_href_base
from greenmfg.report.compose import build_model
from greenmfg.report.render import render_html

__all__ = ["build_model", "build_report", "publish_report", "render_html", "staging_href_base"]
