// What Swift's standard library cannot give the runtime's kernels as one instruction: a vector
// square root, lane selects, an 8×8 transpose in registers, and atomic operations on shared words
// (for the thread pool's crew).
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
typedef int regula_int16 __attribute__((ext_vector_type(16)));

/// Correctly rounded square root of each lane.
static inline __attribute__((always_inline)) regula_float16 regula_sqrt16(regula_float16 x) {
    return __builtin_elementwise_sqrt(x);
}

/// Correctly rounded square root, without `errno`.
static inline __attribute__((always_inline)) float regula_sqrtf(float x) {
    return __builtin_elementwise_sqrt(x);
}

// Swift lowers `SIMD16.replacing(with:where:)` lane by lane through mask registers (a shift and
// a move per lane); these selects are one compare and one blend.

/// `x > y ? a : b`, lane by lane.
static inline __attribute__((always_inline)) regula_float16 regula_select_greater(
    regula_float16 x, regula_float16 y, regula_float16 a, regula_float16 b) {
    return x > y ? a : b;
}

/// `x > y ? a : b`, lane by lane, choosing integers.
static inline __attribute__((always_inline)) regula_int16 regula_select_greater_int(
    regula_float16 x, regula_float16 y, regula_int16 a, regula_int16 b) {
    return x > y ? a : b;
}

/// `index == at && y > 0 ? g : 0`, lane by lane (NaN in y gives 0).
static inline __attribute__((always_inline)) regula_float16 regula_select_at_positive(
    regula_int16 index, regula_int16 at, regula_float16 y, regula_float16 g) {
    return index == at && y > 0 ? g : (regula_float16)0;
}

typedef float regula_float32 __attribute__((ext_vector_type(32)));

/// Sixteen 2×2 windows whose top-left taps are the even columns of `top[0..<32]` (the bottom
/// taps are `bottom[0..<32]`; `at` is the plane offset of `top[0]`, `w` the row length): the
/// maxima in `best[0..<16]` and their plane offsets in `arg[0..<16]`, with strict comparisons in window order
/// (taps a, b, c, d). Returns 0 when the sum of all 64 taps is NaN (a NaN tap, or infinities of
/// both signs), which the caller redoes with the exact NaN rule. Swift's `evenHalf`/`oddHalf`
/// and its lane reductions compile to one scalar insert per lane.
static inline __attribute__((always_inline)) int regula_max_pool_2x2_16(
    const float *top, const float *bottom, int at, int w, float *best, int *arg) {
    regula_float32 t, u;
    __builtin_memcpy(&t, top, sizeof t);
    __builtin_memcpy(&u, bottom, sizeof u);
    regula_float16 a = __builtin_shufflevector(t, t, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    regula_float16 b = __builtin_shufflevector(t, t, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    regula_float16 c = __builtin_shufflevector(u, u, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    regula_float16 d = __builtin_shufflevector(u, u, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    regula_float16 sum = a + b + c + d;
    if (__builtin_reduce_or(sum != sum)) return 0;
    regula_int16 base = (regula_int16)at + (regula_int16){0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
    regula_float16 m = a;
    regula_int16 i = base;
    i = b > m ? base + 1 : i; m = b > m ? b : m;
    i = c > m ? base + w : i; m = c > m ? c : m;
    i = d > m ? base + w + 1 : i; m = d > m ? d : m;
    __builtin_memcpy(best, &m, sizeof m);
    __builtin_memcpy(arg, &i, sizeof i);
    return 1;
}

typedef float regula_float8 __attribute__((ext_vector_type(8)));

/// `dst[k·ldd + i] = src[i·ld + k]` for i, k in 0..<8: eight row loads, three rounds of shuffles
/// (pairs, quads, halves) and eight row stores, for the GEMM's packing of transposed operands
/// (Swift's scalar loop does one element per load and store, with overflow checks).
static inline __attribute__((always_inline)) void regula_transpose8x8(const float *src, long ld, float *dst, long ldd) {
    regula_float8 r[8];
    for (int i = 0; i < 8; i++) __builtin_memcpy(&r[i], src + i * ld, sizeof(regula_float8));
    regula_float8 t0 = __builtin_shufflevector(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
    regula_float8 t1 = __builtin_shufflevector(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
    regula_float8 t2 = __builtin_shufflevector(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
    regula_float8 t3 = __builtin_shufflevector(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
    regula_float8 t4 = __builtin_shufflevector(r[4], r[5], 0, 8, 1, 9, 4, 12, 5, 13);
    regula_float8 t5 = __builtin_shufflevector(r[4], r[5], 2, 10, 3, 11, 6, 14, 7, 15);
    regula_float8 t6 = __builtin_shufflevector(r[6], r[7], 0, 8, 1, 9, 4, 12, 5, 13);
    regula_float8 t7 = __builtin_shufflevector(r[6], r[7], 2, 10, 3, 11, 6, 14, 7, 15);
    regula_float8 u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    regula_float8 u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    regula_float8 u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    regula_float8 u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    regula_float8 u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    regula_float8 u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    regula_float8 u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    regula_float8 u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    regula_float8 o[8] = {
        __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11),
        __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15),
        __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15),
        __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15),
        __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15),
    };
    for (int k = 0; k < 8; k++) __builtin_memcpy(dst + k * ldd, &o[k], sizeof(regula_float8));
}

/// Atomic operations on a word shared between threads (sequentially consistent: the crew's
/// protocol is a handful of these per parallel loop, never in a kernel's inner loop).
static inline __attribute__((always_inline)) long regula_atomic_load(const long *p) {
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
static inline __attribute__((always_inline)) void regula_atomic_store(long *p, long value) {
    __atomic_store_n(p, value, __ATOMIC_SEQ_CST);
}
/// Adds `value` and returns the previous value.
static inline __attribute__((always_inline)) long regula_atomic_fetch_add(long *p, long value) {
    return __atomic_fetch_add(p, value, __ATOMIC_SEQ_CST);
}
/// Sets the bits of `mask` and returns the previous value.
static inline __attribute__((always_inline)) long regula_atomic_fetch_or(long *p, long mask) {
    return __atomic_fetch_or(p, mask, __ATOMIC_SEQ_CST);
}
/// Replaces `expected` by `desired`; true when it did.
static inline __attribute__((always_inline)) _Bool regula_atomic_compare_exchange(long *p, long expected, long desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/// A hint to the CPU that this thread is spinning on a shared word.
static inline __attribute__((always_inline)) void regula_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
