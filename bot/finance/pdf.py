"""The memo document as PDF (fpdf2), byte for byte the same for the same memo.

fpdf2's built-in fonts are Latin-1 only; request texts carry €, ›, quotes and accents, so the
DejaVu fonts that ship with matplotlib (already a dependency) are embedded instead. The
creation date is the stored record's time, not the time of rendering.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from bot.finance.document import Block, Bullets, Heading, Paragraph, Quote, Table

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FAMILY = "DejaVu"
_SIZES = {1: 15.0, 2: 12.0, 3: 10.5}


def to_pdf(blocks: list[Block], *, title: str, created: datetime) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(created)
    pdf.set_title(title)
    pdf.set_producer("capexbot")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font(FAMILY, "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    for block in blocks:
        _block(pdf, block)
    return bytes(pdf.output())


def _text(pdf: FPDF, text: str, *, size: float = 9.0, style: str = "", indent: float = 0) -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _block(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Heading):
        pdf.ln(2 if block.level > 1 else 0)
        _text(pdf, block.text, size=_SIZES.get(block.level, 10.0), style="B")
        pdf.ln(1)
    elif isinstance(block, Paragraph):
        _text(pdf, block.text.replace("**", "").replace("`", ""))
        pdf.ln(1.5)
    elif isinstance(block, Quote):
        _text(pdf, block.text, style="I", indent=4)
        pdf.ln(1.5)
    elif isinstance(block, Bullets):
        for item in block.items:
            _text(pdf, f"•  {item.replace('`', '')}", indent=2)
        pdf.ln(1.5)
    else:
        _table(pdf, block)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font(FAMILY, "", 7.5)
    align = tuple(
        "RIGHT" if index in table.numeric else "LEFT" for index in range(len(table.headers))
    )
    with pdf.table(text_align=align, line_height=3.6, padding=0.8) as grid:
        for values in [table.headers, *table.rows]:
            row = grid.row()
            for value in values:
                row.cell(value.replace("`", ""))
    pdf.ln(2)
