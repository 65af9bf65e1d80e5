/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_RESOURCES_H
#define VSW_RESOURCES_H

/*
 * The resource kinds and action methods of the API. Adding a kind is a
 * field table plus hooks in its own file and one line in
 * vsw_resources_register_all().
 */

struct vsw_api;

/* Registers every kind (limits from the API options) and action method. */
int vsw_resources_register_all(struct vsw_api *api);

int vsw_network_register(struct vsw_api *api);
int vsw_port_register(struct vsw_api *api);
int vsw_vnic_register(struct vsw_api *api);   /* + vnic.plug, vnic.unplug */
int vsw_system_register(struct vsw_api *api); /* extensions.list, system.info, stats.get */

#endif
