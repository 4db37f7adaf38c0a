/* serial.h - little-endian binary buffers for model files. A writer grows
 * a buffer; a reader checks every read against the end, so a truncated or
 * corrupt file becomes a status, never an out-of-bounds read. */
#ifndef MLSH_LEARN_SERIAL_H
#define MLSH_LEARN_SERIAL_H
#include <stddef.h>
#include <stdint.h>
#include "../core/buf.h"
#include "../core/error.h"

/* A writer is a core growable buffer: `failed` says an allocation failed. */
typedef mlsh_buf ser_writer;

void ser_u32(ser_writer *w, uint32_t v);
void ser_u64(ser_writer *w, uint64_t v);
void ser_f64(ser_writer *w, double v);
void ser_f64s(ser_writer *w, const double *v, size_t n);
void ser_i32s(ser_writer *w, const int *v, size_t n);
void ser_bytes(ser_writer *w, const void *p, size_t n);
void ser_free(ser_writer *w);
/* Hand the bytes to the caller (free with mlsh_free): MLSH_OK, or
 * MLSH_ENOMEM (buffer freed) when an append had failed. */
int ser_take(ser_writer *w, unsigned char **out, size_t *len);

typedef struct ser_reader {
  const unsigned char *buf;
  size_t len, pos;
  int failed;          /* a read ran past the end or a count was implausible */
} ser_reader;

/* n raw bytes in place (NULL and r->failed when fewer are left). */
const unsigned char *des_bytes(ser_reader *r, size_t n);
uint32_t des_u32(ser_reader *r);
uint64_t des_u64(ser_reader *r);
double des_f64(ser_reader *r);
/* Allocate and read n values (NULL and r->failed on truncation). */
double *des_f64s(ser_reader *r, size_t n);
int *des_i32s(ser_reader *r, size_t n);
/* A count that must fit what is left of the buffer at `elem` bytes each. */
size_t des_count(ser_reader *r, size_t elem);

/* FNV-1a 64-bit checksum of a buffer. */
uint64_t ser_checksum(const unsigned char *p, size_t n);

/* Whole-file framing: magic, format version, kind, payload, checksum.
 * ser_save writes atomically; ser_load returns the payload (caller frees)
 * and its version, 1 to SER_VERSION (what a version adds is the payload
 * writer's business: model.h). */
#define SER_VERSION 2u
int ser_save(const char *path, uint32_t kind, uint32_t version, const ser_writer *payload, mlsh_err *err);
int ser_load(const char *path, uint32_t *kind, uint32_t *version, unsigned char **payload, size_t *len, mlsh_err *err);

#endif
