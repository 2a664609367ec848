/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * FUZZ_CHECKER marks a harness function that only checks what the code under
 * test did (an invariant, a reference model's prediction) or only reads the
 * input: it is compiled without SanitizerCoverage, so its loops and compares
 * neither call the comparison hooks (__sanitizer_cov_trace_cmp*, most of a
 * target's time when they run per byte per step) nor add edges the fuzzer
 * would chase. ASan and UBSan still instrument it and every check still runs;
 * the code under test, in its own files, keeps its full coverage. noinline
 * keeps the body out of instrumented callers (coverage is added after
 * inlining).
 */
#ifndef XTALK_TESTS_FUZZ_HARNESS_H
#define XTALK_TESTS_FUZZ_HARNESS_H

#define FUZZ_CHECKER __attribute__((no_sanitize("coverage"), noinline))

#endif
