/* fuzz_main.c - libFuzzer entry point; FUZZ_ENTRY names the target. */
#include <stddef.h>
#include <stdint.h>

int FUZZ_ENTRY(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return FUZZ_ENTRY(data, size);
}
