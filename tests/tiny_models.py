"""Builders of tiny, randomly initialised FunASR models for tests and smoke runs.

Each builder writes a model directory shaped exactly like a public FunASR model
(``config.yaml``, ``model.pt``, ``tokens.json``, ``am.mvn``) so that it loads through the
same :class:`hotfuse.runners.paraformer.ParaformerRecognizer` path a user takes. The
weights are random; the decoder's output-layer bias is pushed away from ``<blank>``,
``<s>`` and ``</s>`` and the CIF predictor's bias is raised so that even a random model
emits a few tokens per second of audio. Building one takes about a second on CPU.

The network classes are FunASR's own (``Paraformer``, ``SeacoParaformer``, SAN-M
encoder and decoder, CIF predictors, ``WavFrontend``); only the sizes are tiny.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = [
    "CJK_TOKENS",
    "UNK",
    "build_tiny_model",
    "tiny_config",
    "vocabulary",
    "write_model_dir",
]

#: Vocabulary: ids 0-2 are <blank>, <s>, </s>; then CJK characters; ``<unk>`` last.
CJK_TOKENS: tuple[str, ...] = tuple(chr(cp) for cp in range(0x4E00, 0x4E00 + 300))
UNK = "<unk>"
_SPECIAL = ("<blank>", "<s>", "</s>")


def _token_list() -> list[str]:
    return [*_SPECIAL, *CJK_TOKENS, UNK]


def tiny_config(kind: str) -> dict[str, Any]:
    """The ``config.yaml`` content of a tiny ``"paraformer"`` or ``"seaco"`` model."""
    vocab = len(_token_list())
    d = 32
    encoder_conf = {
        "output_size": d,
        "attention_heads": 2,
        "linear_units": 64,
        "num_blocks": 2,
        "dropout_rate": 0.0,
        "positional_dropout_rate": 0.0,
        "attention_dropout_rate": 0.0,
        "input_layer": "pe",
        "pos_enc_class": "SinusoidalPositionEncoder",
        "normalize_before": True,
        "kernel_size": 5,
        "sanm_shfit": 0,
        "selfattention_layer_type": "sanm",
    }
    decoder_conf = {
        "attention_heads": 2,
        "linear_units": 64,
        "num_blocks": 2,
        "dropout_rate": 0.0,
        "positional_dropout_rate": 0.0,
        "self_attention_dropout_rate": 0.0,
        "src_attention_dropout_rate": 0.0,
        "att_layer_num": 2,
        "kernel_size": 5,
        "sanm_shfit": 0,
    }
    frontend_conf = {
        "fs": 16000,
        "window": "hamming",
        "n_mels": 80,
        "frame_length": 25,
        "frame_shift": 10,
        "lfr_m": 7,
        "lfr_n": 6,
        "dither": 0.0,
    }
    cfg: dict[str, Any] = {
        "encoder": "SANMEncoder",
        "encoder_conf": encoder_conf,
        "decoder": "ParaformerSANMDecoder",
        "decoder_conf": decoder_conf,
        "frontend": "WavFrontend",
        "frontend_conf": frontend_conf,
        "tokenizer": "CharTokenizer",
        "tokenizer_conf": {"unk_symbol": UNK, "split_with_space": True},
        "input_size": 560,
        "ctc_conf": {"dropout_rate": 0.0, "ctc_type": "builtin", "reduce": True},
    }
    if kind == "paraformer":
        cfg["model"] = "Paraformer"
        cfg["model_conf"] = {
            "ctc_weight": 0.0,
            "lsm_weight": 0.1,
            "length_normalized_loss": True,
            "predictor_weight": 1.0,
            "predictor_bias": 1,
            "sampling_ratio": 0.75,
        }
        cfg["predictor"] = "CifPredictorV2"
        cfg["predictor_conf"] = {
            "idim": d,
            "threshold": 1.0,
            "l_order": 1,
            "r_order": 1,
            "tail_threshold": 0.45,
        }
    elif kind == "seaco":
        cfg["model"] = "SeacoParaformer"
        cfg["model_conf"] = {
            "ctc_weight": 0.0,
            "lsm_weight": 0.1,
            "length_normalized_loss": True,
            "predictor_weight": 1.0,
            "predictor_bias": 1,
            "sampling_ratio": 0.75,
            "inner_dim": d,
            "bias_encoder_type": "lstm",
            "bias_encoder_bid": False,
            "seaco_lsm_weight": 0.1,
            "seaco_length_normalized_loss": True,
            "NO_BIAS": vocab - 2,
            "seaco_decoder": "ParaformerSANMDecoder",
            "seaco_decoder_conf": {
                "attention_heads": 2,
                "linear_units": 32,
                "num_blocks": 1,
                "dropout_rate": 0.0,
                "positional_dropout_rate": 0.0,
                "self_attention_dropout_rate": 0.0,
                "src_attention_dropout_rate": 0.0,
                "att_layer_num": 1,
                "kernel_size": 5,
                "sanm_shfit": 0,
                "use_output_layer": False,
                "wo_input_layer": True,
            },
            "train_decoder": True,
            "seaco_weight": 0.01,
        }
        cfg["predictor"] = "CifPredictorV3"
        cfg["predictor_conf"] = {
            "idim": d,
            "threshold": 1.0,
            "l_order": 1,
            "r_order": 1,
            "tail_threshold": 0.45,
            "smooth_factor2": 0.25,
            "noise_threshold2": 0.01,
            "upsample_times": 3,
            "use_cif1_cnn": False,
            "upsample_type": "cnn_blstm",
        }
    else:
        msg = f"unknown tiny model kind {kind!r}; use 'paraformer' or 'seaco'"
        raise ValueError(msg)
    return cfg


def _write_cmvn(path: Path, dim: int) -> None:
    """A Kaldi-nnet ``am.mvn`` (AddShift then Rescale) that roughly centres fbanks."""
    shift = " ".join(["-8.0"] * dim)
    scale = " ".join(["0.25"] * dim)
    path.write_text(
        "<Nnet>\n"
        f"<Splice> {dim} {dim}\n[ 0 ]\n"
        f"<AddShift> {dim} {dim}\n<LearnRateCoef> 0 [ {shift} ]\n"
        f"<Rescale> {dim} {dim}\n<LearnRateCoef> 0 [ {scale} ]\n"
        "</Nnet>\n",
        encoding="utf-8",
    )


def build_tiny_model(
    directory: str | Path,
    kind: str = "seaco",
    *,
    seed: int = 0,
    emit_unk: bool = False,
    out_scale: float = 8.0,
    unk_bias: float = 4.0,
) -> Path:
    """Write a tiny random FunASR model directory and return its path.

    Args:
        directory: where to write (created if missing).
        kind: ``"seaco"`` (SeacoParaformer, CifPredictorV3 timestamps) or ``"paraformer"``.
        seed: torch seed of the random weights.
        emit_unk: raise the ``<unk>`` logit so the model emits some ``<unk>`` tokens.
        out_scale: factor on the output layer's random weights (sharper distributions).
        unk_bias: the ``<unk>`` output bias when ``emit_unk``.
    """
    return write_model_dir(
        directory,
        tiny_config(kind),
        _token_list(),
        seed=seed,
        out_scale=out_scale,
        unk_bias=unk_bias if emit_unk else -30.0,
    )


def vocabulary(n_cjk: int) -> list[str]:
    """``<blank>``, ``<s>``, ``</s>``, ``n_cjk`` CJK characters from U+4E00, ``<unk>``."""
    return [*_SPECIAL, *(chr(cp) for cp in range(0x4E00, 0x4E00 + n_cjk)), UNK]


def write_model_dir(
    directory: str | Path,
    cfg: dict[str, Any],
    tokens: list[str],
    *,
    seed: int = 0,
    out_scale: float = 8.0,
    unk_bias: float = -30.0,
    tokens_per_second: float | None = None,
) -> Path:
    """Write ``config.yaml``, random ``model.pt``, ``tokens.json``, ``am.mvn``, ``seg_dict``.

    Args:
        directory: where to write (created if missing).
        cfg: the config.yaml content (FunASR registry names, ``model_conf``...).
        tokens: the vocabulary; ids 0-2 must be ``<blank>``, ``<s>``, ``</s>``.
        seed: torch seed of the random weights.
        out_scale: factor on the output layer's random weights.
        unk_bias: output bias of the last token (``<unk>``).
        tokens_per_second: when given, the CIF predictor fires at this constant rate (its
            output weights zeroed, its bias set), like real speech (about 4 per second);
            otherwise it is biased to fire on most frames.
    """
    import math

    import torch
    import yaml

    from hotfuse.runners.paraformer import import_funasr

    import_funasr()
    from funasr.register import tables

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    (out / "tokens.json").write_text(json.dumps(tokens, ensure_ascii=False), encoding="utf-8")
    # seg_dict lets SeACo tokenise hotwords passed to the model (one line per character)
    (out / "seg_dict").write_text(
        "".join(f"{t} {t}\n" for t in tokens if len(t) == 1), encoding="utf-8"
    )
    _write_cmvn(out / "am.mvn", cfg["input_size"])

    conf: dict[str, Any] = {k: v for k, v in cfg.items() if k != "model_conf"}
    conf.update(cfg.get("model_conf", {}))
    conf["vocab_size"] = len(tokens)
    model_class = tables.model_classes.get(cfg["model"])
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = model_class(**conf)
        with torch.no_grad():
            for p in model.parameters():
                if p.dim() > 1:
                    p.mul_(2.0)
            # sharper random logits, so confidences spread over (0, 1)
            model.decoder.output_layer.weight.mul_(out_scale)
            bias = model.decoder.output_layer.bias
            bias[:3] = -30.0  # never emit <blank>, <s>, </s>
            bias[-1] = unk_bias
            cif = model.predictor.cif_output
            if tokens_per_second is None:
                cif.bias.fill_(1.0)  # alphas ~0.7 per frame: tokens fire
            else:
                alpha = tokens_per_second * 0.06  # one encoder frame is 60 ms
                cif.weight.zero_()
                cif.bias.fill_(math.log(alpha / (1.0 - alpha)))
    finally:
        torch.random.set_rng_state(state)
    torch.save(model.state_dict(), out / "model.pt")
    return out
