// Vector operations that Swift's standard library cannot give the runtime's kernels as one
// instruction.
//
// On Linux, `Float.squareRoot()` is the C library's `sqrtf` semantics with `errno`: each lane
// becomes a scalar `vsqrtss`, a NaN test and a branch to a call, so `SIMD16<Float>.squareRoot()`
// is sixteen of those and every live vector register is spilled around the calls (measured:
// Adam's update spent 80 % of its time there). Clang's element-wise builtin is IEEE square root
// per lane without `errno` (correctly rounded, the same bits as the scalar), one `vsqrtps` on
// AVX-512. Swift imports `ext_vector_type(16)` float as `SIMD16<Float>`.
#ifndef REGULA_RUNTIME_INTRINSICS_H
#define REGULA_RUNTIME_INTRINSICS_H

typedef float regula_float16 __attribute__((ext_vector_type(16)));

/// Correctly rounded square root of each lane.
static inline __attribute__((always_inline)) regula_float16 regula_sqrt16(regula_float16 x) {
    return __builtin_elementwise_sqrt(x);
}

/// Correctly rounded square root, without `errno`.
static inline __attribute__((always_inline)) float regula_sqrtf(float x) {
    return __builtin_elementwise_sqrt(x);
}

#endif
