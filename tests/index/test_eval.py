"""`python -m index.eval` on small corpora in the three formats of ../shared/eval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from index import eval as evaluation

pytestmark = pytest.mark.slow

ARTICLES = [
    {"id": "volcano", "title": "Iceland volcano erupts again", "url": "https://news.example/v",
     "text": "A volcano on the Reykjanes peninsula erupted on Saturday. Lava reached the town of "
             "Grindavik. Scientists said it was the fourth eruption since December."},
    {"id": "poland", "title": "Duda signs the budget", "url": "https://news.example/p",
     "text": "Polish President Andrzej Duda signed the 2024 budget on Wednesday. The budget "
             "raises defence spending to four percent of GDP, the highest share in Nato."},
    {"id": "chess", "title": "A new chess champion", "url": "https://news.example/c",
     "text": "Ding Liren won the world chess championship in Astana after a rapid tie-break. "
             "He is the first Chinese player to hold the classical title."},
]  # fmt: skip


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def test_news_questions_table_dump_and_reuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = write_jsonl(tmp_path / "news" / "articles.jsonl", ARTICLES)
    questions = write_jsonl(
        tmp_path / "news" / "questions.jsonl",
        [
            {"id": "q1", "question": "Which town did the lava reach?", "article_ids": ["volcano"],
             "answers": ["Grindavik"], "answer_in_article": True},
            {"id": "q2", "question": "Who signed Poland's budget?", "article_id": "poland",
             "answers": ["Duda"], "answer_in_article": True},
        ],
    )  # fmt: skip
    dump = tmp_path / "run.jsonl"
    output = tmp_path / "results.md"
    args = ["--corpus", str(corpus), "--questions", str(questions), "-k", "2"]
    assert evaluation.main([*args, "--dump", str(dump), "--output", str(output)]) == 0
    captured = capsys.readouterr()
    assert "indexing" in captured.err
    assert "| configuration | article hit@1 |" in captured.out
    assert "| answer-sentence accuracy | median query ms |" in captured.out
    for name in ("BM25", "dense", "product"):
        assert f"| {name} | 1.000 | " in captured.out  # both questions answered at rank 1
    lines = [json.loads(line) for line in dump.read_text("utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert lines[0]["question"] == "Which town did the lava reach?"
    assert len(lines[0]["hits"]) == 2 and lines[0]["hits"][0]["article_id"] == "volcano"
    assert set(lines[0]["hits"][0]) == {"article_id", "text", "score"}
    assert "questions over 3 articles" in output.read_text("utf-8")

    assert evaluation.main(args) == 0  # the same corpus: the index is reused
    assert "indexing" not in capsys.readouterr().err


def test_beir_and_squad_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = write_jsonl(
        tmp_path / "beir" / "corpus.jsonl",
        [{"_id": a["id"], "title": a["title"], "text": a["text"]} for a in ARTICLES],
    )
    queries = write_jsonl(
        tmp_path / "beir" / "queries.jsonl",
        [{"_id": "1", "text": "chess world champion"}, {"_id": "2", "text": "no qrels"}],
    )
    (tmp_path / "beir" / "qrels").mkdir()
    (tmp_path / "beir" / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n1\tchess\t1\n", "utf-8"
    )
    assert evaluation.main(["--corpus", str(corpus), "--questions", str(queries)]) == 0
    out = capsys.readouterr().out
    assert "1 questions over 3 articles" in out and "| nDCG@10 | recall@10 | recall@100 |" in out
    assert "| product | 1.000 | 1.000 | 1.000 |" in out

    passages = write_jsonl(
        tmp_path / "squad" / "passages.jsonl",
        [{"id": a["id"], "article_id": a["id"], "title": a["title"], "text": a["text"]}
         for a in ARTICLES],
    )  # fmt: skip
    questions = write_jsonl(
        tmp_path / "squad" / "questions.jsonl",
        [{"question": "Where did Ding Liren win the championship?", "article_id": "chess",
          "passage_id": "chess", "answers": ["Astana"], "answer_starts": [49]}],
    )  # fmt: skip
    assert evaluation.main(["--corpus", str(passages), "--questions", str(questions)]) == 0
    out = capsys.readouterr().out
    assert "| passage hit@1 | answer in bold@1 | answer-sentence accuracy |" in out
    assert "| product | 1.000 | 1.000 | 1.000 |" in out


def test_missing_data_is_reported_and_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.jsonl"
    assert evaluation.main(["--corpus", str(missing), "--questions", str(missing)]) == 0
    assert "nothing to measure" in capsys.readouterr().err
    assert evaluation.main([]) == 2


def test_config_overrides_are_validated_like_the_environment() -> None:
    name, overrides = evaluation.parse_config(
        "plain bold: highlight_in_context=false, search_lexical_weight=0.25,search_fusion=rrf"
    )
    assert name == "plain bold"
    assert overrides == {
        "highlight_in_context": False,
        "search_lexical_weight": 0.25,
        "search_fusion": "rrf",
    }
    with pytest.raises(ValueError, match="unknown setting 'no_such_setting'"):
        evaluation.parse_config("x:no_such_setting=1")
