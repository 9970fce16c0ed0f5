"""Speed of analysis.throughput.predict: a 1e6-point grid, and per configuration against llm-analysis.

1. One ``predict`` call over a 1,000 x 1,000 grid (batch x prompt length) for Llama 3.1 70B
   on 8 x H100 at FP8 (target: under 1 s on a 2-core machine).
2. The same Llama-2-70B / H100 (BF16) configurations run through llm-analysis (PyPI
   ``llm-analysis``, one call per configuration) and through one vectorized ``predict``
   call, timed side by side in this run; the ratio of per-configuration times is printed
   (target >= 100x; also one ``predict`` call per configuration, for the first 200), with the agreement of the decode time per token where the two
   models' assumptions match (same efficiencies, no per-layer floor or per-step overhead, attention at
   the GEMMs' efficiency, 8 us messages).

Usage: python benchmarks/throughput_speed.py   (install the extra first: pip install -e '.[bench]')
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import throughput as tp  # noqa: E402


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def grid_benchmark() -> None:
    batch = np.arange(1, 1001)[:, None]
    prompt = (np.arange(1, 1001) * 8)[None, :]
    tp.predict("llama-3.1-70b", "h100-sxm", 8, "fp8", 1, 128, 128)   # load tables once
    seconds, out = best_of(3, lambda: tp.predict("llama-3.1-70b", "h100-sxm", 8, "fp8", batch, prompt, 256))
    print(f"1e6-point grid in one predict call: {seconds:.3f} s for {len(out):,} points "
          f"({seconds / len(out) * 1e9:.0f} ns per point; target < 1 s)")


def llm_analysis_benchmark() -> None:
    try:
        from llm_analysis.analysis import infer
    except ImportError:
        print("llm-analysis not installed: pip install -e '.[bench]' to run the comparison")
        return
    logging.getLogger("llm_analysis").setLevel(logging.ERROR)
    configs = [(t, b, s) for t in (2, 4, 8) for b in range(1, 33) for s in range(128, 4097, 128)]
    eta_f, eta_m = tp.DEFAULTS["compute_efficiency"], tp.DEFAULTS["memory_efficiency"]

    def theirs():
        out = []
        for t, b, s in configs:
            r = infer(model_name="upstage_Llama-2-70b-instruct-v2", gpu_name="h100-sxm-80gb",
                      dtype_name="w16a16e16", tp_size=t, batch_size_per_gpu=b, seq_len=s,
                      num_tokens_to_generate=1, log_level="ERROR", flops_efficiency=eta_f,
                      hbm_memory_efficiency=eta_m)
            out.append(r["decode_latency"])
        return np.array(out)

    tps, batch, seq = (np.array(c, dtype=float) for c in zip(*configs))
    # llm-analysis has no per-step overhead and runs attention at the GEMMs' efficiency
    aligned = dict(layer_latency_s=0.0, step_overhead_s=0.0, attention_compute_factor=1.0, amortize_prefill=False)

    def ours():
        # assumptions aligned with llm-analysis: context = prompt, no per-layer floor, 8 us per message
        return tp.predict("llama-2-70b", "h100-sxm", tps, "bf16", batch, seq, 1, message_latency_s=8e-6,
                          **aligned)["step_time_s"].to_numpy()

    def ours_one_by_one():
        return np.array([tp.predict("llama-2-70b", "h100-sxm", int(t), "bf16", int(b), int(s), 1,
                                    **aligned)["step_time_s"].iloc[0]
                         for t, b, s in configs[:200]])

    rounds = 3
    their_times, our_times, loop_times = [], [], []
    for _ in range(rounds):               # interleaved, so both see the same machine state
        t0, their = best_of(1, theirs)
        t1, mine = best_of(1, ours)
        t2, _ = best_of(1, ours_one_by_one)
        their_times.append(t0)
        our_times.append(t1)
        loop_times.append(t2)
    n = len(configs)
    per_their = statistics.median(their_times) / n
    per_ours = statistics.median(our_times) / n
    per_loop = statistics.median(loop_times) / 200
    agreement = np.abs(mine / their - 1)
    print(f"llm-analysis: {n} Llama-2-70B/H100 configurations (TP 2/4/8, batch 1-32, context 128-4096)")
    print(f"  per configuration: llm-analysis {per_their * 1e6:.1f} us, predict vectorized {per_ours * 1e6:.2f} us "
          f"-> {per_their / per_ours:.0f}x faster (target >= 100x)")
    print(f"  predict called once per configuration: {per_loop * 1e6:.0f} us -> {per_their / per_loop:.2f}x")
    print(f"  decode time per token, ours vs llm-analysis: median |difference| {np.median(agreement):.1%}, "
          f"max {agreement.max():.1%}")


if __name__ == "__main__":
    grid_benchmark()
    llm_analysis_benchmark()
