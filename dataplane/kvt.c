/* SPDX-License-Identifier: BSD-3-Clause */
#include "kvt.h"

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#define KVT_NAME_MAX 19
/* Slots beyond capacity for keys deleted but not yet reclaimed (RCU), so
 * a delete followed by a set does not wait for the workers' grace period. */
#define KVT_RECLAIM_HEADROOM(cap) ((cap) / 4 + 64)

/* The value is the hash's data pointer itself. */
_Static_assert(sizeof(void *) == sizeof(uint64_t), "64-bit pointers needed");

struct vsw_kvt {
	struct rte_hash *hash;
	uint32_t capacity;
	uint32_t count;          /* keys present (deferred frees not counted) */
	bool rcu;                /* readers: the hash frees deleted slots */
};

static uint32_t
kvt_key_hash(const void *key, uint32_t key_len, uint32_t init_val)
{
	uint64_t k;

	RTE_SET_USED(key_len);
	memcpy(&k, key, sizeof(k));
	return rte_hash_crc_8byte(k, init_val);
}

/* rte_hash has no 8-byte compare of its own (it would call memcmp). */
static int
kvt_key_cmp(const void *a, const void *b, size_t len)
{
	uint64_t ka, kb;

	RTE_SET_USED(len);
	memcpy(&ka, a, sizeof(ka));
	memcpy(&kb, b, sizeof(kb));
	return ka != kb;
}

static bool
params_valid(const struct vsw_kvt_params *p)
{
	return p != NULL && p->name != NULL && p->name[0] != '\0' &&
	       strlen(p->name) <= KVT_NAME_MAX && p->capacity != 0 &&
	       p->capacity <= RTE_HASH_ENTRIES_MAX / 2;
}

static struct rte_hash *
create_hash(const struct vsw_kvt_params *p)
{
	struct rte_hash_parameters hp = {
		.name = p->name,
		.entries = p->capacity + KVT_RECLAIM_HEADROOM(p->capacity),
		.key_len = sizeof(uint64_t),
		.hash_func = kvt_key_hash,
		.socket_id = p->socket_id,
		/* single writer, lock-free readers; the extendable table
		 * never fails on a full cuckoo path below capacity */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rcu = {
		.v = p->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};
	struct rte_hash *h;

	h = rte_hash_create(&hp);
	if (h == NULL)
		return NULL;
	rte_hash_set_cmp_func(h, kvt_key_cmp);
	if (p->qsbr != NULL && rte_hash_rcu_qsbr_add(h, &rcu) != 0) {
		int err = rte_errno;

		rte_hash_free(h);
		rte_errno = err;
		return NULL;
	}
	return h;
}

struct vsw_kvt *
vsw_kvt_create(const struct vsw_kvt_params *p)
{
	struct vsw_kvt *t;

	if (!params_valid(p)) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("vsw_kvt", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->capacity = p->capacity;
	t->rcu = p->qsbr != NULL;
	t->hash = create_hash(p);
	if (t->hash == NULL) {
		int err = rte_errno != 0 ? rte_errno : ENOMEM;

		rte_free(t);
		rte_errno = err;
		return NULL;
	}
	return t;
}

void
vsw_kvt_free(struct vsw_kvt *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	rte_free(t);
}

int
vsw_kvt_set(struct vsw_kvt *t, uint64_t key, uint64_t value)
{
	bool present = rte_hash_lookup(t->hash, &key) >= 0;
	int rc;

	if (!present && t->count >= t->capacity)
		return -ENOSPC;
	/* On a present key rte_hash swaps the data pointer atomically. */
	rc = rte_hash_add_key_data(t->hash, &key, (void *)(uintptr_t)value);
	if (rc < 0)
		return rc;
	if (!present)
		t->count++;
	return 0;
}

int
vsw_kvt_del(struct vsw_kvt *t, uint64_t key)
{
	int32_t pos = rte_hash_del_key(t->hash, &key);

	if (pos < 0)
		return pos;
	/* With RCU the hash reclaims the slot after a grace period; without
	 * readers it is ours to free now. */
	if (!t->rcu)
		rte_hash_free_key_with_position(t->hash, pos);
	t->count--;
	return 0;
}

uint32_t
vsw_kvt_count(const struct vsw_kvt *t)
{
	return t->count;
}

void
vsw_kvt_foreach(const struct vsw_kvt *t,
		void (*fn)(uint64_t key, uint64_t value, void *arg), void *arg)
{
	const void *key;
	void *data;
	uint32_t next = 0;

	while (rte_hash_iterate(t->hash, &key, &data, &next) >= 0) {
		uint64_t k;

		memcpy(&k, key, sizeof(k));
		fn(k, (uint64_t)(uintptr_t)data, arg);
	}
}

bool
vsw_kvt_lookup(const struct vsw_kvt *t, uint64_t key, uint64_t *value)
{
	void *data;

	if (rte_hash_lookup_data(t->hash, &key, &data) < 0)
		return false;
	*value = (uint64_t)(uintptr_t)data;
	return true;
}

void
vsw_kvt_lookup_bulk(const struct vsw_kvt *t, const uint64_t *keys,
		    unsigned int n, uint64_t *values, uint8_t *found)
{
	const void *kp[VSW_KVT_BULK_MAX];
	hash_sig_t sig[VSW_KVT_BULK_MAX];
	void *data[VSW_KVT_BULK_MAX];
	unsigned int done, chunk, i;
	uint64_t hits;

	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, (unsigned int)VSW_KVT_BULK_MAX);
		/* The signatures inline (the table's own hash, init 0) spare
		 * rte_hash an indirect call per key. */
		for (i = 0; i < chunk; i++) {
			kp[i] = &keys[done + i];
			sig[i] = rte_hash_crc_8byte(keys[done + i], 0);
		}
		hits = 0;
		rte_hash_lookup_with_hash_bulk_data(t->hash, kp, sig, chunk,
						    &hits, data);
		for (i = 0; i < chunk; i++) {
			found[done + i] = (uint8_t)(hits >> i & 1);
			values[done + i] = found[done + i] ?
					   (uint64_t)(uintptr_t)data[i] : 0;
		}
	}
}
