/* SPDX-License-Identifier: BSD-3-Clause */
#include "drops.h"

static const char *const drop_keys[VSW_DROP_MAX] = {
#define VSW_DROP_KEY(e, key, text) [VSW_DROP_##e] = key,
	VSW_FOREACH_DROP(VSW_DROP_KEY)
#undef VSW_DROP_KEY
};

static const char *const drop_texts[VSW_DROP_MAX] = {
#define VSW_DROP_TEXT(e, key, text) [VSW_DROP_##e] = text,
	VSW_FOREACH_DROP(VSW_DROP_TEXT)
#undef VSW_DROP_TEXT
};

const char *
vsw_drop_key(enum vsw_drop d)
{
	return d < VSW_DROP_MAX ? drop_keys[d] : "unknown";
}

const char *
vsw_drop_text(enum vsw_drop d)
{
	return d < VSW_DROP_MAX ? drop_texts[d] : "unknown drop reason";
}
