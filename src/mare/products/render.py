"""Reports rendered from Jinja2 templates (autoescaped) to HTML, and to PDF with WeasyPrint.

Templates live in `mare/products/templates/`: `base.html.j2` (the page, the handling banner, the
sections, the sources) and one per report kind that extends it. Nothing is fetched: the templates name
no external address, images are data: URIs, fonts come from fontconfig (Debian's DejaVu), and the
WeasyPrint URL fetcher refuses anything that is not a data: URI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from mare.products.report import Report
from mare.visible_text import template_value

TEMPLATES = Path(__file__).parent / "templates"


class TemplateProblem(ValueError):
    """A template that cannot be rendered: which one, at which line, and why."""


def environment(folder: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescape on, undefined names are errors)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        finalize=template_value,  # control and bidi characters of values made visible
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report, folder: Path = TEMPLATES) -> str:
    """The report as one self-contained HTML page (template `<kind>.html.j2`)."""
    name = f"{report.kind}.html.j2"
    try:
        template = environment(folder).get_template(name)
        return template.render(report=report, data=report.as_dict())
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise TemplateProblem(f"template {where}, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(f"template {exc.name} not found in {folder}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateProblem(f"template {name}{_line(exc)}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"template {name}{_line(exc)}: {exc.message or exc}") from None


def _line(exc: BaseException) -> str:
    """', line N' of the template frame the error was raised in (Jinja2 rewrites the traceback)."""
    tb = exc.__traceback__
    found = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = f" ({Path(filename).name}), line {tb.tb_lineno}"
        tb = tb.tb_next
    return found


def data_only_fetcher() -> Any:
    """WeasyPrint's URL fetcher limited to data: URIs: anything else is refused (nothing is downloaded)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def render_pdf(report: Report, folder: Path = TEMPLATES) -> bytes:
    """The report as a PDF (WeasyPrint, offline)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = render_html(report, folder)
    pdf = HTML(string=html, url_fetcher=data_only_fetcher(), base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)
