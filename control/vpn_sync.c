/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPsec SAs and policies from the model to the data plane (next to
 * l3_sync.c): each admin-up ipsec_sa object becomes an installed
 * struct vsw_ipsec_sa (keys expanded once), inbound SAs are found by
 * (router, SPI) in the key-value table, outbound SAs make each router's
 * SPD. SAs are immutable in the API (delete and re-create to rekey), so an
 * installed SA lives exactly as long as its object; a removed one leaves
 * the tables first and is wiped and freed after a grace period.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dp_sync_internal.h"
#include "ipsec.h"
#include "kvt.h"
#include "log.h"
#include "resources.h"
#include "route_table.h"

#define VSW_SA_MAX_KEY 64
#define VSW_SA_SOFT_PERCENT 90

struct installed_sa {
	struct vsw_ipsec_sa *sa;    /* NULL: could not be installed (error) */
	char id[40];
	bool soft_told, hard_told;  /* the expiry events already logged */
	uint64_t seq;               /* install order: newer SAs first in SPDs */
	char error[160];
	int router;
	bool in;
};

struct vsw_vpn_sync {
	json_t *sas;                 /* ipsec_sa id -> index in installed */
	struct installed_sa *installed;
	unsigned int n_installed, cap;
	struct vsw_ipsec_sa **retired;   /* freed after the next grace period */
	unsigned int n_retired, cap_retired;
	struct vsw_spd *spd[VSW_FIB_MAX_ROUTERS];
	struct vsw_spd *retired_spd[VSW_FIB_MAX_ROUTERS];
	unsigned int n_retired_spd;
	uint64_t next_seq;
	uint64_t spd_gen;
};

struct vsw_vpn_sync *
vsw_vpn_sync_create(void)
{
	struct vsw_vpn_sync *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->sas = json_object();
	if (v->sas == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

static void
free_sa(struct vsw_ipsec_sa *sa)
{
	if (sa == NULL)
		return;
	vsw_esp_sa_clear(&sa->esp);
	rte_free(sa);
}

/* Call with no worker reading the tables (after a grace period). */
void
vsw_vpn_sync_destroy(struct vsw_vpn_sync *v)
{
	unsigned int i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n_installed; i++)
		free_sa(v->installed[i].sa);
	for (i = 0; i < v->n_retired; i++)
		free_sa(v->retired[i]);
	for (i = 0; i < VSW_FIB_MAX_ROUTERS; i++)
		vsw_spd_free(v->spd[i]);
	for (i = 0; i < v->n_retired_spd; i++)
		vsw_spd_free(v->retired_spd[i]);
	free(v->installed);
	free(v->retired);
	json_decref(v->sas);
	free(v);
}

/* --- parsing the stored SA --- */

static int
hex_decode(const char *hex, uint8_t *out, size_t max)
{
	size_t n = hex != NULL ? strlen(hex) : 0, i;

	if (n % 2 != 0 || n / 2 > max)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = (uint8_t)b;
	}
	return (int)(n / 2);
}

static uint8_t
parse_prefixes(const json_t *list, struct vsw_ipsec_prefix *out)
{
	const json_t *item;
	uint8_t n = 0;
	size_t i;

	json_array_foreach(list, i, item)
		if (n < VSW_IPSEC_MAX_SELECTORS && vsw_dp_sync_parse_prefix(json_string_value(item), &out[n].prefix,
							     &out[n].mask) == 0)
			n++;
	return n;
}

static uint64_t
limit_of(const json_t *lifetime, const char *key, uint64_t unit)
{
	const json_t *v = json_object_get(lifetime, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
		(uint64_t)json_integer_value(v) * unit : 0;
}

static void
lifetime_of(const json_t *obj, struct vsw_esp_lifetime *l)
{
	const json_t *lt = json_object_get(obj, "lifetime");

	l->hard_seconds = limit_of(lt, "seconds", 1);
	l->hard_bytes = limit_of(lt, "kilobytes", 1024);
	l->hard_packets = limit_of(lt, "packets", 1);
	/* Soft expiry (the rekey event) comes first, at 90 %. */
	l->soft_seconds = l->hard_seconds * VSW_SA_SOFT_PERCENT / 100;
	l->soft_bytes = l->hard_bytes * VSW_SA_SOFT_PERCENT / 100;
	l->soft_packets = l->hard_packets * VSW_SA_SOFT_PERCENT / 100;
}

/* The SA's selectors: its own (vpnservice style) or its connection's. */
static void
selectors_of(const struct vsw_model *model, const json_t *obj, struct vsw_ipsec_sa *sa)
{
	const json_t *conn = vsw_model_get(model, "ipsec_site_connection",
					   obj_str(obj, "connection_id"));
	json_t *local = NULL, *peer = NULL;

	if (conn != NULL) {
		vsw_vpn_connection_selectors(model, conn, &local, &peer);
		sa->mtu = (uint16_t)json_integer_value(json_object_get(conn, "mtu"));
	} else {
		local = json_incref(json_object_get(obj, "local_cidrs"));
		peer = json_incref(json_object_get(obj, "peer_cidrs"));
	}
	sa->n_local = parse_prefixes(local, sa->local);
	sa->n_peer = parse_prefixes(peer, sa->peer);
	json_decref(local);
	json_decref(peer);
}

static int
sa_params(const json_t *obj, struct vsw_esp_sa_params *p, uint8_t *enc, uint8_t *auth,
	  char *err, size_t errlen)
{
	const json_t *udp = json_object_get(obj, "udp_encap");
	uint32_t local = vsw_dp_sync_parse_ip(obj_str(obj, "local_address"));
	uint32_t peer = vsw_dp_sync_parse_ip(obj_str(obj, "peer_address"));
	int enc_len, auth_len = 0, salt_len = 0, rc;

	memset(p, 0, sizeof(*p));
	rc = vsw_esp_algo_from_names(obj_str(obj, "encryption_algorithm"),
				     obj_str(obj, "auth_algorithm"), &p->algo, err, errlen);
	if (rc < 0)
		return rc;
	enc_len = hex_decode(obj_str(obj, "encryption_key"), enc, VSW_SA_MAX_KEY - 4);
	if (obj_str(obj, "salt") != NULL)
		salt_len = hex_decode(obj_str(obj, "salt"), enc + (enc_len > 0 ? enc_len : 0), 4);
	if (obj_str(obj, "auth_key") != NULL)
		auth_len = hex_decode(obj_str(obj, "auth_key"), auth, VSW_SA_MAX_KEY);
	if (enc_len < 0 || salt_len < 0 || auth_len < 0) {
		snprintf(err, errlen, "keys are not hex");
		return -EINVAL;
	}
	p->spi = (uint32_t)json_integer_value(json_object_get(obj, "spi"));
	p->dir = strcmp(obj_str(obj, "direction"), "in") == 0 ? VSW_ESP_DIR_IN : VSW_ESP_DIR_OUT;
	p->enc_key = enc;
	p->enc_key_len = (size_t)(enc_len + salt_len);
	p->auth_key = auth_len > 0 ? auth : NULL;
	p->auth_key_len = (size_t)auth_len;
	p->esn = obj_bool(obj, "esn", false);
	p->replay_window = (uint32_t)json_integer_value(json_object_get(obj, "replay_window"));
	p->tunnel_src = p->dir == VSW_ESP_DIR_OUT ? local : peer;
	p->tunnel_dst = p->dir == VSW_ESP_DIR_OUT ? peer : local;
	if (json_is_object(udp)) {
		p->udp_encap = true;
		p->udp_sport = (uint16_t)json_integer_value(json_object_get(udp, "src_port"));
		p->udp_dport = (uint16_t)json_integer_value(json_object_get(udp, "dst_port"));
	}
	lifetime_of(obj, &p->lifetime);
	return 0;
}

/* The router an SA belongs to: its vpnservice's. */
static int
router_of(struct vsw_dp_sync *s, const struct vsw_model *model, const json_t *obj)
{
	const json_t *svc = vsw_model_get(model, "vpnservice", obj_str(obj, "vpnservice_id"));

	return svc != NULL ? vsw_l3_sync_router_index(s, obj_str(svc, "router_id")) : -1;
}

static void
install(struct vsw_dp_sync *s, const struct vsw_model *model, const char *id,
	const json_t *obj, struct installed_sa *out)
{
	uint8_t enc[VSW_SA_MAX_KEY], auth[VSW_SA_MAX_KEY];
	struct vsw_esp_sa_params p;
	struct vsw_ipsec_sa *sa;

	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	out->router = router_of(s, model, obj);
	if (out->router < 0) {
		snprintf(out->error, sizeof(out->error), "its VPN service's router has no index");
		return;
	}
	if (sa_params(obj, &p, enc, auth, out->error, sizeof(out->error)) < 0)
		goto wipe;
	sa = rte_zmalloc("vsw_ipsec_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE);
	if (sa == NULL) {
		snprintf(out->error, sizeof(out->error), "out of memory");
		goto wipe;
	}
	if (vsw_esp_sa_init(&sa->esp, &p, out->error, sizeof(out->error)) < 0) {
		rte_free(sa);
		goto wipe;
	}
	sa->router = (uint16_t)out->router;
	/* Inbound SAs spread over the workers, each decrypted by one. */
	sa->owner = (uint16_t)(p.spi % vsw_dp_worker_count(s->dp));
	selectors_of(model, obj, sa);
	out->sa = sa;
	out->in = p.dir == VSW_ESP_DIR_IN;
	VSW_LOG(INFO, "ipsec_sa %s: installed (%s, SPI 0x%08x, %s)", id,
		out->in ? "in" : "out", p.spi, vsw_esp_algo_name(p.algo));
wipe:
	memset(enc, 0, sizeof(enc));
	memset(auth, 0, sizeof(auth));
	if (out->sa == NULL)
		VSW_LOG(ERR, "ipsec_sa %s: %s", id, out->error);
}

static int
grow(void **arr, unsigned int *cap, unsigned int need, size_t elem)
{
	void *n;

	if (need <= *cap)
		return 0;
	n = realloc(*arr, (size_t)RTE_MAX(need, *cap * 2 + 16) * elem);
	if (n == NULL)
		return -ENOMEM;
	*arr = n;
	*cap = RTE_MAX(need, *cap * 2 + 16);
	return 0;
}

static void
retire(struct vsw_vpn_sync *v, struct vsw_ipsec_sa *sa)
{
	if (sa == NULL)
		return;
	if (grow((void **)&v->retired, &v->cap_retired, v->n_retired + 1,
		 sizeof(*v->retired)) < 0) {
		VSW_LOG(ERR, "out of memory: an SA is leaked rather than freed early");
		return;
	}
	v->retired[v->n_retired++] = sa;
}

/* Wanted: every admin-up SA. Removed and admin-down SAs are retired. */
static void
reconcile(struct vsw_dp_sync *s, const struct vsw_model *model)
{
	struct vsw_vpn_sync *v = s->vpn;
	const json_t *sas = vsw_model_kind(model, "ipsec_sa");
	json_t *keep = json_object(), *obj;
	struct installed_sa *next = NULL;
	unsigned int n = 0, cap = 0;
	const char *id;

	json_object_foreach((json_t *)sas, id, obj) {
		json_t *had = json_object_get(v->sas, id);

		if (!obj_bool(obj, "admin_state_up", true))
			continue;
		if (grow((void **)&next, &cap, n + 1, sizeof(*next)) < 0)
			break;
		if (had != NULL) {
			next[n] = v->installed[json_integer_value(had)];
			v->installed[json_integer_value(had)].sa = NULL;
		} else {
			install(s, model, id, obj, &next[n]);
			next[n].seq = ++v->next_seq;
		}
		json_object_set_new(keep, id, json_integer(n));
		n++;
	}
	for (unsigned int i = 0; i < v->n_installed; i++)
		retire(v, v->installed[i].sa);
	free(v->installed);
	v->installed = next;
	v->n_installed = n;
	v->cap = cap;
	json_decref(v->sas);
	v->sas = keep;
}

static bool
spd_has(const struct vsw_spd *spd, const struct vsw_spd_entry *e, uint32_t n)
{
	return spd != NULL && spd->n == n && memcmp(spd->e, e, n * sizeof(*e)) == 0;
}

/* A router's SPD: one entry per (local, peer) selector pair of each
 * outbound SA. NULL when it has none; *same when the current one already
 * holds exactly these entries (nothing built: an LPM costs 64 MiB). */
static struct vsw_spd *
build_spd(struct vsw_vpn_sync *v, int router, bool *same)
{
	struct vsw_spd_entry *e;
	struct vsw_spd *spd;
	uint32_t n = 0, i, a, b;
	char name[32];

	for (i = 0; i < v->n_installed; i++)
		if (v->installed[i].sa != NULL && !v->installed[i].in &&
		    v->installed[i].router == router)
			n += (uint32_t)v->installed[i].sa->n_local * v->installed[i].sa->n_peer;
	*same = false;
	if (n == 0)
		return NULL;
	e = malloc(n * sizeof(*e));
	if (e == NULL)
		return NULL;
	n = 0;
	for (i = 0; i < v->n_installed; i++) {
		struct vsw_ipsec_sa *sa = v->installed[i].sa;

		if (sa == NULL || v->installed[i].in || v->installed[i].router != router)
			continue;
		for (a = 0; a < sa->n_local; a++)
			for (b = 0; b < sa->n_peer; b++)
				e[n++] = (struct vsw_spd_entry){
					.local = sa->local[a], .peer = sa->peer[b], .sa = sa,
					.seq = v->installed[i].seq,
				};
	}
	vsw_spd_sort(e, n);
	*same = spd_has(v->spd[router], e, n);
	if (*same) {
		free(e);
		return NULL;
	}
	/* A name unique while both the old and the new SPD live. */
	snprintf(name, sizeof(name), "vsw_spd%d_%" PRIu64, router, ++v->spd_gen);
	spd = vsw_spd_create(name, e, n);
	free(e);
	if (spd == NULL)
		VSW_LOG(ERR, "router %d: cannot build its IPsec policy table", router);
	return spd;
}


static void
rebuild_spds(struct vsw_vpn_sync *v)
{
	bool has[VSW_FIB_MAX_ROUTERS] = { false };
	unsigned int i;

	for (i = 0; i < v->n_installed; i++)
		if (v->installed[i].sa != NULL && !v->installed[i].in)
			has[v->installed[i].router] = true;
	for (int r = 0; r < VSW_FIB_MAX_ROUTERS; r++) {
		struct vsw_spd *spd = NULL;
		bool same = false;

		if (!has[r] && v->spd[r] == NULL)
			continue;
		if (has[r])
			spd = build_spd(v, r, &same);
		if (same)
			continue;
		if (v->spd[r] != NULL)
			v->retired_spd[v->n_retired_spd++] = v->spd[r];
		v->spd[r] = spd;
	}
}

void
vsw_vpn_sync_prepare(struct vsw_dp_sync *s, const struct vsw_model *model,
		     void (*want)(struct vsw_dp_sync *s, uint64_t key, uint64_t value))
{
	struct vsw_vpn_sync *v = s->vpn;
	unsigned int i;

	reconcile(s, model);
	rebuild_spds(v);
	for (i = 0; i < v->n_installed; i++) {
		const struct installed_sa *x = &v->installed[i];

		if (x->sa != NULL && x->in)
			want(s, vsw_kvt_key(VSW_KVT_SA_IN, (uint16_t)x->router, x->sa->esp.spi),
			     (uint64_t)(uintptr_t)x->sa);
	}
}

/* Routes to the peer prefixes of a router's outbound SAs, through its
 * gateway interface: a VPN needs no default route. */
unsigned int
vsw_vpn_sync_routes(const struct vsw_dp_sync *s, int router, uint16_t gw_rif,
		    struct vsw_route *out, unsigned int max)
{
	const struct vsw_vpn_sync *v = s->vpn;
	unsigned int i, n = 0;
	uint8_t b;

	for (i = 0; i < v->n_installed; i++) {
		const struct vsw_ipsec_sa *sa = v->installed[i].sa;

		if (sa == NULL || v->installed[i].in || v->installed[i].router != router)
			continue;
		for (b = 0; b < sa->n_peer && n < max; b++) {
			out[n].prefix = sa->peer[b].prefix;
			out[n].plen = (uint8_t)__builtin_popcount(sa->peer[b].mask);
			out[n].rif = gw_rif;
			out[n].gw = sa->esp.tunnel_dst;
			n++;
		}
	}
	return n;
}

const struct vsw_spd *
vsw_vpn_sync_spd(const struct vsw_dp_sync *s, uint32_t router)
{
	return router < VSW_FIB_MAX_ROUTERS ? s->vpn->spd[router] : NULL;
}

/* After the fib and the key-value entries no longer point at them. */
void
vsw_vpn_sync_commit(struct vsw_dp_sync *s)
{
	struct vsw_vpn_sync *v = s->vpn;
	unsigned int i;

	if (v->n_retired == 0 && v->n_retired_spd == 0)
		return;
	vsw_dp_synchronize(s->dp);
	for (i = 0; i < v->n_retired; i++)
		free_sa(v->retired[i]);
	for (i = 0; i < v->n_retired_spd; i++)
		vsw_spd_free(v->retired_spd[i]);
	v->n_retired = 0;
	v->n_retired_spd = 0;
}

static const struct installed_sa *
installed_of(const struct vsw_dp_sync *s, const char *id)
{
	json_t *i = id != NULL ? json_object_get(s->vpn->sas, id) : NULL;

	return i != NULL ? &s->vpn->installed[json_integer_value(i)] : NULL;
}

const char *
vsw_vpn_sync_sa_status(const struct vsw_dp_sync *s, const json_t *obj, const char **why)
{
	const struct installed_sa *x = installed_of(s, obj_str(obj, "id"));

	*why = NULL;
	if (!obj_bool(obj, "admin_state_up", true))
		return "DOWN";
	if (x == NULL)
		return "DOWN";
	if (x->sa == NULL) {
		*why = x->error;
		return "ERROR";
	}
	if (vsw_esp_sa_hard_expired(&x->sa->esp, rte_rdtsc())) {
		*why = "hard lifetime reached: traffic is dropped until a new SA is installed";
		return "DOWN";
	}
	return "ACTIVE";
}

/* ACTIVE once an inbound and an outbound SA of the connection work. */
const char *
vsw_vpn_sync_connection_status(const struct vsw_dp_sync *s, const struct vsw_model *model,
			       const json_t *conn)
{
	const char *id = obj_str(conn, "id"), *sid, *why;
	bool in = false, out = false;
	json_t *obj;

	if (!obj_bool(conn, "admin_state_up", true))
		return "DOWN";
	json_object_foreach((json_t *)vsw_model_kind(model, "ipsec_sa"), sid, obj) {
		const char *cid = obj_str(obj, "connection_id");

		if (cid == NULL || strcmp(cid, id) != 0 ||
		    strcmp(vsw_vpn_sync_sa_status(s, obj, &why), "ACTIVE") != 0)
			continue;
		if (strcmp(obj_str(obj, "direction"), "in") == 0)
			in = true;
		else
			out = true;
	}
	return in && out ? "ACTIVE" : "DOWN";
}

json_t *
vsw_vpn_sync_stats(const struct vsw_dp_sync *s, const struct vsw_model *model)
{
	json_t *list = json_array(), *obj;
	const char *id;

	json_object_foreach((json_t *)vsw_model_kind(model, "ipsec_sa"), id, obj) {
		const struct installed_sa *x = installed_of(s, id);
		json_t *drops = json_object(), *o;
		struct vsw_esp_sa_stats st;
		unsigned int d;

		if (x == NULL || x->sa == NULL)
			continue;
		memcpy(&st, &x->sa->esp.stats, sizeof(st));
		for (d = 1; d < VSW_ESP_VERDICT_MAX; d++)
			json_object_set_new(drops, vsw_esp_verdict_name(d),
					    json_integer((json_int_t)st.drops[d]));
		o = json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:o, s:b, s:b}",
			"id", id, "spi", (json_int_t)x->sa->esp.spi,
			"direction", x->in ? "in" : "out",
			"algorithm", vsw_esp_algo_name(x->sa->esp.algo),
			"packets", (json_int_t)st.packets, "bytes", (json_int_t)st.bytes,
			"drops", drops,
			"soft_expired", vsw_esp_sa_soft_expired(&x->sa->esp),
			"hard_expired", vsw_esp_sa_hard_expired(&x->sa->esp, rte_rdtsc()));
		json_array_append_new(list, o);
	}
	return list;
}

/*
 * Expiry events: the soft lifetime asks for a rekey (logged once; IKE will
 * act on it), the hard one stops traffic (logged once, status DOWN). The
 * result changes whenever an SA crossed one, for the statuses to refresh.
 */
uint64_t
vsw_vpn_sync_expiry_digest(const struct vsw_dp_sync *s)
{
	struct vsw_vpn_sync *v = s->vpn;
	uint64_t d = 0, now = rte_rdtsc();
	unsigned int i;

	for (i = 0; i < v->n_installed; i++) {
		struct installed_sa *x = &v->installed[i];
		bool soft, hard;

		if (x->sa == NULL)
			continue;
		soft = vsw_esp_sa_soft_expired(&x->sa->esp);
		hard = vsw_esp_sa_hard_expired(&x->sa->esp, now);
		if (soft && !x->soft_told) {
			x->soft_told = true;
			VSW_LOG(NOTICE, "ipsec_sa %s: soft lifetime reached: time to rekey", x->id);
		}
		if (hard && !x->hard_told) {
			x->hard_told = true;
			VSW_LOG(WARNING, "ipsec_sa %s: hard lifetime reached: its traffic is dropped",
				x->id);
		}
		d = d * 31 + (soft ? 1 : 0) + (hard ? 2 : 0) + i;
	}
	return d;
}
