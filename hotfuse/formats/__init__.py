"""File formats: bytes <-> hotfuse objects, one module per family.

==========================  ==================================================================
module                      what it reads and writes
==========================  ==================================================================
``formats.lexicon_toml``    hotfuse's own round-trip TOML lexicon (comments and order kept),
                            the lexicon file lock
``formats.hotword_files``   other tools' hotword lists (plain, FunASR, sherpa-onnx, CSV,
                            CapsWriter, Aliyun, Tencent): ``import_lexicon`` /
                            ``export_lexicon``
``formats.corpus``          corpus files: Kaldi ``text``, JSONL hypotheses and hotword lists;
                            the one streaming line reader behind ``fuse -i``, ``eval`` and
                            ``tune``
``formats.records``         the JSON record shape of Transcript, FuseResult and EvalReport
                            (every ``--json`` output)
``formats.config``          fusion config TOML (``hotfuse tune`` writes, ``--config`` reads)
==========================  ==================================================================

A new format goes into the module of its family (a new family gets a new module here).
Modules here know :class:`~hotfuse.Transcript`, :class:`~hotfuse.FuseResult` and the
lexicon model, nothing of matching; importing this package loads none of them.
"""
