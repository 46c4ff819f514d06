"""Fit the answerability model on dev questions only, and ship its weights (`qa/data/answerability.json`).

    python -m qa.calibrate            # both gold sets' dev splits, each on its own corpus

A logistic regression over the typed signals (qa.answerability.Signals), each weight kept to its signal's direction,
learns whether the retrieved passages answer; two thresholds on its probability give the three states. ``low`` is the
highest threshold that keeps false "no answer" on dev answerable questions at or under ``MAX_FALSE_NO_ANSWER``;
``high`` the lowest at which at least ``MIN_HIGH_PRECISION`` of the questions kept as answered are answerable, and
never under even odds. Blind
questions are never read here: their figures come from ``policyqa eval`` afterwards.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from .answerability import WEIGHTS_FILE, Signals
from .evaluate import DEFAULT_GOLDS, eval_settings, load_gold
from .settings import Settings

MAX_FALSE_NO_ANSWER = 0.04
MIN_HIGH_PRECISION = 0.95  # of the questions kept as answered, the share that must be answerable
# answered only when answerable is the likelier reading (classes are balanced in the fit, so 0.5 is even odds);
# between ``low`` and this, the passages are shown as 可能相关
MIN_HIGH = 0.5
FOLDS = 5
C = 1.0  # inverse regularisation strength, as scikit-learn's default


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


def thresholds(p: np.ndarray, answerable: np.ndarray) -> tuple[float, float]:
    """``high`` is about answerability, the thing the probability models: whether the right passage is ranked first
    is retrieval's business, and asking the decision for it only moved good answers into 可能相关."""
    grid = np.unique(np.round(p, 4))
    low = 0.0
    for t in grid:  # ascending: the last t that keeps false "no answer" within bounds
        if np.mean(p[answerable] < t) <= MAX_FALSE_NO_ANSWER:
            low = float(t)
    high = 1.0
    for t in grid[::-1]:  # descending: the lowest t whose kept questions are still answerable
        kept = p >= t
        if kept.any() and np.mean(answerable[kept]) >= MIN_HIGH_PRECISION:
            high = float(t)
    return low, max(low, high, MIN_HIGH)


def logistic_fit(x: np.ndarray, y: np.ndarray, directions: list[int], c: float = C) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression with balanced classes, each weight kept to its signal's direction
    (L-BFGS-B bounds; scikit-learn's LogisticRegression has no sign constraints)."""
    t = y.astype(float)
    w_class = np.where(y, len(y) / (2 * max(1, y.sum())), len(y) / (2 * max(1, (~y).sum())))
    bounds = [(0, None) if d > 0 else (None, 0) if d < 0 else (None, None) for d in directions] + [(None, None)]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        nll = np.sum(w_class * (np.logaddexp(0, z) - t * z))
        grad_z = w_class * (p - t)
        return nll + np.dot(w, w) / (2 * c), np.append(x.T @ grad_z + w / c, grad_z.sum())

    theta = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds).x
    return theta[:-1], float(theta[-1])


def fitted_weights(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias on the raw signals (what ships), fitted on standardised ones so that a narrow signal
    (a cosine between 0.8 and 0.95) is not penalised by the regularisation."""
    mu, sigma = x.mean(axis=0), x.std(axis=0) + 1e-9
    coef, intercept = logistic_fit((x - mu) / sigma, y, [Signals.directions().get(n, 0) for n in Signals.names()])
    return coef / sigma, float(intercept - np.sum(coef * mu / sigma))


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: int = FOLDS) -> np.ndarray:
    """Each dev question's probability from a model fitted without it (stratified folds, fixed seed). Thresholds
    chosen on in-sample probabilities were optimistic: a false "no answer" rate of 4 % on dev became 11-15 % on
    questions the fit had not seen."""
    rng = np.random.default_rng(0)
    fold = np.empty(len(y), dtype=int)
    for label in (True, False):
        idx = rng.permutation(np.flatnonzero(y == label))
        fold[idx] = np.arange(len(idx)) % folds
    p = np.empty(len(y))
    for f in range(folds):
        w, b = fitted_weights(x[fold != f], y[fold != f])
        p[fold == f] = 1.0 / (1.0 + np.exp(-(x[fold == f] @ w + b)))
    return p


def fit(signals: list[Signals], answerable: list[bool], right_first: list[bool]) -> dict:
    x = np.array([s.vector() for s in signals])
    y = np.array(answerable)
    raw, bias = fitted_weights(x, y)
    weights = dict(zip(Signals.names(), (float(w) for w in raw)))
    p = out_of_fold(x, y)
    low, high = thresholds(p, y)
    first = np.array(right_first)
    return {
        "note": "fitted by python -m qa.calibrate on dev questions only; do not edit by hand",
        "fitted": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions": {"dev": len(y), "answerable": int(y.sum()), "unanswerable": int((~y).sum())},
        "weights": weights,
        "bias": bias,
        "low": low,
        "high": high,
        "thresholds_from": f"out-of-fold probabilities, {FOLDS} folds",
        "dev_high_right_first": float(np.mean(first[p >= high])) if (p >= high).any() else 0.0,
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
