// What Swift's standard library cannot give the runtime's kernels as one instruction: a vector
// square root, lane selects and shuffles (2×2 pooling windows, Winograd tile transforms), masked
// row copies, a byte table lookup, a zero test of 8 floats, an 8×8 transpose in registers, and
// atomic operations on shared words (for the thread pool's crew).
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
// a move per lane); this select is one compare and one blend.

/// `index == at && y > 0 ? g : 0`, lane by lane (NaN in y gives 0).
static inline __attribute__((always_inline)) regula_float16 regula_select_at_positive(
    regula_int16 index, regula_int16 at, regula_float16 y, regula_float16 g) {
    return index == at && y > 0 ? g : (regula_float16)0;
}

typedef float regula_float32 __attribute__((ext_vector_type(32)));

/// The even and the odd lanes of 32 (column splits of a row: pooling windows, Winograd tiles).
static inline __attribute__((always_inline)) regula_float16 regula_even16(regula_float32 a) {
    return __builtin_shufflevector(a, a, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
}
static inline __attribute__((always_inline)) regula_float16 regula_odd16(regula_float32 a) {
    return __builtin_shufflevector(a, a, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

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
    regula_float16 a = regula_even16(t), b = regula_odd16(t), c = regula_even16(u), d = regula_odd16(u);
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

// Winograd F(2×2, 3×3) transforms (Lavin & Gray 2016) of sixteen tiles of one tile row, one
// tile per lane: the even/odd column splits and the final interleave are shuffles, which Swift's
// SIMD types compile to one scalar insert per lane.

/// Row `x[0..<34]` of sixteen 4×4 input tiles whose top-left corners are `x`, `x + 2`, …, `x + 30`:
/// `d[j]` holds column j of the sixteen tiles (lanes in tile order).
static inline __attribute__((always_inline)) void regula_winograd_row16(const float *x, regula_float16 d[4]) {
    regula_float32 a, b;
    __builtin_memcpy(&a, x, sizeof a);
    __builtin_memcpy(&b, x + 2, sizeof b);
    d[0] = regula_even16(a); d[1] = regula_odd16(a);
    d[2] = regula_even16(b); d[3] = regula_odd16(b);
}

/// V = Bᵀ·d·B for a column of `tiles` rows of sixteen 4×4 input tiles: row t's tiles have their
/// top-left corners at `x + 2t·wp`, `x + 2t·wp + 2`, …, `x + 2t·wp + 30` (rows `wp` floats apart),
/// and element (i, j) of its sixteen tiles goes to `v + offsets[t] + (4i + j)·xi`, lanes in tile
/// order. Consecutive tile rows share two input rows, which are loaded and split into even and
/// odd columns once. Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
static inline __attribute__((always_inline)) void regula_winograd_input16(const float *x, long wp, long tiles,
                                                                          float *v, const long *offsets, long xi) {
    regula_float16 d[4][4];
    regula_winograd_row16(x, d[0]);
    regula_winograd_row16(x + wp, d[1]);
    for (long t = 0; t < tiles; t++) {
        regula_winograd_row16(x + (2 * t + 2) * wp, d[2]);
        regula_winograd_row16(x + (2 * t + 3) * wp, d[3]);
        regula_float16 c[4][4];
        for (int j = 0; j < 4; j++) {
            c[0][j] = d[0][j] - d[2][j]; c[1][j] = d[1][j] + d[2][j];
            c[2][j] = d[2][j] - d[1][j]; c[3][j] = d[1][j] - d[3][j];
        }
        float *out = v + offsets[t];
        for (int i = 0; i < 4; i++) {
            regula_float16 r[4] = {c[i][0] - c[i][2], c[i][1] + c[i][2], c[i][2] - c[i][1], c[i][1] - c[i][3]};
            for (int j = 0; j < 4; j++) __builtin_memcpy(out + (4 * i + j) * xi, &r[j], sizeof r[j]);
        }
        for (int j = 0; j < 4; j++) { d[0][j] = d[2][j]; d[1][j] = d[3][j]; }
    }
}

/// Y = Aᵀ·M·A for sixteen tiles (element (i, j) of the tiles' M at `m + (4i + j)·xi`), written
/// as two output rows of 2 × 16 columns: the first `count` floats of each, `y1` skipped when
/// nil (an odd last row). Aᵀ = [1 1 1 0; 0 1 −1 −1].
static inline __attribute__((always_inline)) void regula_winograd_output16(const float *m, long xi, float *y0, float *y1, int count) {
    regula_float16 q[16];
    for (int k = 0; k < 16; k++) __builtin_memcpy(&q[k], m + k * xi, sizeof q[k]);
    regula_float16 s0[4], s1[4];
    for (int j = 0; j < 4; j++) {
        s0[j] = q[j] + q[4 + j] + q[8 + j];
        s1[j] = q[4 + j] - q[8 + j] - q[12 + j];
    }
    regula_float16 a0 = s0[0] + s0[1] + s0[2], b0 = s0[1] - s0[2] - s0[3];
    regula_float16 a1 = s1[0] + s1[1] + s1[2], b1 = s1[1] - s1[2] - s1[3];
    regula_float32 r0 = __builtin_shufflevector(a0, b0, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                                8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    regula_float32 r1 = __builtin_shufflevector(a1, b1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                                8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    if (count >= 32) {
        __builtin_memcpy(y0, &r0, sizeof r0);
        if (y1) __builtin_memcpy(y1, &r1, sizeof r1);
        return;
    }
#if defined(__AVX512F__)
    // Masked stores: a row of 28 outputs is one full and one 12-lane store, not 28 scalar ones.
    regula_float16 lo0 = __builtin_shufflevector(r0, r0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    regula_float16 hi0 = __builtin_shufflevector(r0, r0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    regula_float16 lo1 = __builtin_shufflevector(r1, r1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    regula_float16 hi1 = __builtin_shufflevector(r1, r1, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    unsigned short mlo = count >= 16 ? 0xFFFF : (unsigned short)((1u << count) - 1);
    unsigned short mhi = count <= 16 ? 0 : (unsigned short)((1u << (count - 16)) - 1);
    __builtin_ia32_storeups512_mask(y0, lo0, mlo);
    __builtin_ia32_storeups512_mask(y0 + 16, hi0, mhi);
    if (y1) {
        __builtin_ia32_storeups512_mask(y1, lo1, mlo);
        __builtin_ia32_storeups512_mask(y1 + 16, hi1, mhi);
    }
#else
    for (int l = 0; l < count; l++) { y0[l] = r0[l]; if (y1) y1[l] = r1[l]; }
#endif
}

/// dst[0..<count] = src[0..<count] for short rows: 16 lanes at a time, the tail as one masked
/// load and store (AVX-512) instead of a scalar loop.
static inline __attribute__((always_inline)) void regula_copy_floats(float *dst, const float *src, long count) {
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        regula_float16 v;
        __builtin_memcpy(&v, src + i, sizeof v);
        __builtin_memcpy(dst + i, &v, sizeof v);
    }
    if (i == count) return;
#if defined(__AVX512F__)
    unsigned short mask = (unsigned short)((1u << (count - i)) - 1);
    regula_float16 zero = {0};
    regula_float16 v = __builtin_ia32_loadups512_mask(src + i, zero, mask);
    __builtin_ia32_storeups512_mask(dst + i, v, mask);
#else
    for (; i < count; i++) dst[i] = src[i];
#endif
}

typedef unsigned char regula_bytes16 __attribute__((ext_vector_type(16)));

#if defined(__AVX512F__)
typedef float regula_v16sf __attribute__((vector_size(64)));
typedef int regula_v16si __attribute__((vector_size(64)));

/// The 256-entry table in 16 registers, for `regula_lookup16`.
typedef struct { regula_v16sf t[16]; } regula_table256;

static inline __attribute__((always_inline)) regula_table256 regula_load_table256(const float *table) {
    regula_table256 r;
    for (int j = 0; j < 16; j++) __builtin_memcpy(&r.t[j], table + 16 * j, sizeof(regula_v16sf));
    return r;
}

/// `table[bytes[i]]` for 16 bytes: 8 two-register permutes (the low 5 bits) and a tree of 7
/// selects (bits 5, 6 and 7); sixteen zero bytes (an image's background) take one broadcast.
static inline __attribute__((always_inline)) regula_float16 regula_lookup16(regula_bytes16 bytes, const regula_table256 *t,
                                                                            float zeroEntry) {
    unsigned long long halves[2];
    __builtin_memcpy(halves, &bytes, sizeof halves);
    if ((halves[0] | halves[1]) == 0) return (regula_float16)(zeroEntry);
    regula_int16 index = __builtin_convertvector(bytes, regula_int16);
    regula_v16si low = (regula_v16si)index;
    regula_float16 r[8];
    for (int j = 0; j < 8; j++) r[j] = (regula_float16)__builtin_ia32_vpermi2varps512(t->t[2 * j], low, t->t[2 * j + 1]);
    regula_int16 b5 = (index & 32) != 0, b6 = (index & 64) != 0, b7 = (index & 128) != 0;
    regula_float16 s0 = b5 ? r[1] : r[0], s1 = b5 ? r[3] : r[2], s2 = b5 ? r[5] : r[4], s3 = b5 ? r[7] : r[6];
    regula_float16 q0 = b6 ? s1 : s0, q1 = b6 ? s3 : s2;
    return b7 ? q1 : q0;
}
#endif

/// `dst[i] = table[src[i]]` for i in 0..<count: bytes through a 256-entry table (normalized
/// uint8 pixels). Swift's loop is a byte load, a table load and a store per element; here the
/// table sits in 16 registers and 16 bytes at a time pick their entries with 8 two-register
/// permutes (the low 5 bits) and a tree of 7 selects (bits 5, 6 and 7): the same table values.
static inline __attribute__((always_inline)) void regula_lookup_bytes(const unsigned char *src, const float *table,
                                                                     float *dst, long count) {
    long i = 0;
#if defined(__AVX512F__)
    regula_table256 t = regula_load_table256(table);
    for (; i + 16 <= count; i += 16) {
        regula_bytes16 bytes;
        __builtin_memcpy(&bytes, src + i, sizeof bytes);
        regula_float16 v = regula_lookup16(bytes, &t, table[0]);
        __builtin_memcpy(dst + i, &v, sizeof v);
    }
#endif
    for (; i < count; i++) dst[i] = table[src[i]];
}

typedef float regula_float8 __attribute__((ext_vector_type(8)));

/// The 8×8 transpose in registers: `o[k][i] = src[i·ld + k]` for i, k in 0..<8 (eight row loads
/// and three rounds of shuffles: pairs, quads, halves).
static inline __attribute__((always_inline)) void regula_transpose8x8_registers(const float *src, long ld, regula_float8 o[8]) {
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
    o[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
    o[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
    o[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
    o[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
    o[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
    o[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
    o[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
    o[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
}

/// `dst[k·ldd + i] = src[i·ld + k]` for i, k in 0..<8, for the GEMM's packing of transposed
/// operands (Swift's scalar loop does one element per load and store, with overflow checks).
static inline __attribute__((always_inline)) void regula_transpose8x8(const float *src, long ld, float *dst, long ldd) {
    regula_float8 o[8];
    regula_transpose8x8_registers(src, ld, o);
    for (int k = 0; k < 8; k++) __builtin_memcpy(dst + k * ldd, &o[k], sizeof(regula_float8));
}

typedef int regula_int8 __attribute__((ext_vector_type(8)));

/// Whether the 8 floats of `o` are all zero (either sign): a mask and a test.
static inline __attribute__((always_inline)) _Bool regula_is_zero8_vector(regula_float8 o) {
    regula_int8 bits;
    __builtin_memcpy(&bits, &o, sizeof(bits));
    return __builtin_reduce_or(bits & 0x7fffffff) == 0;
}

/// Whether the 8 floats at `p` are all zero (either sign): one load, a mask and a test (Swift's
/// `SIMD8 ==` is eight scalar compares through the stack).
static inline __attribute__((always_inline)) _Bool regula_is_zero8(const float *p) {
    regula_float8 v;
    __builtin_memcpy(&v, p, sizeof(v));
    return regula_is_zero8_vector(v);
}

/// One step `o` (k) of a packed A panel whose zero steps are dropped, `kept` steps kept so far:
/// branch-free, the step is written at the next free slot (`dst`, and `offsets` = k·32, its row in
/// a packed B panel), which only a nonzero step claims (a zero step is overwritten by the next
/// one; about half the steps of an image panel are zero, in no predictable pattern). Returns the
/// new count of kept steps.
static inline __attribute__((always_inline)) long regula_append_step(regula_float8 o, long k, float *dst, int *offsets,
                                                                     long kept) {
    __builtin_memcpy(dst + kept * 8, &o, sizeof(regula_float8));
    offsets[kept] = (int)(k * 32);
    return kept + !regula_is_zero8_vector(o);
}

/// Packs 8 rows of a row-major A (`src[i·ld + k]`, k in 0..<depth, depth a multiple of 8) into
/// packed-panel steps of 8 values, dropping every step whose 8 values are all zero (either sign):
/// kept step j goes to `dst[j·8..<j·8+8]` and `offsets[j] = k·32` (its row in a packed B panel).
/// Returns the number of steps kept; when it is `depth`, `dst` is exactly the dense packing. Slots
/// past the kept ones (of `dst` and `offsets`) may hold a dropped step: they are scratch.
static inline __attribute__((always_inline)) long regula_pack8_skipping_zero_steps(
    const float *src, long ld, long depth, float *dst, int *offsets) {
    long kept = 0;
    for (long k0 = 0; k0 < depth; k0 += 8) {
        regula_float8 o[8];
        regula_transpose8x8_registers(src + k0, ld, o);
        for (int k = 0; k < 8; k++) kept = regula_append_step(o[k], k0 + k, dst, offsets, kept);
    }
    return kept;
}

typedef unsigned char regula_bytes64 __attribute__((ext_vector_type(64)));

/// `regula_pack8_skipping_zero_steps` for A[i][k] = table[rows[i][k0 + k]] (8 rows of bytes through
/// a 256-entry table, normalized uint8 pixels), without writing A as floats first: 8 bytes of each
/// row are transposed in one register (64 bytes: step-major, 8 rows a step), looked up 16 at a time
/// (two steps), and every step is zero-tested and kept or dropped as there. Same kept steps, values
/// and offsets as packing the floats `table[rows[i][k0 + k]]`.
static inline __attribute__((always_inline)) long regula_pack8_bytes_skipping_zero_steps(
    const unsigned char *const *rows, long k0, long depth, const float *table, float *dst, int *offsets) {
    long kept = 0;
#if defined(__AVX512F__)
    regula_table256 t = regula_load_table256(table);
    for (long kk = 0; kk < depth; kk += 8) {
        unsigned long long w[8];
        for (int r = 0; r < 8; r++) __builtin_memcpy(&w[r], rows[r] + k0 + kk, 8);
        regula_bytes64 in, steps;
        __builtin_memcpy(&in, w, sizeof in);
        steps = __builtin_shufflevector(in, in,
            0, 8, 16, 24, 32, 40, 48, 56,  1, 9, 17, 25, 33, 41, 49, 57,
            2, 10, 18, 26, 34, 42, 50, 58,  3, 11, 19, 27, 35, 43, 51, 59,
            4, 12, 20, 28, 36, 44, 52, 60,  5, 13, 21, 29, 37, 45, 53, 61,
            6, 14, 22, 30, 38, 46, 54, 62,  7, 15, 23, 31, 39, 47, 55, 63);
        for (int q = 0; q < 4; q++) {
            regula_bytes16 b;
            __builtin_memcpy(&b, (const unsigned char *)&steps + 16 * q, sizeof b);
            regula_float16 v = regula_lookup16(b, &t, table[0]);
            kept = regula_append_step(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7), kk + 2 * q, dst, offsets, kept);
            kept = regula_append_step(__builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15), kk + 2 * q + 1, dst, offsets,
                                      kept);
        }
    }
#else
    for (long k = 0; k < depth; k++) {
        regula_float8 o;
        for (int r = 0; r < 8; r++) o[r] = table[rows[r][k0 + k]];
        kept = regula_append_step(o, k, dst, offsets, kept);
    }
#endif
    return kept;
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
