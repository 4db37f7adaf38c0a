#!/usr/bin/env python3
"""scripts/bench/dask_peer.py JOB NPY REPS - the dask.distributed peer of
scripts/bench/dist.sh: a LocalCluster of 2 worker processes with 1 thread
each (as mlsh under mpirun -np 2 with one thread per rank). The .npy is
loaded into the workers' memory first (persisted, not timed), in one row
chunk per worker, then
  km:  Lloyd, k = 10 from the file's first 10 rows, 20 iterations, as dask
       array ops: distances by one matmul, argmin, the cluster sums as a
       one-hot matmul, counts and inertia, computed together per iteration;
  pca: the covariance from dask.array (X^T X of the centred rows / n),
       then numpy's eigh (10 components; dask_ml is not packaged).
Prints "median_s<TAB>quality" over REPS fits (the fit only)."""
import sys
import time
import numpy as np
import dask
import dask.array as da
from dask.distributed import Client, LocalCluster

K, ITERS, NCOMP, WORKERS = 10, 20, 10, 2


def kmeans(X, C0):
    C = C0.copy()
    xn = (X * X).sum(axis=1)
    for _ in range(ITERS):
        D = xn[:, None] - 2.0 * (X @ C.T) + (C * C).sum(axis=1)[None, :]
        lab = D.argmin(axis=1)
        onehot = (lab[:, None] == np.arange(K)[None, :]).astype(np.float64)
        sums, cnt, inertia = dask.compute(onehot.T @ X, onehot.sum(axis=0), D.min(axis=1).sum())
        C = np.where(cnt[:, None] > 0, sums / np.maximum(cnt, 1)[:, None], C)
    return "inertia %.1f (before the last update)" % inertia


def pca(X):
    n = X.shape[0]
    mean = X.mean(axis=0)
    Z = X - mean
    S = (Z.T @ Z / n).compute()
    w = np.linalg.eigh(S)[0][::-1]
    return "EVR sum %.6f" % (w[:NCOMP].sum() / w.sum())


def main():
    job, path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    whole = np.load(path, mmap_mode="r")
    n, p = whole.shape
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        rows = (n + WORKERS - 1) // WORKERS
        X = da.from_array(whole, chunks=(rows, p), asarray=True).persist()
        client.wait_for_workers(WORKERS)
        dask.distributed.wait(X)
        C0 = np.array(whole[:K])
        times, q = [], ""
        for _ in range(reps):
            t0 = time.perf_counter()
            q = kmeans(X, C0) if job == "km" else pca(X)
            times.append(time.perf_counter() - t0)
    print("%.4f\t%s" % (sorted(times)[len(times) // 2], q))


if __name__ == "__main__":
    main()
