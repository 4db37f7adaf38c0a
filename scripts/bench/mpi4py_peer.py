#!/usr/bin/env python3
"""scripts/bench/mpi4py_peer.py JOB NPY REPS - the mpi4py + numpy SPMD peer of
scripts/bench/dist.sh, run under mpirun: each rank maps its row block of
NPY (np.load mmap_mode='r'), then
  km:  Lloyd, k = 10 from the file's first 10 rows, 20 iterations: distances
       by one matmul per block, one packed Allreduce of sums, counts and
       inertia per iteration (as pbdR / Heat do);
  pca: the covariance from an Allreduce of n, the column sums and X^T X,
       then eigh (10 components).
Rank 0 prints "median_s<TAB>quality" (the slowest rank's time, REPS runs)."""
import sys
import time
import numpy as np
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
job, path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
whole = np.load(path, mmap_mode="r")
n, p = whole.shape
a, b = n * rank // size, n * (rank + 1) // size
X = np.ascontiguousarray(whole[a:b])
BLOCK = 16384


def kmeans():
    k = 10
    C = np.array(whole[:k])
    xn = np.einsum("ij,ij->i", X, X)
    for _ in range(20):
        buf = np.zeros(k * p + k + 1)
        sums, cnt = buf[:k * p].reshape(k, p), buf[k * p:k * p + k]
        for r0 in range(0, X.shape[0], BLOCK):
            B = X[r0:r0 + BLOCK]
            D = xn[r0:r0 + BLOCK, None] - 2 * B @ C.T + np.einsum("ij,ij->i", C, C)[None, :]
            lab = D.argmin(1)
            np.add.at(sums, lab, B)
            cnt += np.bincount(lab, minlength=k)
            buf[-1] += D[np.arange(len(lab)), lab].sum()
        comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
        C = np.where(cnt[:, None] > 0, sums / np.maximum(cnt, 1)[:, None], C)
    return "inertia %.1f (before the last update)" % buf[-1]


def pca():
    buf = np.zeros(1 + p + p * p)
    buf[0] = X.shape[0]
    buf[1:1 + p] = X.sum(0)
    buf[1 + p:] = (X.T @ X).ravel()
    comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
    m = buf[1:1 + p] / buf[0]
    S = buf[1 + p:].reshape(p, p) / buf[0] - np.outer(m, m)
    w = np.linalg.eigh(S)[0][::-1][:10]
    return "EVR sum %.6f" % (w.sum() / np.trace(S))


times = []
for _ in range(reps):
    comm.Barrier()
    t0 = time.perf_counter()
    q = kmeans() if job == "km" else pca()
    times.append(comm.allreduce(time.perf_counter() - t0, op=MPI.MAX))
if rank == 0:
    print("%.4f\t%s" % (sorted(times)[len(times) // 2], q))
