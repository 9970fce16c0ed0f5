"""Benchmark metadata shared by the data loaders and the price analysis.

Keys are the column names used in ``data/llm_prices.csv``. ``scale`` is the closed
range a valid score must lie in; ``multiple_choice`` marks benchmarks where Epoch AI
skips thresholds below 30 (near chance level); ``upper`` is the upper bound of a
threshold band (``None`` = unbounded, as for Arena Elo).
"""

from __future__ import annotations

BENCHMARKS: dict[str, dict] = {
    "mmlu": {"label": "MMLU", "scale": (0.0, 100.0), "multiple_choice": True, "upper": 100.0},
    "gpqa_diamond": {"label": "GPQA Diamond", "scale": (0.0, 100.0), "multiple_choice": True, "upper": 100.0},
    "mmlu_pro": {"label": "MMLU-Pro", "scale": (0.0, 100.0), "multiple_choice": True, "upper": 100.0},
    "math500": {"label": "MATH-500", "scale": (0.0, 100.0), "multiple_choice": False, "upper": 100.0},
    "math_level5": {"label": "MATH level 5", "scale": (0.0, 100.0), "multiple_choice": False, "upper": 100.0},
    "humaneval": {"label": "HumanEval", "scale": (0.0, 100.0), "multiple_choice": False, "upper": 100.0},
    "arena_elo": {"label": "Chatbot Arena Elo", "scale": (0.0, 3000.0), "multiple_choice": False, "upper": None},
    "hle": {"label": "Humanity's Last Exam", "scale": (0.0, 100.0), "multiple_choice": False, "upper": 100.0},
    "swe_bench_verified": {"label": "SWE-bench Verified", "scale": (0.0, 100.0), "multiple_choice": False,
                           "upper": 100.0},
    "aime_2025": {"label": "AIME 2025", "scale": (0.0, 100.0), "multiple_choice": False, "upper": 100.0},
}

#: The six benchmarks of Epoch AI's 2025 price-trend analysis, in its order.
EPOCH_BENCHMARKS = ["mmlu", "gpqa_diamond", "math500", "math_level5", "humaneval", "arena_elo"]
