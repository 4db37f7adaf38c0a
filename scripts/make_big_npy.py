#!/usr/bin/env python3
"""scripts/make_big_npy.py OUT ROWS COLS [--k K] [--seed S] [--every N] [--spread S]

Writes a float64 .npy of ROWS x COLS rows drawn around K (default 10)
Gaussian centres, in blocks through numpy's open_memmap, so that a file
larger than memory (the 20 GB goal: 50000000 x 50) is made with a small
resident set. --every N also writes OUT.sub.npy with every N-th row (the
1/100 subset the in-memory run is compared with: --every 100).
Rows 0..K-1 (and rows 0, N, .., (K-1) N of the subset) come one from
each centre, so K-Means started from the first K rows of either file
finds every cluster (no cluster left empty, where the mapped and the
in-memory Lloyd would differ: the in-memory one re-seeds it).
--spread (default 5) is the standard deviation of the centres around 0
against unit noise: a small spread makes overlapping clusters, so Lloyd
runs its full 20 iterations instead of converging in two.
Example: python3 scripts/make_big_npy.py /tmp/big.npy 50000000 50 --every 100
"""
import argparse
import numpy as np
from numpy.lib.format import open_memmap

BLOCK = 1 << 17   # rows per block (50 MB at 50 columns)


def first_rows(lab, r0, k, every):
    """One row of each centre first, in the file and in its subset."""
    for c in range(k):
        for row in (c, c * every) if every > 0 else (c,):
            if r0 <= row < r0 + len(lab):
                lab[row - r0] = c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("rows", type=int)
    ap.add_argument("cols", type=int)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--every", type=int, default=0)
    ap.add_argument("--spread", type=float, default=5.0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    centres = rng.normal(scale=a.spread, size=(a.k, a.cols))
    out = open_memmap(a.out, mode="w+", dtype=np.float64, shape=(a.rows, a.cols))
    sub = None
    if a.every > 0:
        sub = open_memmap(a.out[:-4] + ".sub.npy" if a.out.endswith(".npy") else a.out + ".sub.npy",
                          mode="w+", dtype=np.float64, shape=((a.rows + a.every - 1) // a.every, a.cols))
    for r0 in range(0, a.rows, BLOCK):
        r1 = min(a.rows, r0 + BLOCK)
        lab = rng.integers(0, a.k, r1 - r0)
        first_rows(lab, r0, a.k, a.every)
        block = centres[lab] + rng.normal(size=(r1 - r0, a.cols))
        out[r0:r1] = block
        if sub is not None:
            first = (-r0) % a.every   # rows r with r % every == 0
            sub[(r0 + first) // a.every:(r0 + first) // a.every + len(block[first::a.every])] = block[first::a.every]
        out.flush()
    del out
    if sub is not None:
        sub.flush()


if __name__ == "__main__":
    main()
