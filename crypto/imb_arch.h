/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_IMB_ARCH_H
#define VSW_IMB_ARCH_H

/*
 * Which libipsec-mb code path this CPU gets. Each worker will own one
 * IMB_MGR initialised for the best architecture; system.info reports it so
 * an operator sees at once whether AVX512/VAES is in use.
 */

/* "avx512", "avx2", "avx", "sse", "no-aesni" or "unavailable". */
const char *vsw_crypto_best_arch(void);

/* The libipsec-mb version string, e.g. "1.3.0". */
const char *vsw_crypto_library_version(void);

#endif
