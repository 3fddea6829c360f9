"""Batch-size-1 (SeACo-)Paraformer recognition with per-token confidences and times.

This is the only hotfuse module that imports ``funasr`` and ``torch`` (lazily, on first
use; install them with ``pip install 'hotfuse[funasr]'``). It runs a FunASR
``Paraformer``, ``BiCifParaformer`` or ``SeacoParaformer`` model **without hotwords** and
returns a :class:`hotfuse.Transcript` ready for :class:`hotfuse.Fuser`, so that
contextual biasing costs no GPU memory at all: the hotwords are applied afterwards, on
the CPU.

How each token's confidence is obtained
    FunASR's Paraformer decodes non-autoregressively: the CIF predictor fixes the number
    of tokens, the decoder produces one distribution per token position, and the emitted
    token is the arg-max of the decoder's final ``log_softmax`` (``am_scores`` in FunASR;
    there is no beam search unless a CTC or LM weight is configured, which this runner
    turns off). The runner wraps, on the loaded model *instance* only (FunASR's classes
    and files are untouched), the bound method that produces that ``log_softmax``:
    ``_seaco_decode_with_ASF`` for SeACo-Paraformer (its decode step; with no hotwords
    it is exactly ``log_softmax(decoder(...))``) and ``cal_decoder_with_predictor`` for
    Paraformer and BiCifParaformer. The wrapper records the tensor and the predicted
    token count; a token's confidence is ``exp(max_v log p[t, v])``, the probability of
    the emitted token at position ``t``. Positions whose arg-max is ``<blank>``, ``<s>``
    or ``</s>`` are dropped exactly as FunASR drops them, so confidences stay aligned with
    the emitted tokens. BPE pieces ending in ``@@`` are joined into one word whose
    confidence is the minimum of its pieces (as :meth:`Transcript.from_text` does).

How each token's time is obtained
    From the same call's CIF outputs (``calc_predictor`` / ``calc_predictor_timestamp``,
    also captured by wrapping), through FunASR's own ``ts_prediction_lfr6_standard``,
    called the way FunASR calls it for that model class. FunASR then drops ``<unk>``
    from the token list but not from the timestamp list, so every token after an
    ``<unk>`` gets its predecessor's time (a known upstream shift); this runner drops
    ``<unk>`` together with its own timestamp, so the times stay aligned. Times are in
    seconds from the start of the whole audio, clipped to the decoded segment.

Long audio
    Encoder self-attention is quadratic in the number of frames, so one call on a long
    file needs memory that grows with its length. The runner never decodes more than
    ``window_seconds`` (30 s) at once: with a VAD model directory it decodes each speech
    segment (long ones split further), otherwise fixed windows overlapping by
    ``overlap_seconds``; a token seen twice in an overlap is kept only from the window
    whose centre part holds the token's midpoint.

No hotwords reach the model
    In FunASR, ``hotword=""`` still switches SeACo's biasing on (an ``<s>``-only list) and
    a hotword given to ``AutoModel(...)`` or in ``config.yaml`` is applied to every call.
    The runner refuses a ``hotword`` argument, removes one found in the model's
    configuration (with a warning), never passes one to ``generate()``, and its wrapper
    raises :class:`~hotfuse.errors.RecognizerError` if a hotword list ever reaches the
    decode step. :meth:`ParaformerRecognizer.model_hotword_settings` shows what is left
    (always empty).

Example (needs a model directory, e.g. a ModelScope download of
``iic/speech_seaco_paraformer_large_asr_nat-zh-cn-16k-common-vocab8404-pytorch``)::

    >>> from hotfuse.runners.paraformer import ParaformerRecognizer  # doctest: +SKIP
    >>> rec = ParaformerRecognizer("models/seaco-paraformer")       # doctest: +SKIP
    >>> res = rec.transcribe("meeting.wav")                         # doctest: +SKIP
    >>> res.transcript.text, res.transcript.tokens[0]               # doctest: +SKIP
    ('伊丽沙白这会儿真太高兴了', Token(text='伊', start=0.33, end=0.51, confidence=0.97))
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import random
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from hotfuse.errors import ConfigError, MissingDependencyError, RecognizerError
from hotfuse.runners.audio import SAMPLE_RATE, read_samples
from hotfuse.transcript import Token, Transcript

__all__ = [
    "SUPPORTED_MODEL_CLASSES",
    "ParaformerRecognizer",
    "RecognitionResult",
    "SegmentResult",
    "import_funasr",
    "plan_windows",
]

logger = logging.getLogger("hotfuse")

#: FunASR model classes this runner knows how to read confidences from.
SUPPORTED_MODEL_CLASSES = ("Paraformer", "BiCifParaformer", "SeacoParaformer")
#: Token strings FunASR removes from the text (``sentence_postprocess``).
_DROPPED_TOKENS = frozenset({"<s>", "</s>", "<unk>", "<OOV>"})
_HOTWORD_KEYS = ("hotword", "hotwords")
_MIN_SAMPLES = 400  # one 25 ms fbank frame at 16 kHz
_funasr_lock = threading.Lock()
_funasr_module: ModuleType | None = None


# --------------------------------------------------------------------------- funasr scope
class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _funasr_scope(what: str) -> Iterator[None]:
    """Run FunASR code without letting it change process-wide state.

    FunASR configures the root logger (``logging.basicConfig(level=INFO)`` at import and
    in ``AutoModel``), prints notices to stdout, emits warnings, sets environment
    variables and seeds the global random generators. Inside this scope the root
    logger's handlers are replaced by a collector, stdout is captured, warnings are
    recorded, and on exit everything is put back; what FunASR said is re-logged on the
    ``hotfuse`` logger (errors as warnings, the rest at debug level).
    """
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    saved_env = {k: os.environ.get(k) for k in ("HYDRA_FULL_ERROR",)}
    collector = _Collector()
    out = io.StringIO()
    root.handlers = [collector]
    root.setLevel(logging.INFO if logger.isEnabledFor(logging.DEBUG) else logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
            warnings.simplefilter("always")
            yield
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    for rec in collector.records:
        level = logging.WARNING if rec.levelno >= logging.ERROR else logging.DEBUG
        logger.log(level, "funasr (%s): %s", what, rec.getMessage())
    for w in caught:
        logger.debug("funasr (%s) warning: %s", what, w.message)
    printed = out.getvalue().strip()
    if printed:
        logger.debug("funasr (%s) printed: %s", what, printed)


def import_funasr() -> ModuleType:
    """Import ``funasr`` once, quietly (see :func:`_funasr_scope`), and return it.

    Raises:
        MissingDependencyError: funasr (or torch) is not installed.
    """
    global _funasr_module
    with _funasr_lock:
        if _funasr_module is None:
            try:
                with _funasr_scope("import"):
                    import funasr
                    import torch  # noqa: F401
                    from funasr import AutoModel  # noqa: F401  (resolves the lazy export)
            except ImportError as exc:
                name = "torch" if getattr(exc, "name", "") == "torch" else "funasr"
                extra = "funasr"
                raise MissingDependencyError(name, extra, "the Paraformer runner") from exc
            _funasr_module = funasr
        return _funasr_module


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class SegmentResult:
    """One decoded piece of audio (a window or a VAD segment), times in seconds."""

    start: float
    end: float
    model_text: str
    n_tokens: int


@dataclass(frozen=True, slots=True)
class RecognitionResult:
    """What one :meth:`ParaformerRecognizer.transcribe` call produced and cost.

    Attributes:
        transcript: tokens with absolute times (s) and confidences in [0, 1].
        audio_seconds: duration of the input audio.
        elapsed_seconds: wall time of the call (features, model, post-processing).
        rtf: real-time factor, ``elapsed_seconds / audio_seconds``.
        peak_gpu_bytes: ``torch.cuda.max_memory_allocated`` during the call on CUDA,
            None on CPU.
        device: the torch device the model ran on.
        segments: the pieces decoded one by one, with FunASR's own text for each.
    """

    transcript: Transcript
    audio_seconds: float
    elapsed_seconds: float
    rtf: float
    peak_gpu_bytes: int | None
    device: str
    segments: tuple[SegmentResult, ...] = field(default=())


# --------------------------------------------------------------------------- windows
def plan_windows(
    start: float, end: float, window: float, overlap: float
) -> list[tuple[float, float, float, float]]:
    """Split ``[start, end)`` seconds into overlapping windows.

    Returns ``(win_start, win_end, keep_start, keep_end)`` tuples: a token whose midpoint
    lies in ``[keep_start, keep_end)`` is kept from that window. Keep ranges tile
    ``[start, end)`` without gaps or overlaps (the last one is closed at ``end``).

    >>> plan_windows(0.0, 70.0, 30.0, 4.0)
    [(0.0, 30.0, 0.0, 28.0), (26.0, 56.0, 28.0, 54.0), (52.0, 70.0, 54.0, 70.0)]
    """
    if end - start <= window:
        return [(start, end, start, end)]
    stride = window - overlap
    out: list[tuple[float, float, float, float]] = []
    s = start
    while True:
        e = min(s + window, end)
        keep_s = start if not out else s + overlap / 2
        last = e >= end
        keep_e = end if last else e - overlap / 2
        out.append((s, e, keep_s, keep_e))
        if last:
            return out
        s += stride


# --------------------------------------------------------------------------- capture
@dataclass
class _Capture:
    """Tensors recorded by the wrapped model methods during one ``generate`` call."""

    logp: Any = None
    token_lens: Any = None
    encoder_out_lens: Any = None
    alphas: Any = None
    peaks: Any = None
    us_alphas: Any = None
    us_peaks: Any = None
    calls: int = 0

    def reset(self) -> None:
        self.logp = self.token_lens = self.encoder_out_lens = None
        self.alphas = self.peaks = self.us_alphas = self.us_peaks = None
        self.calls = 0


def _install_hooks(model: Any, cap: _Capture) -> None:
    """Wrap the model instance's bound methods so each call records its outputs."""
    cls_name = type(model).__name__
    if cls_name == "SeacoParaformer":
        orig_seaco = model._seaco_decode_with_ASF

        def seaco_decode(
            encoder_out: Any,
            encoder_out_lens: Any,
            sematic_embeds: Any,
            ys_pad_lens: Any,
            hw_list: Any = None,
            **kwargs: Any,
        ) -> Any:
            if hw_list is not None:
                msg = (
                    f"a hotword list ({len(hw_list)} entries) reached the SeACo decoder; "
                    "hotfuse never biases the model: remove 'hotword' from the model's "
                    "config.yaml and pass hotwords to hotfuse instead"
                )
                raise RecognizerError(msg)
            out = orig_seaco(
                encoder_out, encoder_out_lens, sematic_embeds, ys_pad_lens, hw_list, **kwargs
            )
            cap.logp, cap.token_lens, cap.encoder_out_lens = out, ys_pad_lens, encoder_out_lens
            cap.calls += 1
            return out

        model._seaco_decode_with_ASF = seaco_decode
    else:
        orig_dec = model.cal_decoder_with_predictor

        def cal_decoder(
            encoder_out: Any, encoder_out_lens: Any, sematic_embeds: Any, ys_pad_lens: Any
        ) -> Any:
            out = orig_dec(encoder_out, encoder_out_lens, sematic_embeds, ys_pad_lens)
            cap.logp, cap.token_lens, cap.encoder_out_lens = out[0], out[1], encoder_out_lens
            cap.calls += 1
            return out

        model.cal_decoder_with_predictor = cal_decoder

    orig_pred = model.calc_predictor

    def calc_predictor(encoder_out: Any, encoder_out_lens: Any) -> Any:
        out = orig_pred(encoder_out, encoder_out_lens)
        cap.alphas, cap.peaks = out[2], out[3]
        return out

    model.calc_predictor = calc_predictor

    orig_ts = getattr(model, "calc_predictor_timestamp", None)
    if orig_ts is not None:

        def calc_predictor_timestamp(encoder_out: Any, encoder_out_lens: Any, n: Any) -> Any:
            out = orig_ts(encoder_out, encoder_out_lens, n)
            cap.us_alphas, cap.us_peaks = out[2], out[3]
            return out

        model.calc_predictor_timestamp = calc_predictor_timestamp


# --------------------------------------------------------------------------- recognizer
def _looks_like_path(name: str) -> bool:
    return (
        name.startswith(("/", ".", "~"))
        or name.endswith(("/", os.sep))
        or name.count("/") > 1
        or (os.sep != "/" and os.sep in name)
    )


def check_model_dir(path: Path) -> None:
    """Check that ``path`` holds a FunASR model; raise a RecognizerError naming what lacks."""
    if not path.exists():
        msg = f"model directory {str(path)!r} does not exist; pass a FunASR model directory"
        raise RecognizerError(msg)
    if not path.is_dir():
        msg = f"model {str(path)!r} is a file; pass the directory that holds config.yaml"
        raise RecognizerError(msg)
    missing = []
    if not (path / "config.yaml").is_file() and not (path / "configuration.json").is_file():
        missing.append("config.yaml")
    if not (path / "model.pt").is_file():
        missing.append("model.pt")
    if not (path / "tokens.json").is_file() and not (path / "tokens.txt").is_file():
        missing.append("tokens.json (or tokens.txt)")
    if not (path / "am.mvn").is_file():
        missing.append("am.mvn")
    if missing:
        msg = (
            f"model directory {str(path)!r} lacks {', '.join(missing)}; a FunASR Paraformer "
            "directory (as downloaded from ModelScope) holds config.yaml, model.pt, "
            "tokens.json and am.mvn"
        )
        raise RecognizerError(msg)


class ParaformerRecognizer:
    """A FunASR Paraformer / SeACo-Paraformer model run at batch size 1 with no hotwords.

    Args:
        model: a local FunASR model directory (``config.yaml``, ``model.pt``,
            ``tokens.json``, ``am.mvn``) or, on a machine that reaches the hub, a
            ModelScope name such as ``"iic/speech_seaco_paraformer_large_asr_nat-zh-cn-16k-"
            "common-vocab8404-pytorch"`` (one string).
        device: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``,
            ``"cuda:1"``... A CUDA device that is not available is an error, not a
            silent fall-back.
        batch_size: must be 1 (the point of the runner: lean GPU memory).
        vad_model: optional FunASR VAD model directory (e.g. ``fsmn-vad``) used to cut
            long audio at pauses; without it fixed overlapping windows are used.
        window_seconds: longest piece decoded in one model call.
        overlap_seconds: overlap between fixed windows.
        dither: fbank dither; 0.0 (default) makes results reproducible, None keeps the
            model configuration's value (FunASR's default is 1.0, random noise).
        ncpu: CPU threads for torch; None keeps the current ``torch.get_num_threads()``
            (FunASR would otherwise set 4 process-wide).
        **model_kwargs: further ``AutoModel`` overrides (``hub="hf"``, ``fp16=True``...);
            ``hotword`` is refused.

    Raises:
        RecognizerError: the directory is missing or incomplete, the model class is not
            supported, the device is not available, or FunASR fails to load it.
        ConfigError: bad argument values (batch size, windows, a hotword argument).
        MissingDependencyError: funasr / torch are not installed.

    Calls are serialised with a lock: one instance decodes one piece at a time.
    """

    def __init__(
        self,
        model: str | os.PathLike[str],
        *,
        device: str = "auto",
        batch_size: int = 1,
        vad_model: str | os.PathLike[str] | None = None,
        window_seconds: float = 30.0,
        overlap_seconds: float = 4.0,
        dither: float | None = 0.0,
        ncpu: int | None = None,
        **model_kwargs: Any,
    ) -> None:
        if batch_size != 1:
            msg = (
                f"batch_size={batch_size!r}: the hotfuse runner decodes at batch size 1 "
                "to keep GPU memory low; run several processes for throughput"
            )
            raise ConfigError(msg)
        bad = [k for k in model_kwargs if k.lower() in _HOTWORD_KEYS]
        if bad:
            msg = (
                f"{bad[0]!r} is not passed to the model: hotfuse applies hotwords after "
                "recognition (hotfuse.Fuser / hotfuse transcribe --hotword)"
            )
            raise ConfigError(msg)
        if not (window_seconds > 0 and math.isfinite(window_seconds)):
            msg = f"window_seconds must be a positive number, got {window_seconds!r}"
            raise ConfigError(msg)
        if not (0 <= overlap_seconds < window_seconds / 2):
            msg = f"overlap_seconds must be in [0, window_seconds / 2), got {overlap_seconds!r}"
            raise ConfigError(msg)
        self.window_seconds = float(window_seconds)
        self.overlap_seconds = float(overlap_seconds)
        self.model_name = os.fspath(model)
        self._lock = threading.Lock()
        self._capture = _Capture()

        import_funasr()
        import torch

        self.device = self._resolve_device(device, torch)
        self._am = self._build(self.model_name, dither, ncpu, torch, model_kwargs)
        self._model = self._am.model
        cls_name = type(self._model).__name__
        if cls_name not in SUPPORTED_MODEL_CLASSES:
            msg = (
                f"model class {cls_name} is not supported by the hotfuse runner; it reads "
                f"confidences from {', '.join(SUPPORTED_MODEL_CLASSES)}"
            )
            raise RecognizerError(msg)
        self.model_class = cls_name
        self._strip_hotwords()
        _install_hooks(self._model, self._capture)
        self._vad: Any = None
        if vad_model is not None:
            vad_name = os.fspath(vad_model)
            self._vad = self._build(vad_name, None, ncpu, torch, {}, check_asr_files=False)

    # ------------------------------------------------------------------ loading
    @staticmethod
    def _resolve_device(device: str, torch: Any) -> str:
        if device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            msg = f"device {device!r} was asked for but CUDA is not available; use 'cpu'"
            raise RecognizerError(msg)
        return device

    def _build(
        self,
        name: str,
        dither: float | None,
        ncpu: int | None,
        torch: Any,
        extra: dict[str, Any],
        *,
        check_asr_files: bool = True,
    ) -> Any:
        from funasr import AutoModel

        path = Path(name).expanduser()
        if path.exists() or _looks_like_path(name):
            if check_asr_files:
                check_model_dir(path)
            elif not (path / "config.yaml").is_file() or not (path / "model.pt").is_file():
                msg = f"VAD model directory {name!r} must hold config.yaml and model.pt"
                raise RecognizerError(msg)
            source = str(path.resolve())
            local = True
        else:
            source, local = name, False
            logger.info("loading %s from the model hub (not a local directory)", name)
        kwargs: dict[str, Any] = {
            "model": source,
            "device": self.device,
            "disable_update": True,
            "disable_pbar": True,
            "disable_log": True,
            "ncpu": ncpu if ncpu is not None else torch.get_num_threads(),
            "batch_size": 1,
            "decoding_ctc_weight": 0.0,
            "lm_weight": 0.0,
            **extra,
        }
        if dither is not None:
            kwargs["frontend_conf"] = {"dither": float(dither)}
        rng = (random.getstate(), np.random.get_state(), torch.random.get_rng_state())
        try:
            with _funasr_scope("load"):
                return AutoModel(**kwargs)
        except Exception as exc:
            where = "local directory" if local else "model hub (check the name and network)"
            msg = f"FunASR could not load {name!r} from the {where}: {exc}"
            raise RecognizerError(msg) from exc
        finally:
            random.setstate(rng[0])
            np.random.set_state(rng[1])
            torch.random.set_rng_state(rng[2])

    def _strip_hotwords(self) -> None:
        base = getattr(self._am, "_base_kwargs_map", {}).get("kwargs", {})
        for store in (self._am.kwargs, base):
            for key in _HOTWORD_KEYS:
                if key in store:
                    logger.warning(
                        "removed %r=%r from the model configuration: hotfuse never passes "
                        "hotwords to the model",
                        key,
                        store[key],
                    )
                    del store[key]
        if getattr(self._model, "hotword_list", None) is not None:
            self._model.hotword_list = None

    def model_hotword_settings(self) -> dict[str, Any]:
        """Every hotword setting left in the model's configuration and state (always {})."""
        found: dict[str, Any] = {}
        base = getattr(self._am, "_base_kwargs_map", {}).get("kwargs", {})
        for label, store in (("kwargs", self._am.kwargs), ("base kwargs", base)):
            for key in _HOTWORD_KEYS:
                if key in store:
                    found[f"{label}.{key}"] = store[key]
        hw = getattr(self._model, "hotword_list", None)
        if hw is not None:
            found["model.hotword_list"] = hw
        return found

    # ------------------------------------------------------------------ decoding
    @property
    def automodel(self) -> Any:
        """The underlying ``funasr.AutoModel`` (for inspection; do not pass hotwords)."""
        return self._am

    def transcribe(
        self, audio: str | os.PathLike[str] | np.ndarray, *, sample_rate: int = SAMPLE_RATE
    ) -> RecognitionResult:
        """Recognise one file or waveform.

        Args:
            audio: a path (wav, flac, mp3...; any rate or channel count) or a float
                waveform in [-1, 1] (mono, or shape ``(samples, channels)``).
            sample_rate: the waveform's rate when ``audio`` is an array.

        Returns:
            A :class:`RecognitionResult` (transcript, real-time factor, peak GPU bytes).

        Raises:
            InputError: the file cannot be read or holds no samples.
            RecognizerError: FunASR failed while decoding.
        """
        samples = read_samples(audio, sample_rate)
        import torch

        with self._lock:
            cuda = self.device.startswith("cuda")
            if cuda:
                torch.cuda.synchronize(self.device)
                torch.cuda.reset_peak_memory_stats(self.device)
            t0 = time.perf_counter()
            tokens, segments = self._transcribe_samples(samples, torch)
            if cuda:
                torch.cuda.synchronize(self.device)
            elapsed = time.perf_counter() - t0
            peak = int(torch.cuda.max_memory_allocated(self.device)) if cuda else None
        seconds = samples.size / SAMPLE_RATE
        return RecognitionResult(
            transcript=Transcript.from_tokens(tokens),
            audio_seconds=seconds,
            elapsed_seconds=elapsed,
            rtf=elapsed / seconds,
            peak_gpu_bytes=peak,
            device=self.device,
            segments=tuple(segments),
        )

    def _speech_ranges(self, samples: np.ndarray) -> list[tuple[float, float]]:
        total = samples.size / SAMPLE_RATE
        if self._vad is None:
            return [(0.0, total)]
        with _funasr_scope("vad"):
            res = self._vad.generate(input=samples, disable_pbar=True)
        ranges = []
        for beg_ms, end_ms in res[0].get("value", []) if res else []:
            s, e = max(0.0, beg_ms / 1000.0), min(total, end_ms / 1000.0)
            if e > s:
                ranges.append((s, e))
        return ranges

    def _transcribe_samples(
        self, samples: np.ndarray, torch: Any
    ) -> tuple[list[Token], list[SegmentResult]]:
        tokens: list[Token] = []
        segments: list[SegmentResult] = []
        for r_start, r_end in self._speech_ranges(samples):
            for w_start, w_end, keep_s, keep_e in plan_windows(
                r_start, r_end, self.window_seconds, self.overlap_seconds
            ):
                a, b = round(w_start * SAMPLE_RATE), round(w_end * SAMPLE_RATE)
                piece, text = self._decode(samples[a:b], a / SAMPLE_RATE, b / SAMPLE_RATE, torch)
                last = keep_e >= r_end
                kept = [
                    t
                    for t in piece
                    if t.start is None
                    or t.end is None
                    or keep_s <= (t.start + t.end) / 2 < keep_e
                    or (last and (t.start + t.end) / 2 >= keep_e)
                ]
                tokens.extend(kept)
                segments.append(SegmentResult(a / SAMPLE_RATE, b / SAMPLE_RATE, text, len(kept)))
        return tokens, segments

    def _decode(
        self, samples: np.ndarray, offset: float, seg_end: float, torch: Any
    ) -> tuple[list[Token], str]:
        """Decode one piece at batch size 1; return its tokens (absolute times) and text."""
        if samples.size < _MIN_SAMPLES:
            return [], ""
        cap = self._capture
        cap.reset()
        try:
            with torch.no_grad(), _funasr_scope("decode"):
                res = self._am.generate(input=np.ascontiguousarray(samples), disable_pbar=True)
        except RecognizerError:
            raise
        except Exception as exc:
            msg = f"FunASR failed on the audio at {offset:.2f}-{seg_end:.2f} s: {exc}"
            raise RecognizerError(msg) from exc
        if getattr(self._model, "hotword_list", None) is not None:
            msg = "the model decoded with a hotword list; hotfuse never biases the model"
            raise RecognizerError(msg)
        text = str(res[0].get("text", "")) if res else ""
        if cap.logp is None:
            return [], text
        return self._tokens_from_capture(cap, offset, seg_end, torch), text

    def _tokens_from_capture(
        self, cap: _Capture, offset: float, seg_end: float, torch: Any
    ) -> list[Token]:
        from funasr.utils.timestamp_tools import ts_prediction_lfr6_standard

        model = self._model
        n = int(cap.token_lens[0])
        logp = cap.logp[0, :n].float()
        best, ids = logp.max(dim=-1)
        skip = {int(model.blank_id), int(model.sos), int(model.eos)}
        keep = [t for t in range(n) if int(ids[t]) not in skip]
        id_list = [int(ids[t]) for t in keep]
        probs = [float(torch.exp(best[t])) for t in keep]
        pieces = list(self._am.kwargs["tokenizer"].ids2tokens(id_list))
        if not pieces:
            return []
        enc_len = int(cap.encoder_out_lens[0])
        with torch.no_grad():
            if cap.us_alphas is not None:
                _, stamps = ts_prediction_lfr6_standard(
                    cap.us_alphas[0][: enc_len * 3].clone(),
                    cap.us_peaks[0][: enc_len * 3].clone(),
                    list(pieces),
                )
            else:
                # Plain Paraformer: FunASR's own call (peak index and alphas in this order).
                peaks, alphas = cap.peaks[0], cap.alphas[0]
                predictor = getattr(model, "predictor", None)
                if getattr(predictor, "tail_mask", None) is True:
                    t_len = enc_len + (1 if float(getattr(predictor, "tail_threshold", 0)) else 0)
                    t_len = min(t_len, peaks.shape[-1], alphas.shape[-1])
                    peaks, alphas = peaks[:t_len], alphas[:t_len]
                _, stamps = ts_prediction_lfr6_standard(
                    peaks.clone(), alphas.clone(), list(pieces), upsample_rate=1
                )
        times: Sequence[Sequence[float] | None]
        if len(stamps) == len(pieces):
            times = stamps
        else:
            logger.warning(
                "FunASR returned %d timestamps for %d tokens at %.2f s; tokens of this "
                "piece carry no times",
                len(stamps),
                len(pieces),
                offset,
            )
            times = [None] * len(pieces)
        return _assemble(pieces, probs, times, offset, seg_end)


def _assemble(
    pieces: Sequence[str],
    probs: Sequence[float],
    times_ms: Sequence[Sequence[float] | None],
    offset: float,
    seg_end: float,
) -> list[Token]:
    """Turn aligned (piece, probability, [start_ms, end_ms]) triples into Tokens.

    Drops ``<s>``, ``</s>``, ``<unk>``, ``<OOV>`` *with their own time* (FunASR drops the
    token but keeps its time, shifting every later time by one), joins BPE pieces that
    end in ``@@`` into one word (minimum confidence, first start, last end), and makes
    times absolute seconds clipped to ``[offset, seg_end]``.

    >>> toks = _assemble(["你", "<unk>", "好"], [0.9, 0.5, 0.8],
    ...                  [[0, 100], [100, 200], [200, 300]], 1.0, 2.0)
    >>> [(t.text, t.start, t.end, t.confidence) for t in toks]
    [('你', 1.0, 1.1, 0.9), ('好', 1.2, 1.3, 0.8)]
    """
    out: list[Token] = []
    word = ""
    w_prob = 1.0
    w_start: float | None = None
    w_end: float | None = None

    def clip(ms: float) -> float:
        return min(max(offset + float(ms) / 1000.0, offset), seg_end)

    for piece, prob, tm in zip(pieces, probs, times_ms, strict=True):
        if piece in _DROPPED_TOKENS:
            continue
        start = clip(tm[0]) if tm is not None else None
        end = clip(tm[1]) if tm is not None else None
        cont = piece.endswith("@@")
        text = piece[:-2] if cont else piece
        if not word:
            w_start, w_prob = start, 1.0
        word += text
        w_prob = min(w_prob, prob)
        w_end = end
        if cont:
            continue
        if word:
            if w_start is not None and w_end is not None and w_end < w_start:
                w_end = w_start
            out.append(Token(word, w_start, w_end, min(max(w_prob, 0.0), 1.0)))
        word = ""
    if word:
        out.append(Token(word, w_start, w_end, min(max(w_prob, 0.0), 1.0)))
    return out
