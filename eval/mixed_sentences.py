"""Write the mixed Chinese-English sentences of the real-speech cross-script set.

Each sentence is a made-up Chinese carrier with one English tech term in it; the Chinese
parts are read by the Mandarin TTS voice and the term by espeak-ng (en-us), then the whole
clip is decoded by the real recognizer (``eval/real_decode.py --mixed``). Terms are split
into train and dev by a hash of the term (a term is never in both), so tuning on train says
nothing about the dev terms. The term list mixes product names, acronyms and versioned
names, the shapes Chinese speakers meet.

Example:
    python eval/mixed_sentences.py -o eval/data/mixed/sentences.jsonl
    python eval/real_decode.py --mixed eval/data/mixed/sentences.jsonl --out eval/data/mixed
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (term, how espeak-ng is asked to say it): acronyms are spelled, versions read out.
TERMS: tuple[tuple[str, str], ...] = (
    ("Docker", "docker"), ("Python", "python"), ("Kubernetes", "kubernetes"),
    ("TensorFlow", "tensor flow"), ("Redis", "redis"), ("Kotlin", "kotlin"),
    ("Nginx", "engine x"), ("Figma", "figma"), ("GitHub", "git hub"),
    ("PyTorch", "pie torch"), ("Linux", "linux"), ("Ubuntu", "ubuntu"),
    ("MySQL", "my S Q L"), ("PostgreSQL", "postgres Q L"), ("MongoDB", "mongo D B"),
    ("Kafka", "kafka"), ("Jenkins", "jenkins"), ("Grafana", "grafana"),
    ("Prometheus", "prometheus"), ("Terraform", "terraform"), ("Azure", "azure"),
    ("Slack", "slack"), ("Notion", "notion"), ("Zoom", "zoom"), ("Excel", "excel"),
    ("PowerPoint", "power point"), ("Photoshop", "photoshop"), ("Android", "android"),
    ("iPhone", "i phone"), ("Windows", "windows"), ("Chrome", "chrome"),
    ("Safari", "safari"), ("Java", "java"), ("JavaScript", "java script"),
    ("TypeScript", "type script"), ("React", "react"), ("Vue", "view"),
    ("Angular", "angular"), ("Spring", "spring"), ("Django", "jango"), ("Flask", "flask"),
    ("Spark", "spark"), ("Hadoop", "hadoop"), ("Flink", "flink"), ("Jupyter", "jupiter"),
    ("Whisper", "whisper"), ("Transformer", "transformer"), ("ChatGPT", "chat G P T"),
    ("DeepSeek", "deep seek"), ("Qwen", "chwen"), ("LLaMA", "llama"), ("BERT", "bert"),
    ("NVIDIA", "en vidia"), ("CUDA", "cuda"), ("AWS", "A W S"), ("SQL", "S Q L"),
    ("API", "A P I"), ("SDK", "S D K"), ("GPU", "G P U"), ("CPU", "C P U"),
    ("HTTP", "H T T P"), ("JSON", "jason"), ("YAML", "yamel"), ("HTML", "H T M L"),
    ("CSS", "C S S"), ("SaaS", "sass"), ("Git", "git"), ("Vim", "vim"), ("Emacs", "emacs"),
    ("Rust", "rust"), ("Golang", "go lang"), ("Swift", "swift"), ("Scala", "scala"),
    ("Node.js", "node J S"), ("Vue3", "view three"), ("GPT-4", "G P T four"),
    ("C++", "C plus plus"), ("Wi-Fi", "wifi"), ("Bluetooth", "bluetooth"),
    ("Zookeeper", "zoo keeper"), ("Elasticsearch", "elastic search"), ("Kibana", "kibana"),
    ("GraphQL", "graph Q L"), ("OAuth", "oh auth"), ("Webpack", "web pack"),
    ("Vite", "veet"), ("Gradle", "gradle"), ("Maven", "maven"), ("Postman", "postman"),
    ("Jira", "jira"), ("Confluence", "confluence"), ("Tableau", "tableau"),
    ("Snowflake", "snowflake"), ("Databricks", "data bricks"), ("Airflow", "air flow"),
    ("Ansible", "ansible"), ("Helm", "helm"), ("Istio", "istio"), ("Envoy", "envoy"),
)  # fmt: skip

#: made-up carriers; {} is where the term goes.
CARRIERS: tuple[str, ...] = (
    "我们明天用{}部署新的服务",
    "这个项目是基于{}开发的",
    "请把{}升级到最新版本",
    "他说{}的文档写得很清楚",
    "下午的会议主要讨论{}的问题",
    "我昨天装了{}但是没跑起来",
    "新来的同事对{}很熟悉",
    "你能不能帮我看一下{}的配置",
    "公司决定明年全面迁移到{}",
    "这次培训的内容是{}入门",
    "线上故障是{}引起的",
    "老板问我们为什么不用{}",
)


def split_of(term: str) -> str:
    """``dev`` for about a third of the terms, by a hash of the term."""
    return "dev" if hashlib.sha256(term.encode()).digest()[0] % 3 == 0 else "train"


def sentences(per_term: int = 3) -> list[dict[str, object]]:
    rows = []
    for term, spoken in TERMS:
        h = int.from_bytes(hashlib.sha256(term.encode()).digest()[:4], "big")
        for k in range(per_term):
            carrier = CARRIERS[(h + 5 * k) % len(CARRIERS)]
            left, right = carrier.split("{}")
            parts = [p for p in (("zh", left), ("en", spoken), ("zh", right)) if p[1]]
            tid = hashlib.sha256(f"{term}/{k}".encode()).hexdigest()[:10]
            rows.append(
                {
                    "id": f"MIX-{tid}",
                    "split": split_of(term),
                    "category": "tech",
                    "text": carrier.format(term),
                    "parts": [list(p) for p in parts],
                    "terms": [term],
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "eval/data/mixed/sentences.jsonl")
    ap.add_argument("--per-term", type=int, default=3)
    args = ap.parse_args(argv)
    rows = sentences(args.per_term)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    n_dev = sum(1 for r in rows if r["split"] == "dev")
    print(f"wrote {len(rows)} sentences ({n_dev} dev) to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
