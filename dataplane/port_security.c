/* SPDX-License-Identifier: BSD-3-Clause */
#include "port_security.h"

#include <string.h>

#include <rte_arp.h>
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#define DHCP_CLIENT_PORT 68
#define DHCP_SERVER_PORT 67

/*
 * Headers are read with rte_pktmbuf_read(): a pointer into the segment when
 * the bytes are there (the usual case, no copy), a copy into the caller's
 * buffer when they span segments, NULL when the frame is too short. So no
 * check ever reads past the frame. A segment of a chain may start at an odd
 * offset of the frame; the Ethernet and ARP structs need 2-byte alignment,
 * so such a header is copied too.
 */
static inline const void *
read_hdr(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	const void *p = rte_pktmbuf_read(m, off, len, buf);

	if (unlikely(((uintptr_t)p & 1) != 0)) {
		memcpy(buf, p, len);
		return buf;
	}
	return p;
}

static bool
pair_mac_matches(const struct vsw_port_security *ps,
		 const struct rte_ether_addr *src)
{
	uint16_t i;

	for (i = 0; i < ps->n_pairs; i++)
		if (rte_is_same_ether_addr(&ps->pairs[i].mac, src))
			return true;
	return false;
}

/* An IPv4 source is the port's when the frame comes from the port's own MAC
 * and the address is a fixed IP, or from a pair's MAC inside its prefix. */
static bool
ipv4_src_allowed(const struct vsw_port_security *ps,
		 const struct rte_ether_addr *src_mac, bool own_mac,
		 rte_be32_t src_ip)
{
	const struct vsw_ps_pair *pair;
	uint16_t i;

	if (own_mac)
		for (i = 0; i < ps->n_ips; i++)
			if (ps->ips[i] == src_ip)
				return true;
	for (i = 0; i < ps->n_pairs; i++) {
		pair = &ps->pairs[i];
		if ((src_ip & pair->mask) == pair->addr &&
		    rte_is_same_ether_addr(&pair->mac, src_mac))
			return true;
	}
	return false;
}

/* DHCP client to server from 0.0.0.0 (DISCOVER, REQUEST before an address
 * is bound); only first fragments carry the UDP header we look at. */
static enum vsw_drop
check_dhcp_client(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		  uint32_t l3_off)
{
	const struct rte_udp_hdr *udp;
	struct rte_udp_hdr udp_copy;

	if (ip->src_addr != 0 || ip->next_proto_id != IPPROTO_UDP ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return VSW_DROP_SPOOF_IP;
	udp = read_hdr(m, l3_off + rte_ipv4_hdr_len(ip), sizeof(*udp),
			       &udp_copy);
	if (udp == NULL)
		return VSW_DROP_MALFORMED;
	if (udp->src_port != rte_cpu_to_be_16(DHCP_CLIENT_PORT) ||
	    udp->dst_port != rte_cpu_to_be_16(DHCP_SERVER_PORT))
		return VSW_DROP_SPOOF_IP;
	return VSW_DROP_MAX;
}

static enum vsw_drop
check_ipv4(const struct vsw_port_security *ps, const struct rte_mbuf *m,
	   const struct rte_ether_addr *src, bool own_mac)
{
	const uint32_t off = sizeof(struct rte_ether_hdr);
	const struct rte_ipv4_hdr *ip;
	struct rte_ipv4_hdr ip_copy;

	ip = read_hdr(m, off, sizeof(*ip), &ip_copy);
	if (unlikely(ip == NULL || (ip->version_ihl >> 4) != 4 ||
		     rte_ipv4_hdr_len(ip) < sizeof(*ip)))
		return VSW_DROP_MALFORMED;
	if (likely(ipv4_src_allowed(ps, src, own_mac, ip->src_addr)))
		return VSW_DROP_MAX;
	return check_dhcp_client(m, ip, off);
}

static enum vsw_drop
check_arp(const struct vsw_port_security *ps, const struct rte_mbuf *m,
	  const struct rte_ether_addr *src, bool own_mac)
{
	const struct rte_arp_hdr *arp;
	struct rte_arp_hdr arp_copy;

	arp = read_hdr(m, sizeof(struct rte_ether_hdr), sizeof(*arp),
			       &arp_copy);
	if (arp == NULL ||
	    arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    arp->arp_plen != sizeof(rte_be32_t))
		return VSW_DROP_MALFORMED;
	if (!rte_is_same_ether_addr(&arp->arp_data.arp_sha, src))
		return VSW_DROP_SPOOF_ARP;
	/* sender 0.0.0.0: an address-conflict probe (RFC 5227) */
	if (arp->arp_data.arp_sip == 0 ||
	    ipv4_src_allowed(ps, src, own_mac, arp->arp_data.arp_sip))
		return VSW_DROP_MAX;
	return VSW_DROP_SPOOF_ARP;
}

/* Until ports carry IPv6 fixed IPs: unspecified (DAD) or link-local only. */
static enum vsw_drop
check_ipv6(const struct rte_mbuf *m)
{
	static const uint8_t unspecified[16];
	const struct rte_ipv6_hdr *ip6;
	struct rte_ipv6_hdr ip6_copy;

	ip6 = read_hdr(m, sizeof(struct rte_ether_hdr), sizeof(*ip6),
			       &ip6_copy);
	if (ip6 == NULL)
		return VSW_DROP_MALFORMED;
	if ((ip6->src_addr[0] == 0xfe && (ip6->src_addr[1] & 0xc0) == 0x80) ||
	    memcmp(ip6->src_addr, unspecified, sizeof(unspecified)) == 0)
		return VSW_DROP_MAX;
	return VSW_DROP_SPOOF_IPV6;
}

enum vsw_drop
vsw_port_security_check(const struct vsw_port_security *ps,
			const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth;
	struct rte_ether_hdr eth_copy;
	bool own_mac;

	if (!ps->enabled)
		return VSW_DROP_MAX;
	eth = read_hdr(m, 0, sizeof(*eth), &eth_copy);
	if (unlikely(eth == NULL))
		return VSW_DROP_RUNT;
	if (unlikely(rte_is_multicast_ether_addr(&eth->src_addr)))
		return VSW_DROP_SRC_MULTICAST;
	own_mac = rte_is_same_ether_addr(&eth->src_addr, &ps->mac);
	if (unlikely(!own_mac && !pair_mac_matches(ps, &eth->src_addr)))
		return VSW_DROP_SPOOF_MAC;

	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return check_ipv4(ps, m, &eth->src_addr, own_mac);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return check_arp(ps, m, &eth->src_addr, own_mac);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return check_ipv6(m);
	default:
		/* RARP (QEMU's post-migration announce) and the rest */
		return VSW_DROP_MAX;
	}
}
