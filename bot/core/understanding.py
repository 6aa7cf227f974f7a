"""What kind of spend a piece of text names, when no lexicon word says it.

The lexicon (``rules/lexicon.yaml``) is exact but knows only the words someone wrote into it.
This layer recognises a class from its *example phrases* (``rules/classes/<type>.yaml``, in
every language people write in) by two measures that fail differently:

- **character n-grams** of the folded text (accents and case removed, numbers masked): they
  survive typos and share stems across languages ("servidores" ~ "server");
- **sentence embeddings** from the packaged all-MiniLM-L6-v2 (no download): they recognise
  paraphrases that share no word with any example.

A multinomial logistic regression over both is trained on the example phrases (once per
content of ``rules/classes/``, kept in a cache folder, so finance's edits retrain it). A guess
is *confident* only when the best class, together with the classes the rules treat alike,
holds most of the probability and the text is near some example phrase; otherwise the caller
asks, never guesses. Training needs scikit-learn; classifying needs only numpy.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import math
import os
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.policy import NOT_A_COST, Policy
from bot.core.scripts import CJK_RUN, CJK_SCRIPT

if TYPE_CHECKING:
    import numpy as np

Embed = Callable[[Sequence[str]], "np.ndarray"]

#: A guess is confident when the classes the rules treat alike with the best class hold at
#: least MIN_PROBABILITY and the text is at least NEAR_ENOUGH (cosine) to an example of the
#: best class, or when it holds CLOSE_PROBABILITY and is CLOSE to such an example. Set from
#: held-out example phrases (benchmarks/classifier_bench.py): about 94 % of confident guesses
#: are treated right there, on two thirds of the phrases.
MIN_PROBABILITY = 0.7
NEAR_ENOUGH = 0.45
CLOSE_PROBABILITY = 0.6
CLOSE = 0.6
#: And always: the text shares this much wording (n-gram cosine) with an example of the class.
#: The English-centred embeddings put any foreign-language text near every class; without
#: shared wording, "réponds « capex » stp" would read as office supplies.
WORDING_MIN = 0.35
#: A class this probable needs less shared wording: a clause's other words (the site, the
#: team) dilute it ("Zurich production lab: a rotary screw compressor").
VERY_PROBABLE = 0.9
WORDING_FLOOR = 0.2
#: Categories whose classes the rules treat alike enough that confusing them is harmless.
_SAME_TREATMENT = {"service": "consumed", "expensed": "consumed", "operating": "consumed"}
#: Bump when the features or the model change, so cached models are retrained.
MODEL_VERSION = "lr-chars-minilm-6"

_NUMBERISH = re.compile(r"[\d$€£¥₹₩₪]+(?:[.,'’ ]\d+)*\s?(?:k|m|mm|mn|mio|bn)?\b", re.IGNORECASE)
#: Latin words, and runs of Japanese, Chinese or Korean script (see bot.core.scripts)
_WORD = re.compile(rf"[a-z]+(?:[-'][a-z]+)*|[{CJK_SCRIPT}]+")


@dataclass(frozen=True)
class Guess:
    """The classifier's reading of one piece of text."""

    asset_type: str | None  # the most probable class; None for text that names no cost
    probability: float  # of the best class together with the classes treated alike
    nearest: float  # embedding cosine to the closest example of that class (1 without)
    wording: float  # n-gram cosine to the closest example of that class
    confident: bool

    @property
    def confidence(self) -> float:
        return round(self.probability, 2) if self.asset_type else 0.0


def normalize(text: str) -> str:
    """Folded text with amounts and numbers masked: what the classifier reads."""
    from bot.core.parsing import fold

    return " ".join(_WORD.findall(fold(_NUMBERISH.sub(" ", text))))


def grams(normalized: str) -> list[str]:
    """Character 3- to 5-grams of each word (padded with spaces) and the words themselves.

    A run of Japanese, Chinese or Korean script is a phrase, not a word: its 1- to 3-grams
    (one character is often a word there) stand in for the words.
    """
    found: list[str] = []
    for word in normalized.split():
        padded = f" {word} "
        found.append(f"w:{word}")
        sizes = (1, 2, 3) if CJK_RUN.fullmatch(word) else (3, 4, 5)
        for n in sizes:
            spans = (padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
            found.extend(gram for gram in spans if gram.strip())
    return found


@dataclass
class _Model:
    """A trained multinomial logistic regression over n-gram TF-IDF and embeddings."""

    classes: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # classes x (vocabulary + embedding dimensions)
    intercept: np.ndarray
    example_vectors: np.ndarray | None  # for the nearest-example gate
    example_labels: list[str]  # the class of each example vector
    #: the examples' n-gram TF-IDF rows (CSR parts), for the nearest-wording gate
    example_indptr: np.ndarray
    example_indices: np.ndarray
    example_data: np.ndarray


class SpendClassifier:
    """Which class a piece of text names, with a probability; see the module docstring."""

    def __init__(self, model: _Model, categories: Mapping[str, str], embed: Embed | None) -> None:
        self._model = model
        self._embed = embed if model.example_vectors is not None else None
        self._groups = {c: _SAME_TREATMENT.get(categories[c], categories[c]) for c in model.classes}
        self._rows = _rows_by_class(model.example_labels)
        self._class_entries: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @classmethod
    def train(
        cls,
        examples: Sequence[tuple[str, str]],
        categories: Mapping[str, str],
        embed: Embed | None = None,
    ) -> SpendClassifier:
        """Fit on (asset type, phrase) pairs; scikit-learn is needed here only."""
        return cls(_fit(examples, embed), categories, embed)

    @property
    def semantic(self) -> bool:
        return self._embed is not None

    def same_treatment_key(self, asset_type: str) -> str:
        """Classes with the same key are treated alike by the rules."""
        return self._groups.get(asset_type, asset_type)

    def same_treatment(self, first: str, second: str) -> bool:
        """Two classes the rules treat alike (same category, or both consumed services)."""
        return self.same_treatment_key(first) == self.same_treatment_key(second)

    def classify(self, text: str) -> Guess:
        """The most probable class and whether it is sure enough to name an item."""
        normalized = normalize(text)
        if not normalized:
            return Guess(None, 0.0, 0.0, 0.0, False)
        columns, weights = self._tfidf(normalized)
        probabilities = self._probabilities(normalized, columns, weights)
        best = max(probabilities, key=lambda c: probabilities[c])
        if best == NOT_A_COST:  # the text names no cost: nothing to guess
            return Guess(None, probabilities[best], 0.0, 0.0, False)
        # otherwise the guess is weighed among the classes of cost only
        probabilities.pop(NOT_A_COST, None)
        scale = sum(probabilities.values()) or 1.0
        probabilities = {c: p / scale for c, p in probabilities.items()}
        group = self._groups[best]
        together = sum(p for c, p in probabilities.items() if self._groups[c] == group)
        near = self._nearest(normalized, best)
        wording = self._wording(columns, weights, best)
        confident = (
            wording >= WORDING_MIN
            and (
                (together >= MIN_PROBABILITY and near >= NEAR_ENOUGH)
                or (together >= CLOSE_PROBABILITY and near >= CLOSE)
            )
        ) or (together >= VERY_PROBABLE and near >= NEAR_ENOUGH and wording >= WORDING_FLOOR)
        return Guess(best, together, near, wording, confident)

    def _probabilities(
        self, normalized: str, columns: np.ndarray, weights: np.ndarray
    ) -> dict[str, float]:
        """Every class's probability (multinomial: softmax of the linear scores)."""
        import numpy as np

        model = self._model
        logits = model.intercept.copy()
        if len(columns):
            logits += model.coef[:, columns] @ weights
        if self._embed is not None:
            vector = _cached_embedding(self._embed, normalized)
            logits += model.coef[:, len(model.vocabulary) :] @ vector
        exp = np.exp(logits - logits.max())
        probabilities = exp / exp.sum()
        return dict(zip(model.classes, probabilities.tolist(), strict=True))

    def _tfidf(self, normalized: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's n-gram TF-IDF vector as (columns, weights), L2-normalised."""
        import numpy as np

        model = self._model
        counts = Counter(g for g in grams(normalized) if g in model.vocabulary)
        columns = np.array([model.vocabulary[g] for g in counts], dtype=np.int64)
        weights = np.array([1 + math.log(n) for n in counts.values()]) * model.idf[columns]
        return columns, weights / (np.linalg.norm(weights) or 1.0)

    def _wording(self, columns: np.ndarray, weights: np.ndarray, asset_type: str) -> float:
        """N-gram cosine of the text (its TF-IDF vector) to the closest example of the class.

        Shared wording, not meaning: the embedding model is English-centred, so a message in
        another language can sit close to every class at once; n-grams cannot.
        """
        import numpy as np

        entries = self._entries(asset_type)
        if not len(columns) or entries is None:
            return 0.0
        rows, indices, data = entries
        query = np.zeros(len(self._model.vocabulary))
        query[columns] = weights
        return float(np.bincount(rows, weights=data * query[indices]).max())

    def _entries(self, asset_type: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The class's example rows as flat (row, column, weight) arrays, built once."""
        import numpy as np

        if asset_type not in self._class_entries:
            rows = self._rows.get(asset_type)
            if rows is None:
                return None
            model = self._model
            spans = [range(model.example_indptr[r], model.example_indptr[r + 1]) for r in rows]
            positions = np.fromiter((i for span in spans for i in span), dtype=np.int64)
            row_ids = np.repeat(np.arange(len(spans)), [len(span) for span in spans])
            self._class_entries[asset_type] = (
                row_ids,
                model.example_indices[positions],
                model.example_data[positions],
            )
        return self._class_entries[asset_type]

    def _nearest(self, normalized: str, asset_type: str) -> float:
        """Embedding cosine of the text to the closest example of ``asset_type``.

        1 without embeddings. A text far from every example of the class it is given is not
        what that class's examples describe, however the probabilities fall.
        """
        vectors = self._model.example_vectors
        if self._embed is None or vectors is None:
            return 1.0
        mine = self._rows.get(asset_type)
        if mine is None or not len(mine):
            return 0.0
        return float((vectors[mine] @ _cached_embedding(self._embed, normalized)).max())


def _rows_by_class(labels: list[str]) -> dict[str, np.ndarray]:
    import numpy as np

    rows: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        rows.setdefault(label, []).append(index)
    return {label: np.array(indices) for label, indices in rows.items()}


def _fit(examples: Sequence[tuple[str, str]], embed: Embed | None) -> _Model:
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [normalize(phrase) for _, phrase in examples]
    labels = [label for label, _ in examples]
    # n-grams seen in one phrase only are mostly its own typos: dropping them halves the
    # vocabulary and the training time at no measured cost
    vectorizer = TfidfVectorizer(analyzer=grams, sublinear_tf=True, min_df=2)
    features = tfidf = vectorizer.fit_transform(texts).tocsr()
    vectors = embed(texts) if embed is not None else None
    if vectors is not None:
        features = hstack([features, csr_matrix(vectors)]).tocsr()
    model = LogisticRegression(C=10, max_iter=300)
    model.fit(features, labels)
    return _Model(
        classes=[str(c) for c in model.classes_],
        vocabulary={str(g): int(i) for g, i in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float64),
        coef=model.coef_.astype(np.float64),
        intercept=model.intercept_.astype(np.float64),
        example_vectors=vectors,
        example_labels=labels,
        example_indptr=tfidf.indptr.copy(),
        example_indices=tfidf.indices.copy(),
        example_data=tfidf.data.astype(np.float64),
    )


_QUERY_CACHE: dict[tuple[int, str], np.ndarray] = {}


def forget_embeddings() -> None:
    """Empty the per-text embedding cache (benchmarks measure texts seen for the first time)."""
    _QUERY_CACHE.clear()


def _cached_embedding(embed: Embed, normalized: str) -> np.ndarray:
    key = (id(embed), normalized)
    vector = _QUERY_CACHE.get(key)
    if vector is None:
        if len(_QUERY_CACHE) > 4096:
            _QUERY_CACHE.clear()
        vector = embed([normalized])[0]
        _QUERY_CACHE[key] = vector
    return vector


def examples_of(policy: Policy) -> list[tuple[str, str]]:
    return [
        (name, phrase)
        for name, spend_class in sorted(policy.classes.items())
        for phrases in spend_class.examples.values()
        for phrase in phrases
    ]


def cache_dir() -> Path:
    """Where example embeddings are kept between processes (CAPEXBOT_CACHE_DIR)."""
    configured = os.environ.get("CAPEXBOT_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "capexbot"


def _trained(examples: list[tuple[str, str]], embed: Embed | None) -> _Model:
    """The model for these examples, trained once per content and kept on disk."""
    key = "\n".join(f"{label}\t{phrase}" for label, phrase in examples)
    tag = f"{MODEL_VERSION}:{'minilm' if embed else 'chars'}"
    digest = hashlib.sha256((key + tag).encode()).hexdigest()[:20]
    path = cache_dir() / f"classifier-{digest}.pickle"
    cached = _load(path)
    if cached is not None:
        return cached
    with _training_lock(path):
        cached = _load(path)  # another process may have trained it while this one waited
        if cached is not None:
            return cached
        model = _fit(examples, embed)
        _save(model, path)
    return model


def _load(path: Path) -> _Model | None:
    try:
        with path.open("rb") as f:
            cached = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    return cached if isinstance(cached, _Model) else None


@contextlib.contextmanager
def _training_lock(path: Path) -> Iterator[None]:
    """One process trains a model at a time; the others wait for it and read its result."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = (path.parent / f"{path.name}.lock").open("w")
    except OSError:
        yield  # no writable cache: every process trains for itself
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _save(model: _Model, path: Path) -> None:
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
    except OSError:
        pass  # a read-only cache: train again next time rather than fail


def _default_embed() -> Embed | None:
    """The packaged sentence model, or None when CAPEXBOT_SEMANTIC=off."""
    if os.environ.get("CAPEXBOT_SEMANTIC", "on").lower() in ("off", "0", "false", "no"):
        return None
    from bot.retrieval.encoder import get_encoder

    return get_encoder().encode


_CLASSIFIERS: dict[tuple[str, bool], SpendClassifier | None] = {}


def classifier_for(policy: Policy) -> SpendClassifier | None:
    """The policy's classifier, built once per policy version; None without example phrases."""
    embed = _default_embed()
    key = (policy.version, embed is not None)
    if key not in _CLASSIFIERS:
        _CLASSIFIERS[key] = _build(policy, embed)
    return _CLASSIFIERS[key]


def _build(policy: Policy, embed: Embed | None) -> SpendClassifier | None:
    examples = examples_of(policy)
    if not examples:
        return None
    return SpendClassifier(_trained(examples, embed), categories_of(policy), embed)


def categories_of(policy: Policy) -> dict[str, str]:
    """Each class's category (the rules treat a category alike), the background class too."""
    categories: dict[str, str] = {
        name: asset.category for name, asset in policy.settings.asset_types.items()
    }
    categories[NOT_A_COST] = NOT_A_COST
    return categories
