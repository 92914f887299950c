// PLANSIM_SIMD_CLONES: compile a hot function for AVX2 as well as the
// baseline x86-64 ISA (SSE2), and let the loader pick the copy the CPU can
// run. Only for functions whose work is integer arithmetic or IEEE
// operations in a fixed order, so that every copy writes the same bits
// (AVX2 does not bring FMA). -DPLANSIM_NO_SIMD_CLONES turns it off.
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__AVX2__) && \
    !defined(PLANSIM_NO_SIMD_CLONES)
#define PLANSIM_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define PLANSIM_SIMD_CLONES
#endif
