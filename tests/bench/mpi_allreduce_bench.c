/* The Open MPI side of tests/bench/collectives_vs_mpi.sh: an MPI_Allreduce
 * loop (float, MPI_SUM, out of place) timed as `accel bench` times its own --
 * for each size from -b to -e (times -f): warm-up calls, a barrier, -n timed
 * calls, the slowest rank's mean per call -- so the two tables compare row by
 * row. Rank 0 prints one line per size: bytes, count, time (us), algbw and
 * busbw (GB/s, nccl-tests' all_reduce factor 2(n-1)/n), and the elements a
 * check of the first call's result found wrong.
 *
 *   mpirun -np 4 mpi_allreduce_bench [-b 8] [-e 256M] [-f 2] [-n 20] [-w 5]
 *
 * Sizes take nccl-tests' suffixes (K, M, G: powers of 1024). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t parse_size(const char* text) {
  char* end = NULL;
  unsigned long long value = strtoull(text, &end, 10);
  if (end == text) return 0;
  switch (*end) {
    case 'K': case 'k': value <<= 10; break;
    case 'M': case 'm': value <<= 20; break;
    case 'G': case 'g': value <<= 30; break;
    default: break;
  }
  return (size_t)value;
}

static void usage_and_exit(int rank) {
  if (rank == 0) {
    fprintf(stderr, "usage: mpi_allreduce_bench [-b MIN] [-e MAX] [-f FACTOR] [-n ITERS] [-w WARMUP]\n");
  }
  MPI_Finalize();
  exit(2);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int world = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world);

  size_t min_bytes = 8;
  size_t max_bytes = (size_t)256 << 20;
  long factor = 2;
  long iters = 20;
  long warmup = 5;
  for (int i = 1; i < argc; ++i) {
    if (i + 1 >= argc) usage_and_exit(rank);
    const char* flag = argv[i];
    const char* value = argv[++i];
    if (strcmp(flag, "-b") == 0) min_bytes = parse_size(value);
    else if (strcmp(flag, "-e") == 0) max_bytes = parse_size(value);
    else if (strcmp(flag, "-f") == 0) factor = strtol(value, NULL, 10);
    else if (strcmp(flag, "-n") == 0) iters = strtol(value, NULL, 10);
    else if (strcmp(flag, "-w") == 0) warmup = strtol(value, NULL, 10);
    else usage_and_exit(rank);
  }
  if (min_bytes == 0 || min_bytes > max_bytes || factor < 2 || iters < 1 || warmup < 0) {
    usage_and_exit(rank);
  }

  const size_t max_count = max_bytes / sizeof(float);
  float* send = malloc((max_count > 0 ? max_count : 1) * sizeof(float));
  float* recv = malloc((max_count > 0 ? max_count : 1) * sizeof(float));
  if (send == NULL || recv == NULL) {
    fprintf(stderr, "rank %d: cannot allocate 2 x %zu bytes\n", rank, max_bytes);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  /* Small integers: the sum is exact, so the check is exact. */
  for (size_t i = 0; i < max_count; ++i) send[i] = (float)(rank + 1);
  const float expected = (float)world * (float)(world + 1) / 2.0f;

  if (rank == 0) {
    printf("#%11s  %12s  %8s  %7s  %7s  %6s\n", "size", "count", "time", "algbw", "busbw",
           "#wrong");
  }
  for (size_t bytes = min_bytes; bytes <= max_bytes; bytes *= (size_t)factor) {
    const int count = (int)(bytes / sizeof(float));
    for (int i = 0; i < count; ++i) recv[i] = -1.0f;
    MPI_Allreduce(send, recv, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    long long wrong = 0;
    for (int i = 0; i < count; ++i) wrong += recv[i] != expected;
    for (long i = 1; i < warmup; ++i) {
      MPI_Allreduce(send, recv, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = MPI_Wtime();
    for (long i = 0; i < iters; ++i) {
      MPI_Allreduce(send, recv, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    }
    double mean_us = (MPI_Wtime() - start) * 1e6 / (double)iters;
    double slowest_us = 0;
    long long wrong_total = 0;
    MPI_Reduce(&mean_us, &slowest_us, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&wrong, &wrong_total, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      const size_t reported = (size_t)count * sizeof(float);
      const double algbw = slowest_us > 0 ? (double)reported / (slowest_us * 1e3) : 0;
      const double busbw = algbw * 2.0 * (world - 1) / world;
      printf("%12zu  %12d  %8.2f  %7.2f  %7.2f  %6lld\n", reported, count, slowest_us, algbw,
             busbw, wrong_total);
      fflush(stdout);
    }
    if (bytes > max_bytes / (size_t)factor) break;
  }
  free(send);
  free(recv);
  MPI_Finalize();
  return 0;
}
