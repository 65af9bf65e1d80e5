/* SPDX-License-Identifier: BSD-3-Clause */
#include "mac_table.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

/* "HASH_RCU_" + name must fit a ring name (RTE_RING_NAMESIZE - 1 = 28). */
#define MAC_TABLE_NAME_MAX 19
#define MAC_TABLE_MIN_CAPACITY 8  /* rte_hash's bucket size */
#define MAC_TABLE_NETWORKS (UINT16_MAX + 1)
#define MAC_DRAIN_BURST 32

/*
 * The hash's data word is what workers need from a lookup: the port and
 * whether the entry is static. rte_hash publishes it with the key (and
 * updates it with a release store), so a reader never sees a new key with
 * a stale port, and a lookup costs no extra cache miss.
 */
#define MAC_DATA_STATIC (UINT32_C(1) << 16)

/* Control-side view of one hash position. */
struct mac_entry {
	uint64_t key;
	uint32_t last_seen;  /* also refreshed by workers (relaxed) */
	uint16_t port;
	uint8_t is_static;
	uint8_t in_use;
};

struct learn_req {
	uint64_t key;
	uint16_t port;
	uint16_t pad[3];
};

struct vsw_mac_table {
	/* read by workers */
	struct rte_hash *hash;
	struct mac_entry *entries;  /* indexed by hash position */
	struct rte_ring *learn_ring;

	/* control thread only */
	struct rte_rcu_qsbr *qsbr;
	uint32_t *net_count;        /* entries per network */
	uint32_t capacity;
	uint32_t max_per_network;
	uint32_t learn_ring_size;
	uint64_t learned;
	uint64_t aged;
	uint64_t table_full;

	/* written by any worker, rarely: own cache line */
	uint64_t learn_ring_full __rte_cache_aligned;
} __rte_cache_aligned;

/* CRC32C of the key: 30-32 cycles per bulk lookup at 100k keys, scattered
 * or sequential MACs; rte_jhash 33.5, a multiply-xorshift mix no better. */
static uint32_t
mac_key_hash(const void *key, uint32_t key_len, uint32_t init_val)
{
	uint64_t k;

	RTE_SET_USED(key_len);
	memcpy(&k, key, sizeof(k));
	return rte_hash_crc_8byte(k, init_val);
}

/* rte_hash has no 8-byte compare of its own (it would call memcmp). */
static int
mac_key_cmp(const void *a, const void *b, size_t len)
{
	uint64_t ka, kb;

	RTE_SET_USED(len);
	memcpy(&ka, a, sizeof(ka));
	memcpy(&kb, b, sizeof(kb));
	return ka != kb;
}

static inline void *
entry_data(uint16_t port, bool is_static)
{
	return (void *)(uintptr_t)(port | (is_static ? MAC_DATA_STATIC : 0));
}

static inline uint16_t
data_port(const void *data)
{
	return (uint16_t)(uintptr_t)data;
}

static inline bool
data_is_static(const void *data)
{
	return ((uintptr_t)data & MAC_DATA_STATIC) != 0;
}

static inline uint16_t
key_net(uint64_t key)
{
	return (uint16_t)(key >> 48);
}

static bool
params_valid(const struct vsw_mac_table_params *p)
{
	return p != NULL && p->name != NULL && p->name[0] != '\0' &&
	       strlen(p->name) <= MAC_TABLE_NAME_MAX &&
	       p->capacity >= MAC_TABLE_MIN_CAPACITY &&
	       p->capacity <= RTE_HASH_ENTRIES_MAX &&
	       p->learn_ring_size != 0 && rte_is_power_of_2(p->learn_ring_size);
}

static struct rte_hash *
create_hash(const struct vsw_mac_table_params *p)
{
	struct rte_hash_parameters hp = {
		.name = p->name,
		.entries = p->capacity,
		.key_len = sizeof(uint64_t),
		.hash_func = mac_key_hash,
		.socket_id = p->socket_id,
		/* single writer (control thread), lock-free readers; the
		 * extendable table makes "capacity" exact instead of failing
		 * on a full cuckoo path before the table is full */
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
	rte_hash_set_cmp_func(h, mac_key_cmp);
	if (p->qsbr != NULL && rte_hash_rcu_qsbr_add(h, &rcu) != 0) {
		int err = rte_errno;

		rte_hash_free(h);
		rte_errno = err;
		return NULL;
	}
	return h;
}

void
vsw_mac_table_free(struct vsw_mac_table *t)
{
	if (t == NULL)
		return;
	rte_ring_free(t->learn_ring);
	rte_hash_free(t->hash);
	rte_free(t->net_count);
	rte_free(t->entries);
	rte_free(t);
}

struct vsw_mac_table *
vsw_mac_table_create(const struct vsw_mac_table_params *p)
{
	char ring_name[RTE_RING_NAMESIZE];
	struct vsw_mac_table *t;
	int err = ENOMEM;

	if (!params_valid(p)) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("vsw_mac_table", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       p->socket_id);
	if (t == NULL)
		goto fail;
	t->qsbr = p->qsbr;
	t->capacity = p->capacity;
	t->max_per_network = p->max_per_network ? p->max_per_network : p->capacity;
	t->learn_ring_size = p->learn_ring_size;
	t->entries = rte_zmalloc_socket("vsw_mac_entries",
					(size_t)p->capacity * sizeof(*t->entries),
					RTE_CACHE_LINE_SIZE, p->socket_id);
	t->net_count = rte_zmalloc_socket("vsw_mac_net_count",
					  MAC_TABLE_NETWORKS * sizeof(*t->net_count),
					  RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t->entries == NULL || t->net_count == NULL)
		goto fail;
	t->hash = create_hash(p);
	if (t->hash == NULL) {
		err = rte_errno;
		goto fail;
	}
	snprintf(ring_name, sizeof(ring_name), "MLR_%s", p->name);
	t->learn_ring = rte_ring_create_elem(ring_name, sizeof(struct learn_req),
					     p->learn_ring_size, p->socket_id,
					     RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (t->learn_ring == NULL) {
		err = rte_errno;
		goto fail;
	}
	return t;
fail:
	vsw_mac_table_free(t);
	rte_errno = err;
	return NULL;
}

static int
insert_entry(struct vsw_mac_table *t, uint64_t key, uint16_t port,
	     bool is_static, uint32_t now_s)
{
	uint16_t net = key_net(key);
	struct mac_entry *e;
	int32_t pos;
	int rc;

	if (t->net_count[net] >= t->max_per_network)
		return -ENOSPC;
	rc = rte_hash_add_key_data(t->hash, &key, entry_data(port, is_static));
	if (rc < 0)
		return rc;
	/* the data variant of add reports no position */
	pos = rte_hash_lookup(t->hash, &key);
	RTE_VERIFY(pos >= 0);
	e = &t->entries[pos];
	e->key = key;
	e->port = port;
	e->is_static = is_static;
	e->in_use = 1;
	__atomic_store_n(&e->last_seen, now_s, __ATOMIC_RELAXED);
	t->net_count[net]++;
	return 0;
}

/* Changes the port/kind of an existing key; its position stays the same. */
static void
update_entry(struct vsw_mac_table *t, int32_t pos, uint16_t port, bool is_static)
{
	struct mac_entry *e = &t->entries[pos];

	rte_hash_add_key_data(t->hash, &e->key, entry_data(port, is_static));
	e->port = port;
	e->is_static = is_static;
}

static void
remove_entry(struct vsw_mac_table *t, int32_t pos)
{
	struct mac_entry *e = &t->entries[pos];

	rte_hash_del_key(t->hash, &e->key);
	/* with RCU the hash recycles the slot after a grace period itself */
	if (t->qsbr == NULL)
		rte_hash_free_key_with_position(t->hash, pos);
	e->in_use = 0;
	t->net_count[key_net(e->key)]--;
}

int
vsw_mac_table_add_static(struct vsw_mac_table *t, uint16_t net,
			 const struct rte_ether_addr *mac, uint16_t port)
{
	uint64_t key = vsw_mac_key(net, mac);
	void *data;
	int32_t pos;

	if (port == VSW_MAC_PORT_NONE || rte_is_multicast_ether_addr(mac))
		return -EINVAL;
	pos = rte_hash_lookup_data(t->hash, &key, &data);
	if (pos < 0)
		return insert_entry(t, key, port, true, 0);
	if (!data_is_static(data) || data_port(data) != port)
		update_entry(t, pos, port, true);
	return 0;
}

int
vsw_mac_table_del_static(struct vsw_mac_table *t, uint16_t net,
			 const struct rte_ether_addr *mac)
{
	uint64_t key = vsw_mac_key(net, mac);
	void *data;
	int32_t pos;

	pos = rte_hash_lookup_data(t->hash, &key, &data);
	if (pos < 0 || !data_is_static(data))
		return -ENOENT;
	remove_entry(t, pos);
	return 0;
}

static int
learn_key(struct vsw_mac_table *t, uint64_t key, uint16_t port, uint32_t now_s)
{
	void *data;
	int32_t pos;
	int rc;

	pos = rte_hash_lookup_data(t->hash, &key, &data);
	if (pos >= 0) {
		if (data_is_static(data))
			return -EEXIST;
		if (data_port(data) != port) {
			update_entry(t, pos, port, false);
			t->learned++;
		}
		__atomic_store_n(&t->entries[pos].last_seen, now_s,
				 __ATOMIC_RELAXED);
		return 0;
	}
	rc = insert_entry(t, key, port, false, now_s);
	if (rc == -ENOSPC)
		t->table_full++;
	else if (rc == 0)
		t->learned++;
	return rc;
}

int
vsw_mac_table_learn(struct vsw_mac_table *t, uint16_t net,
		    const struct rte_ether_addr *mac, uint16_t port,
		    uint32_t now_s)
{
	if (port == VSW_MAC_PORT_NONE || rte_is_multicast_ether_addr(mac))
		return -EINVAL;
	return learn_key(t, vsw_mac_key(net, mac), port, now_s);
}

unsigned int
vsw_mac_table_drain(struct vsw_mac_table *t, uint32_t now_s)
{
	struct learn_req reqs[MAC_DRAIN_BURST];
	unsigned int n, i, total = 0;

	/* bounded: workers may keep producing while we drain */
	do {
		n = rte_ring_sc_dequeue_burst_elem(t->learn_ring, reqs,
						   sizeof(reqs[0]), RTE_DIM(reqs),
						   NULL);
		for (i = 0; i < n; i++)
			learn_key(t, reqs[i].key, reqs[i].port, now_s);
		total += n;
	} while (n == RTE_DIM(reqs) && total < t->learn_ring_size);
	return total;
}

/*
 * The control loops scan the position array rather than rte_hash_iterate():
 * deleting while iterating the hash can move a key from an extendable bucket
 * into a slot the iterator has already passed, so it would be missed.
 */
unsigned int
vsw_mac_table_age(struct vsw_mac_table *t, uint32_t now_s, uint32_t max_age_s)
{
	unsigned int removed = 0;
	uint32_t pos, seen;

	for (pos = 0; pos < t->capacity; pos++) {
		const struct mac_entry *e = &t->entries[pos];

		if (!e->in_use || e->is_static)
			continue;
		seen = __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED);
		/* signed: a worker's clock slightly ahead is not "old" */
		if ((int32_t)(now_s - seen) < (int32_t)max_age_s)
			continue;
		remove_entry(t, pos);
		removed++;
	}
	t->aged += removed;
	return removed;
}

unsigned int
vsw_mac_table_flush_port(struct vsw_mac_table *t, uint16_t port)
{
	unsigned int removed = 0;
	uint32_t pos;

	for (pos = 0; pos < t->capacity; pos++) {
		if (t->entries[pos].in_use && t->entries[pos].port == port) {
			remove_entry(t, pos);
			removed++;
		}
	}
	return removed;
}

unsigned int
vsw_mac_table_flush_network(struct vsw_mac_table *t, uint16_t net)
{
	unsigned int removed = 0;
	uint32_t pos;

	for (pos = 0; pos < t->capacity && t->net_count[net] != 0; pos++) {
		if (t->entries[pos].in_use && key_net(t->entries[pos].key) == net) {
			remove_entry(t, pos);
			removed++;
		}
	}
	return removed;
}

uint32_t
vsw_mac_table_count(const struct vsw_mac_table *t, uint16_t net)
{
	return t->net_count[net];
}

void
vsw_mac_table_stats(const struct vsw_mac_table *t,
		    struct vsw_mac_table_stats *out)
{
	out->learned = t->learned;
	out->aged = t->aged;
	out->learn_ring_full = __atomic_load_n(&t->learn_ring_full,
					       __ATOMIC_RELAXED);
	out->table_full = t->table_full;
}

void
vsw_mac_table_lookup_bulk(const struct vsw_mac_table *t, const uint64_t *keys,
			  unsigned int n, uint16_t *ports)
{
	const void *kp[VSW_MAC_BULK_MAX];
	hash_sig_t sig[VSW_MAC_BULK_MAX];
	void *data[VSW_MAC_BULK_MAX];
	unsigned int done, chunk, i;
	uint64_t hits;

	for (done = 0; done < n; done += chunk) {
		chunk = RTE_MIN(n - done, (unsigned int)VSW_MAC_BULK_MAX);
		/* The signatures inline (the table's own hash, init 0) spare
		 * rte_hash an indirect call per key. */
		for (i = 0; i < chunk; i++) {
			kp[i] = &keys[done + i];
			sig[i] = rte_hash_crc_8byte(keys[done + i], 0);
		}
		hits = 0;
		rte_hash_lookup_with_hash_bulk_data(t->hash, kp, sig, chunk, &hits, data);
		for (i = 0; i < chunk; i++)
			ports[done + i] = (hits >> i & 1) ? data_port(data[i]) :
							    VSW_MAC_PORT_NONE;
	}
}

void
vsw_mac_table_observe(struct vsw_mac_table *t, uint16_t net,
		      const struct rte_ether_addr *mac, uint16_t port,
		      uint32_t now_s)
{
	struct learn_req req = { .key = vsw_mac_key(net, mac), .port = port };
	uint32_t *seen;
	void *data;
	int32_t pos;

	if (unlikely(rte_is_multicast_ether_addr(mac)))
		return;
	pos = rte_hash_lookup_data(t->hash, &req.key, &data);
	if (likely(pos >= 0)) {
		if (likely(data_port(data) == port)) {
			seen = &t->entries[pos].last_seen;
			/* avoid dirtying a shared line every packet */
			if (__atomic_load_n(seen, __ATOMIC_RELAXED) != now_s)
				__atomic_store_n(seen, now_s, __ATOMIC_RELAXED);
			return;
		}
		if (data_is_static(data))
			return;
	}
	if (unlikely(rte_ring_mp_enqueue_elem(t->learn_ring, &req,
					      sizeof(req)) != 0))
		__atomic_fetch_add(&t->learn_ring_full, 1, __ATOMIC_RELAXED);
}
