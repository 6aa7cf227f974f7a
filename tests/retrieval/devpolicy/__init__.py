"""The Northwind development policy, written as files of one format per set.

``write_dev_policy(folder, "pdf")`` writes the policy as PDF and the FAQ as HTML; "docx" the
policy as DOCX and the FAQ as PDF; "html" the policy as HTML and the FAQ as DOCX: every format
carries once a numbered policy and once an FAQ. ``queries.jsonl`` beside this file is the
development query set for it (any of the three sets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from tests.retrieval.devpolicy.content import FAQ, POLICY
from tests.retrieval.devpolicy.render import write_docx, write_html, write_pdf

Form = Literal["pdf", "docx", "html"]
QUERIES = Path(__file__).parent / "queries.jsonl"
WRITERS = {"pdf": write_pdf, "docx": write_docx, "html": write_html}
FAQ_FORM: dict[str, str] = {"pdf": "html", "docx": "pdf", "html": "docx"}


def write_dev_policy(folder: Path, form: str) -> Path:
    """The policy in ``form`` and the FAQ in another format, in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    WRITERS[form](POLICY, folder / f"FIN-03 capitalisation policy.{form}")
    faq = FAQ_FORM[form]
    WRITERS[faq](FAQ, folder / f"asset-faq.{faq}")
    return folder
