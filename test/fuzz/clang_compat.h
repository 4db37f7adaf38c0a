/* clang_compat.h - force-included (-include) by test/fuzz/run.sh when the
 * library is compiled with clang for fuzzing. GCC's 3-argument
 * __builtin_shuffle(a, b, mask) has no clang equivalent with the same
 * form (src/learn/forest.c uses it); this spells it element by element
 * (variadic: the mask is a compound literal with commas).
 * Portable code would use __builtin_shufflevector (GCC >= 12 and clang). */
#if defined(__clang__) && !__has_builtin(__builtin_shuffle)
#define __builtin_shuffle(a, b, ...) __extension__({                          \
  __typeof__((a) + 0) shf_a_ = (a), shf_b_ = (b), shf_r_; /* + 0: not const */ \
  __typeof__(__VA_ARGS__) shf_m_ = __VA_ARGS__;                               \
  const unsigned shf_n_ = sizeof shf_a_ / sizeof shf_a_[0];                   \
  for (unsigned shf_i_ = 0; shf_i_ < shf_n_; shf_i_++) {                      \
    unsigned shf_k_ = (unsigned)shf_m_[shf_i_] % (2 * shf_n_);                \
    shf_r_[shf_i_] = shf_k_ < shf_n_ ? shf_a_[shf_k_] : shf_b_[shf_k_ - shf_n_]; \
  }                                                                           \
  shf_r_; })
#endif
