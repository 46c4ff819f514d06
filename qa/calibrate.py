"""Fit the answerability model on dev questions only, and ship its weights (`qa/data/answerability.json`).

    python -m qa.calibrate            # both gold sets' dev splits, each on its own corpus

A logistic regression over the typed signals (qa.answerability.Signals) learns whether the retrieved passages answer;
two thresholds on its probability give the three states. ``low`` is the highest threshold that keeps false "no
answer" on dev answerable questions at or under ``max_false_no_answer``; ``high`` the lowest at which the questions
kept as answered have their right passage first at least ``min_high_precision`` of the time. Blind questions are never
read here: their figures come from ``policyqa eval`` afterwards.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from .answerability import WEIGHTS_FILE, Model, Signals
from .evaluate import DEFAULT_GOLDS, eval_settings, load_gold
from .settings import Settings

MAX_FALSE_NO_ANSWER = 0.04
MIN_HIGH_PRECISION = 0.90


def dev_signals(
    settings: Settings, gold_paths=DEFAULT_GOLDS, dump: list | None = None
) -> tuple[list[Signals], list[bool], list[bool]]:
    """Signals of every dev question, whether it is answerable, and whether its first passage holds the evidence."""
    from .answer import PolicyQA
    from .build import build_index
    from .normalize import fold

    signals, answerable, right_first = [], [], []
    for gold in gold_paths:
        s = eval_settings(settings, Path(gold))
        build_index(s, progress=False)
        qa = PolicyQA(s)
        for it in load_gold(Path(gold)):
            if it.split != "dev":
                continue
            answer = qa.ask(it.question)
            ev = [fold(e) for e in it.evidence]
            first = fold(answer.passages[0].chunk.text) if answer.passages else ""
            signals.append(answer.signals)
            answerable.append(it.answerable)
            right_first.append(bool(ev) and any(e in first for e in ev))
            if dump is not None:
                row = {"id": it.id, "question": it.question, "answerable": it.answerable}
                dump.append(row | asdict(answer.signals))
    return signals, answerable, right_first


def thresholds(p: np.ndarray, answerable: np.ndarray, right_first: np.ndarray) -> tuple[float, float]:
    grid = np.unique(np.round(p, 4))
    low = 0.0
    for t in grid:  # ascending: the last t that keeps false "no answer" within bounds
        if np.mean(p[answerable] < t) <= MAX_FALSE_NO_ANSWER:
            low = float(t)
    high = 1.0
    for t in grid[::-1]:  # descending: the lowest t whose kept questions are still mostly right
        kept = p >= t
        if kept.any() and np.mean(right_first[kept]) >= MIN_HIGH_PRECISION:
            high = float(t)
    return low, max(low, high)


def fit(signals: list[Signals], answerable: list[bool], right_first: list[bool]) -> dict:
    x = np.array([s.vector() for s in signals])
    y = np.array(answerable)
    mu, sigma = x.mean(axis=0), x.std(axis=0) + 1e-9  # standardised, so a narrow signal (cosine) is not penalised
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit((x - mu) / sigma, y)
    raw = clf.coef_[0] / sigma  # back to weights on the raw signals, which is what ships
    bias = float(clf.intercept_[0] - np.sum(clf.coef_[0] * mu / sigma))
    weights = dict(zip(Signals.names(), (float(w) for w in raw)))
    model = Model(weights, bias, 1.0, 0.0)
    p = np.array([model.probability(s) for s in signals])
    low, high = thresholds(p, y, np.array(right_first))
    return {
        "note": "fitted by python -m qa.calibrate on dev questions only; do not edit by hand",
        "fitted": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": {"dev": len(y), "answerable": int(y.sum()), "unanswerable": int((~y).sum())},
        "weights": weights,
        "bias": bias,
        "low": low,
        "high": high,
        "dev_false_no_answer": float(np.mean(p[y] < low)),
        "dev_no_answer_recall": float(np.mean(p[~y] < low)) if (~y).any() else 0.0,
    }


def main() -> None:
    rows: list[dict] = []
    signals, answerable, right_first = dev_signals(Settings(), dump=rows)
    Path("index/eval/calibration-dev.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    result = fit(signals, answerable, right_first)
    WEIGHTS_FILE.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "note"}, ensure_ascii=False, indent=1))
    print("example signals:", asdict(signals[0]))


if __name__ == "__main__":
    main()
