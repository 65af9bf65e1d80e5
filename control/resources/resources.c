/* SPDX-License-Identifier: BSD-3-Clause */
#include "resources.h"

int
vsw_resources_register_all(struct vsw_api *api)
{
	int (*const registrations[])(struct vsw_api *) = {
		vsw_network_register,
		vsw_subnet_register,
		vsw_port_register,
		vsw_vnic_register,
		vsw_system_register,
	};

	for (unsigned int i = 0; i < sizeof(registrations) / sizeof(registrations[0]); i++) {
		int rc = registrations[i](api);

		if (rc < 0)
			return rc;
	}
	return 0;
}
