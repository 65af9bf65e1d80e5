/* SPDX-License-Identifier: BSD-3-Clause */
#include "imb_arch.h"

#include <intel-ipsec-mb.h>

static const char *
arch_name(IMB_ARCH arch)
{
	switch (arch) {
	case IMB_ARCH_AVX512:
		return "avx512";
	case IMB_ARCH_AVX2:
		return "avx2";
	case IMB_ARCH_AVX:
		return "avx";
	case IMB_ARCH_SSE:
		return "sse";
	case IMB_ARCH_NOAESNI:
		return "no-aesni";
	default:
		return "unavailable";
	}
}

const char *
vsw_crypto_best_arch(void)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr == NULL)
		return "unavailable";
	init_mb_mgr_auto(mgr, &arch);
	free_mb_mgr(mgr);
	return arch_name(arch);
}

const char *
vsw_crypto_library_version(void)
{
	return imb_get_version_str();
}
