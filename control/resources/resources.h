/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RESOURCES_H
#define VSW_RESOURCES_H

/*
 * The resource kinds and action methods of the API. Adding a kind is a
 * field table plus hooks in its own file and one line in
 * vsw_resources_register_all().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ipam.h"
#include "field_types.h"
#include "model.h"

struct vsw_api;
struct vsw_ctx;
struct vsw_error;

/* Registers every kind (limits from the API options) and action method. */
int vsw_resources_register_all(struct vsw_api *api);

int vsw_network_register(struct vsw_api *api);
int vsw_port_register(struct vsw_api *api);
int vsw_vnic_register(struct vsw_api *api);   /* + vnic.plug, vnic.unplug */
int vsw_system_register(struct vsw_api *api); /* extensions.list, system.info, stats.get */
int vsw_subnet_register(struct vsw_api *api);
int vsw_uplink_register(struct vsw_api *api);
int vsw_router_register(struct vsw_api *api);  /* + router.add/remove_interface */
int vsw_floatingip_register(struct vsw_api *api);
int vsw_vpn_policies_register(struct vsw_api *api);   /* ikepolicy, ipsecpolicy */
int vsw_vpn_service_register(struct vsw_api *api);    /* vpnservice, endpoint_group */
int vsw_vpn_connection_register(struct vsw_api *api); /* ipsec_site_connection */
int vsw_ipsec_sa_register(struct vsw_api *api);       /* ipsec_sa (manual SAs) */

/*
 * Runs a registered method (e.g. "port.create") inside the current request:
 * same savepoint and journal, acting as admin for project. *result (may be
 * NULL: dropped) gets the method's result. For objects a resource owns.
 */
int vsw_resources_call(struct vsw_ctx *ctx, const char *method,
		       const char *project, json_t *params, json_t **result,
		       struct vsw_error *err);

/* --- shared field validators (subnet.c) --- */

struct vsw_field;
/* An IPv4 address, stored canonical. */
int vsw_validate_ipv4_field(const struct vsw_field *f, json_t **value,
			    struct vsw_error *err);
/* [{destination: CIDR, nexthop: IPv4}] without duplicates, at most max;
 * errors are 400 of the given type naming f. */
int vsw_validate_route_list(const struct vsw_field *f, json_t **value,
			    size_t max, const char *type, struct vsw_error *err);

/* --- values of the L2/L3 model (resources.c) --- */

/* A unicast host IPv4 address (not in 0/8, 127/8, 224/4 or 240/4), in
 * canonical dotted form; 0 or -EINVAL. */
int vsw_unicast_ipv4_canonical(const json_t *value, char out[VSW_IPV4_STRLEN]);
/* A unicast, non-zero MAC in canonical lower-case form; 0 or -EINVAL. */
int vsw_unicast_mac_canonical(const json_t *value, char out[VSW_MAC_STRLEN]);

/* --- devices of uplinks and VNICs (uplink.c) --- */

/*
 * What a DPDK devargs string (or a PCI address) opens, to refuse two
 * objects on one device: the device name (before the first ','; a PCI
 * address in canonical form), and the kernel interface that iface= names
 * for net_af_packet, net_tap, net_tun and net_pcap ("" otherwise).
 */
struct vsw_device_keys {
	char name[1025];
	char iface[1025];
};
void vsw_device_keys(const char *devargs, struct vsw_device_keys *k);
/* Emits the keys of devargs as "<kind>.device" and "<kind>.iface" index
 * keys; kind is "uplink" or "vnic". */
void vsw_device_index_keys(const char *kind, const char *devargs,
			   vsw_model_emit_fn emit, void *arg);
/* 409 DevargsInUse (field "devargs"; PciAddressInUse for field
 * "pci_address") when an uplink or VNIC already opens the device or the
 * kernel interface devargs names. */
int vsw_device_check_free(struct vsw_ctx *ctx, const char *devargs,
			  const char *field, struct vsw_error *err);

/* --- uplinks, for networks (uplink.c) --- */

/* The stored uplink named name, or NULL. */
const json_t *vsw_uplink_by_name(struct vsw_ctx *ctx, const char *name);

struct vsw_config;
/*
 * At startup: creates each uplink of cfg->uplinks that is not stored yet
 * (by name) through uplink.create as an admin request, one group each (so
 * hooks.apply runs). A stored uplink of that name wins, changed or not.
 * 0, or a negative errno with "uplink NAME: reason" in err.
 */
int vsw_uplinks_apply_config(struct vsw_api *api, const struct vsw_config *cfg,
			     char *err, size_t errlen);

/* --- provider networks (network.c) --- */

/* Bytes a network type adds on its uplink's wire: 50 for vxlan, else 0. */
int vsw_network_overhead(const char *network_type);

/* --- ports routers and floating IPs own (port.c) --- */

#define VSW_OWNER_ROUTER_INTERFACE "network:router_interface"
#define VSW_OWNER_ROUTER_GATEWAY "network:router_gateway"
#define VSW_OWNER_FLOATINGIP "network:floatingip"

/* The port belongs to a live router or floating IP (its device_id names
 * one): only that object may change or delete it. */
bool vsw_port_is_l3_owned(struct vsw_ctx *ctx, const json_t *port);
/* Deletes a port a router or floating IP owns (409 PortInUse if plugged). */
int vsw_port_remove_owned(struct vsw_ctx *ctx, const char *port_id,
			  struct vsw_error *err);

/* --- floating IPs, for ports (floatingip.c) --- */

/* Disassociates the floating IPs of port_id whose fixed_ip_address is not
 * in kept (a fixed_ips list; NULL: all of them, the port is going away). */
int vsw_floatingips_release_port(struct vsw_ctx *ctx, const char *port_id,
				 const json_t *kept, struct vsw_error *err);
/* A floating IP goes through router_id (and, subnet_id not NULL, maps to a
 * fixed IP on that subnet). */
bool vsw_floatingips_use_router(struct vsw_ctx *ctx, const char *router_id,
				const char *subnet_id);

/* --- subnets, for ports and networks (subnet.c) --- */

#define VSW_SUBNET_MAX_POOLS 16
/* "<subnet uuid>/<IPv4>": key of index "port.subnet_ip" (ports emit one per
 * fixed IP; "port.subnet" counts them per subnet id). */
#define VSW_SUBNET_IP_KEYLEN (36 + 1 + VSW_IPV4_STRLEN)

/* A stored subnet, parsed. */
struct vsw_subnet_info {
	const json_t *obj;
	const char *id;
	struct vsw_cidr cidr;
	bool has_gateway;
	uint32_t gateway;
	struct vsw_ip_range pools[VSW_SUBNET_MAX_POOLS];
	size_t n_pools;
};

int vsw_subnet_parse(const json_t *subnet, struct vsw_subnet_info *info);
void vsw_subnet_ip_key(char key[VSW_SUBNET_IP_KEYLEN], const char *subnet_id,
		       uint32_t addr);
/* Removes the subnets a network lists (it is being deleted, no ports). */
int vsw_subnets_delete_with_network(struct vsw_ctx *ctx, const json_t *net,
				    struct vsw_error *err);

/* --- VPNaaS (vpn_policies.c, vpn_service.c, vpn_connection.c) --- */

/* ESP/IKE algorithms this build implements (Neutron spellings):
 * encryption aes-128, aes-256 (CBC), aes-128-gcm-16, aes-256-gcm-16;
 * integrity sha1, sha256. Anything else: 400 UnsupportedAlgorithm. */
int vsw_vpn_validate_encryption(const struct vsw_field *f, json_t **value,
				struct vsw_error *err);
int vsw_vpn_validate_auth(const struct vsw_field *f, json_t **value,
			  struct vsw_error *err);
/* AES-GCM (an AEAD: no separate integrity algorithm or key). */
bool vsw_vpn_encryption_is_aead(const char *alg);
/* Key bytes of an encryption algorithm (GCM: without the 4-byte salt) or
 * of an integrity algorithm; 0 for an unknown name. */
size_t vsw_vpn_key_len(const char *alg);

/* A unicast IPv4 address (vsw_unicast_ipv4_canonical), stored canonical. */
int vsw_vpn_validate_unicast_ipv4(const struct vsw_field *f, json_t **value,
				  struct vsw_error *err);
/* A non-empty list of unique IPv4 CIDRs without host bits (at most 64),
 * stored canonical; 400 InvalidInput naming f. */
int vsw_vpn_validate_cidr_list(const struct vsw_field *f, json_t **value,
			       struct vsw_error *err);
/* The same check for a list named field (endpoint groups). */
int vsw_vpn_cidr_list_canonical(const json_t *list, const char *field,
				json_t **out, struct vsw_error *err);

/*
 * The traffic selectors of a stored ipsec_site_connection, resolved:
 * local = its local endpoint group's subnets' CIDRs (or, legacy, its
 * vpnservice's subnet's CIDR), peer = its peer endpoint group's CIDRs (or
 * its peer_cidrs). New arrays of CIDR strings, in order; unknown
 * references are skipped. For the data plane's SPD and for validation.
 */
void vsw_vpn_connection_selectors(const struct vsw_model *model,
				  const json_t *conn, json_t **local,
				  json_t **peer);

/*
 * For router.c. A router's change (router: the updated object) or deletion
 * (router NULL) while a vpnservice uses it: 409 RouterInUseByVPNService
 * when it would lose or change the gateway address the service's
 * external_v4_ip holds (enable_snat changes pass).
 */
int vsw_vpn_check_router_change(struct vsw_ctx *ctx, const json_t *old,
				const json_t *router, struct vsw_error *err);
/* Removing the router's interface on subnet_id: 409 SubnetInUseByVPNService
 * while a vpnservice of the router names the subnet or a connection's
 * local endpoint group lists it. */
int vsw_vpn_check_router_subnet(struct vsw_ctx *ctx, const char *router_id,
				const char *subnet_id, struct vsw_error *err);

#endif
