"""Writing systems the readers treat apart.

Japanese, Chinese and Korean are written without spaces between words, so a reader cannot
wait for a word start there: the classifier reads their runs by characters, lexicon patterns
in them match anywhere, and an amount may follow a character directly ("3台で120万円").
"""

import re

CJK_SCRIPT = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
#: A run of that script; ``match`` tells whether a text starts with it.
CJK_RUN = re.compile(f"[{CJK_SCRIPT}]+")
