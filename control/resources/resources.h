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

#endif
