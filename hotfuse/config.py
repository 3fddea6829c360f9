"""Fusion settings: the scoring model's features and coefficients, and :class:`FuseConfig`.

Below :mod:`hotfuse.result` and :mod:`hotfuse.fuser` (a result records the config it used);
reading and writing config files lives in :mod:`hotfuse.formats.config`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hotfuse.errors import ConfigError
from hotfuse.phonetics import DEFAULT_COSTS, CostTable

if TYPE_CHECKING:
    from hotfuse.calibration import Calibration
    from hotfuse.transcript import Transcript

__all__ = [
    "DEFAULT_FUSE_COSTS",
    "DEFAULT_MODEL",
    "DEFAULT_THRESHOLD",
    "FEATURES",
    "FuseConfig",
    "ScoringModel",
]

FEATURES = (
    "distance",
    "log_len",
    "indel",
    "overlap",
    "orig_freq",
    "cross_freq",
    "conf",
    "alias",
    "alias_pinyin",
    "latin",
    "log_lexicon",
    "spoken",
    "phones",
    "reading",
    "en_freq",
)


#: The order a score sums its products in: the features less ``conf``, then ``conf``
#: (the order :func:`hotfuse.fuser.features` holds them in).
SCORE_ORDER = (*(f for f in FEATURES if f != "conf"), "conf")


@dataclass(frozen=True, slots=True)
class ScoringModel:
    """Logistic-model coefficients: ``with_conf`` and ``no_conf`` map feature -> weight.

    The ``"bias"`` key is the intercept. Unknown feature names are a :class:`ConfigError`.
    A model is read once, when it is made: change it with :func:`dataclasses.replace`
    or a new ``ScoringModel``, not by editing its dicts.
    """

    with_conf: Mapping[str, float]
    no_conf: Mapping[str, float]
    # (bias, weights in SCORE_ORDER) of no_conf and of with_conf
    _vectors: tuple[tuple[float, tuple[float, ...]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for name, coefs in (("with_conf", self.with_conf), ("no_conf", self.no_conf)):
            bad = sorted(set(coefs) - {*FEATURES, "bias"})
            if bad:
                msg = f"ScoringModel.{name} has unknown features {bad}; known: {FEATURES}"
                raise ConfigError(msg)
            for k, v in coefs.items():
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    msg = f"ScoringModel.{name}[{k!r}] must be a finite number, got {v!r:.80}"
                    raise ConfigError(msg)
            if name == "no_conf" and coefs.get("conf", 0.0) != 0.0:
                msg = "ScoringModel.no_conf must not weigh the 'conf' feature"
                raise ConfigError(msg)
        object.__setattr__(self, "with_conf", dict(self.with_conf))
        object.__setattr__(self, "no_conf", dict(self.no_conf))
        vectors = tuple(
            (coefs.get("bias", 0.0), tuple(coefs.get(k, 0.0) for k in SCORE_ORDER))
            for coefs in (self.no_conf, self.with_conf)
        )
        object.__setattr__(self, "_vectors", vectors)

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.with_conf.items())), tuple(sorted(self.no_conf.items()))))

    def score(self, x: Mapping[str, float], *, has_conf: bool) -> float:
        """The logit of feature dict ``x`` (absent features count 0; ``conf`` is read
        only with ``has_conf``): :meth:`score_values` of its values."""
        values = [x.get(k, 0.0) for k in SCORE_ORDER[:-1]]
        return self.score_values(values, has_conf=has_conf, conf=x.get("conf"))

    def score_values(
        self, values: Sequence[float], *, has_conf: bool, conf: float | None = None
    ) -> float:
        """The logit of ``values``, the features in :data:`SCORE_ORDER` less ``conf``,
        and of ``conf`` (the logit of the confidence; with ``has_conf`` only): the bias
        plus the products, summed in that order with the weights of ``with_conf``
        (``has_conf``) or ``no_conf``. The fuser scores every candidate here.

        >>> m = ScoringModel(with_conf={"bias": 1.0, "conf": 2.0}, no_conf={"bias": -1.0})
        >>> m.score_values([0.0] * (len(SCORE_ORDER) - 1), has_conf=True, conf=0.5)
        2.0
        """
        bias, weights = self._vectors[1 if has_conf else 0]
        products: float
        if has_conf and conf is not None:
            products = sum(map(operator.mul, weights, [*values, conf]))
        else:
            products = sum(map(operator.mul, weights, values))
        return bias + products


# Fitted by eval/fit_model.py on the train splits of the real-recognizer benchmark
# (Whisper-base output, out/real) and of the simulated one (error models A and B, out/bench),
# pooled, the 3-5-word, category and catalogue lists each, with graded articulatory costs
# (feature_scale 1); features that never vary there (alias, alias_pinyin, latin) keep
# priors set by hand. spoken, phones and en_freq (Latin hotwords by sound) come from
# `python eval/crossscript.py --tune` on the tune part of the cross-script dev set;
# reading (Latin words read as Mandarin syllables) from `--tune-reading` on tuning data
# only (that tune part, the mixed real-speech train split, simulated pinyin-spelled names
# of WenetSpeech train references, false alarms on half of the English/mixed sentences).
# README "Accuracy" has the dev figures, before and after, and the command.
DEFAULT_MODEL = ScoringModel(
    with_conf={
        "bias": 3.4145,
        "distance": -9.278,
        "log_len": 0.4752,
        "indel": 0.4021,
        "overlap": 1.1463,
        "orig_freq": -0.2513,
        "cross_freq": -0.1448,
        "conf": -0.7211,
        "alias": 6.0,
        "alias_pinyin": -0.5,
        "latin": 1.0,
        "log_lexicon": -0.3666,
        "spoken": 0.5,
        "phones": 0.0,
        "reading": 1.0,
        "en_freq": -0.25,
    },
    no_conf={
        "bias": 2.6261,
        "distance": -9.4716,
        "log_len": 0.4976,
        "indel": 0.499,
        "overlap": 1.336,
        "orig_freq": -0.2888,
        "cross_freq": -0.1723,
        "alias": 6.0,
        "alias_pinyin": -0.5,
        "latin": 1.0,
        "log_lexicon": -0.3915,
        "spoken": 0.5,
        "phones": 0.0,
        "reading": 1.0,
        "en_freq": -0.25,
    },
)
DEFAULT_THRESHOLD = 0.25
# The costs the model above was fitted with: the shipped table plus graded articulatory
# distances for pairs no fuzzy list names (CostTable.feature_scale = 1).
DEFAULT_FUSE_COSTS = replace(DEFAULT_COSTS, feature_scale=1.0)


@dataclass(frozen=True, slots=True)
class FuseConfig:
    """Decision settings.

    Attributes:
        threshold: replace when the log-odds score reaches it (0 = even odds; higher is
            more conservative).
        use_confidence: use the recognizer's confidences when the transcript has them.
        max_distance: largest phonetic distance per syllable for a candidate (0-1.2).
        latin_max_distance: largest normalised letter distance for Latin terms (0-1).
        costs: the syllable cost table.
        model: the scoring coefficients.
        calibration: an optional monotone map of the recognizer's raw confidences onto
            observed probabilities of being right (:class:`hotfuse.calibration.Calibration`,
            fitted by ``hotfuse tune``); the scorer then sees calibrated confidences, while
            results still report the raw ones. A mapping ``{"knots": [...], "values":
            [...]}`` is accepted, as a config file's ``[calibration]`` table holds it.
    """

    threshold: float = DEFAULT_THRESHOLD
    use_confidence: bool = True
    max_distance: float = 0.5
    latin_max_distance: float = 0.25
    costs: CostTable = DEFAULT_FUSE_COSTS
    model: ScoringModel = DEFAULT_MODEL
    calibration: Calibration | None = None

    def __post_init__(self) -> None:
        def num(name: str, lo: float, hi: float) -> None:
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                msg = f"FuseConfig.{name} must be a finite number, got {v!r:.80}"
                raise ConfigError(msg)
            if not lo <= v <= hi:
                msg = f"FuseConfig.{name}={v!r} is outside [{lo}, {hi}]"
                raise ConfigError(msg)
            object.__setattr__(self, name, float(v))

        num("threshold", -50.0, 50.0)
        num("max_distance", 0.0, 1.2)
        num("latin_max_distance", 0.0, 1.0)
        if not isinstance(self.use_confidence, bool):
            msg = f"FuseConfig.use_confidence must be true or false, got {self.use_confidence!r}"
            raise ConfigError(msg)
        if isinstance(self.costs, Mapping):
            object.__setattr__(self, "costs", CostTable.from_dict(dict(self.costs)))
        elif not isinstance(self.costs, CostTable):
            msg = f"FuseConfig.costs must be a table of costs, got {self.costs!r:.80}"
            raise ConfigError(msg)
        if isinstance(self.model, Mapping):
            model = dict(self.model)
            tables = [model.get(k) for k in ("with_conf", "no_conf")]
            if set(model) != {"with_conf", "no_conf"} or not all(
                isinstance(t, Mapping) and all(isinstance(k, str) for k in t) for t in tables
            ):
                msg = (
                    "FuseConfig.model must have exactly the tables 'with_conf' and 'no_conf', "
                    f"each mapping feature names to numbers; got {self.model!r:.80}"
                )
                raise ConfigError(msg)
            object.__setattr__(self, "model", ScoringModel(**model))
        elif not isinstance(self.model, ScoringModel):
            msg = f"FuseConfig.model must be a table of coefficients, got {self.model!r:.80}"
            raise ConfigError(msg)
        from hotfuse.calibration import Calibration  # a layer above; it needs no config

        if isinstance(self.calibration, Mapping):
            object.__setattr__(self, "calibration", Calibration.from_dict(self.calibration))
        elif self.calibration is not None and not isinstance(self.calibration, Calibration):
            msg = (
                "FuseConfig.calibration must be a table with 'knots' and 'values' lists "
                f"(hotfuse tune writes one), got {self.calibration!r:.80}"
            )
            raise ConfigError(msg)

    @classmethod
    def coerce(cls, value: FuseConfig | Mapping[str, Any] | None, **overrides: Any) -> FuseConfig:
        """A config from None (defaults), a FuseConfig or a mapping, then ``overrides``."""
        if value is None and not overrides and cls is FuseConfig:
            return _default_config()  # every field a default: one shared, frozen instance
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            msg = f"unknown FuseConfig fields {unknown}; known: {sorted(names)}"
            raise ConfigError(msg)
        if value is None:
            base = cls()
        elif isinstance(value, FuseConfig):
            base = value
        elif isinstance(value, Mapping):
            unknown = sorted(set(value) - names)
            if unknown:
                msg = f"unknown FuseConfig fields {unknown}; known: {sorted(names)}"
                raise ConfigError(msg)
            base = cls(**dict(value))
        else:
            msg = f"config must be a FuseConfig, a mapping or None, got {type(value).__name__}"
            raise ConfigError(msg)
        return replace(base, **overrides) if overrides else base

    def scoring_view(self, transcript: Transcript) -> Transcript:
        """The transcript the scorer sees: its confidences calibrated when this config has a
        calibration and uses confidences, else ``transcript`` itself."""
        if self.calibration is None or not self.use_confidence or not transcript.has_confidences:
            return transcript
        return self.calibration.apply(transcript)

    def to_dict(self) -> dict[str, Any]:
        """A TOML-friendly view; ``FuseConfig.coerce(cfg.to_dict()) == cfg``."""
        out: dict[str, Any] = {
            "threshold": self.threshold,
            "use_confidence": self.use_confidence,
            "max_distance": self.max_distance,
            "latin_max_distance": self.latin_max_distance,
            "costs": self.costs.to_dict(),
            "model": {"with_conf": dict(self.model.with_conf), "no_conf": dict(self.model.no_conf)},
        }
        if self.calibration is not None:
            out["calibration"] = self.calibration.to_dict()
        return out


@lru_cache(maxsize=1)
def _default_config() -> FuseConfig:
    """``FuseConfig()``, built once: a frozen dataclass of frozen defaults, shared by every
    Fuser built without a config (each call of :func:`hotfuse.fuse` with a new list builds
    one)."""
    return FuseConfig()
