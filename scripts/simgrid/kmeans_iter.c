/* kmeans_iter.c - the distributed K-Means iteration of mlsh (src/data/stream_kmeans.c)
 * for SimGrid's SMPI: per iteration, each rank's compute on its n rows
 * (distances by dgemm 2npk, the cluster sums np, the nearest-centre scan
 * nk: dist.cost's flop count), simulated by smpi_execute_flops at the
 * platform's host speed (this machine's dgemm rate), then the same one
 * packed allreduce of the k p sums, k counts, the changed labels and the
 * inertia (k p + k + 2 doubles). Rank 0 prints the simulated seconds per
 * iteration, the compute part and the weak-scaling efficiency.
 * Build: smpicc -O2 -o kmeans_iter kmeans_iter.c
 * Run:   smpirun -np P -platform plat.xml -hostfile hosts kmeans_iter N P_COLS K ITERS */
#include <mpi.h>
#include <smpi/smpi.h>
#include <stdio.h>
#include <stdlib.h>

static double arg_number(const char *s, const char *what) {
  char *end;
  double v = strtod(s, &end);
  if (*end || v < 1) { fprintf(stderr, "kmeans_iter: %s must be a number >= 1 (got '%s')\n", what, s); exit(2); }
  return v;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  if (argc != 5) {
    fprintf(stderr, "usage: kmeans_iter ROWS_PER_RANK COLS K ITERS\n");
    MPI_Finalize();
    return 2;
  }
  double n = arg_number(argv[1], "ROWS_PER_RANK"), p = arg_number(argv[2], "COLS");
  double k = arg_number(argv[3], "K");
  int iters = (int)arg_number(argv[4], "ITERS"), rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int len = (int)(k * p + k + 2);
  double *acc = calloc((size_t)len, sizeof(double));
  double flops = 2 * n * p * k + n * p + n * k, t_comm = 0.0;
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  for (int it = 0; it < iters; it++) {
    smpi_execute_flops(flops);
    for (int i = 0; i < len; i++) acc[i] = rank + i;   /* partial sums of this rank */
    double c0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, acc, len, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    t_comm += MPI_Wtime() - c0;
  }
  double t = (MPI_Wtime() - t0) / iters, comm = t_comm / iters, worst;
  MPI_Reduce(&comm, &worst, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  /* the reduced sums must be those of every rank: sum over r of (r + i) */
  int ok = acc[len - 1] == (double)size * (size - 1) / 2 + (double)size * (len - 1);
  if (rank == 0)
    printf("hosts %d bytes %d iteration_s %.9g compute_s %.9g allreduce_s %.9g efficiency %.6f check %s\n", size,
           len * 8, t, t - worst, worst, (t - worst) / t, ok ? "ok" : "WRONG");
  free(acc);
  MPI_Finalize();
  return ok ? 0 : 1;
}
