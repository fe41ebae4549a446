"""The mutation harness of tests/compiler/test_mutations.py, run long: N mutated specs (default
10,000), each refused with a SpecError whose every problem has a path, or compiled (Keras and
torch source, the training script where there is one) and its torch module built. Prints the
counts and the time; exits 1 on any failure, printing the first few with their mutations.

Run: python benchmarks/bench_mutations.py [N] [--seed S]
"""

from __future__ import annotations

import argparse
import collections
import copy
import random
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from mutation_harness import RandomChooser, base_documents, check, mutate

SHOWN = 10
"""Failures printed in full; the rest are counted by where they were raised."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="mutated specs to check")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    docs = base_documents()
    names = sorted(docs)
    rng = random.Random(args.seed)
    pick = RandomChooser(rng)
    outcomes: collections.Counter[str] = collections.Counter()
    failures: collections.Counter[str] = collections.Counter()
    mutations = 0
    start = time.perf_counter()
    for i in range(args.n):
        name = rng.choice(names)
        doc = copy.deepcopy(docs[name])
        done = mutate(doc, pick, rng.choice((1, 1, 2, 3)))
        mutations += len(done)
        try:
            outcomes[check(doc).outcome] += 1
        except Exception as error:  # every failure is counted, and the run goes on
            frame = traceback.extract_tb(error.__traceback__)[-1]
            where = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            if sum(failures.values()) < SHOWN:
                print(f"FAIL #{i} {name}: {where}: {str(error)[:300]!r}\n  mutations: {done}")
            failures[where] += 1
    elapsed = time.perf_counter() - start
    failed = sum(failures.values())
    print(f"{args.n:,} mutated specs ({mutations:,} mutations) of {len(names)} examples and fixtures, seed {args.seed}")
    print(f"  accepted and built          {outcomes['built']:6,}")
    print(f"  refused with a SpecError    {outcomes['refused']:6,}  (at validation)")
    print(f"  refused compiling to torch  {outcomes['refused compiling']:6,}  (a SpecError at the layer)")
    print(f"  failures                    {failed:6,}")
    for where, count in failures.most_common():
        print(f"    {count:6,}  {where}")
    print(f"(measured in {elapsed:.0f} s, {1000 * elapsed / max(args.n, 1):.1f} ms a spec)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
