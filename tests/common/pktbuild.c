// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <string.h>

#include "pktbuild.h"

size_t pb_payload_off;

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t pb_build(uint8_t *buf, size_t cap, const struct pb *o,
		const void *payload, size_t plen)
{
	uint8_t f[4096];
	size_t n = 0, ip, l4, l4len, iplen;
	int fam = o->family ? o->family : 4;
	uint8_t proto = o->proto ? o->proto : 6;
	uint8_t nh;
	int i;

	memset(f, 0, sizeof(f));
	/* Ethernet */
	memcpy(f, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 12);
	n = 12;
	for (i = 0; i < o->vlans; i++) {
		put16(f + n, (o->vlans == 2 && i == 0) ? 0x88a8 : 0x8100);
		put16(f + n + 2, 100 + i);
		n += 4;
	}
	put16(f + n, fam == 4 ? 0x0800 : 0x86dd);
	n += 2;
	ip = n;

	if (fam == 4) {
		int hl = 20 + o->ip4_opt_len;

		f[ip] = (uint8_t)(0x40 | (hl / 4));
		f[ip + 1] = (uint8_t)(o->dscp << 2 | o->ecn);
		f[ip + 8] = 64;
		f[ip + 9] = proto;
		if (o->frag == PB_FRAG_FIRST)
			put16(f + ip + 6, 0x2000);
		else if (o->frag == PB_FRAG_LATER)
			put16(f + ip + 6, 185);
		memcpy(f + ip + 12, o->saddr[0] ? o->saddr : (const uint8_t *)"\x0a\0\0\x01", 4);
		memcpy(f + ip + 16, o->daddr[0] ? o->daddr : (const uint8_t *)"\x0a\0\0\x02", 4);
		for (i = 0; i < o->ip4_opt_len; i++)
			f[ip + 20 + i] = 1;	/* NOP */
		l4 = ip + hl;
	} else {
		size_t e;
		int frag_done = 0;

		f[ip] = (uint8_t)(0x60 | (o->dscp >> 2));
		f[ip + 1] = (uint8_t)(((o->dscp & 3) << 6) | (o->ecn << 4));
		f[ip + 7] = 64;
		memcpy(f + ip + 8, o->saddr, 16);
		memcpy(f + ip + 24, o->daddr, 16);
		if (!o->saddr[0])
			f[ip + 8] = 0x20, f[ip + 23] = 1;
		if (!o->daddr[0])
			f[ip + 24] = 0x20, f[ip + 39] = 2;
		e = ip + 40;
		nh = 0;
		/* Chain: header types, then an explicit fragment header. */
		{
			uint8_t types[10];
			int nt = 0;

			for (i = 0; i < o->n_ext; i++)
				types[nt++] = o->ext[i];
			if (o->frag != PB_NOFRAG) {
				types[nt++] = 44;
				frag_done = 1;
			}
			f[ip + 6] = nt ? types[0] : proto;
			for (i = 0; i < nt; i++) {
				nh = i + 1 < nt ? types[i + 1] : proto;
				f[e] = nh;
				if (types[i] == 44) {
					if (o->frag == PB_FRAG_LATER)
						put16(f + e + 2, 185 << 3);
					else
						put16(f + e + 2, 1);	/* M */
					e += 8;
				} else if (types[i] == 51) {
					f[e + 1] = 2;		/* (2+2)*4 = 16 */
					e += 16;
				} else {
					f[e + 1] = 1;		/* (1+1)*8 = 16 */
					f[e + 2] = 1;		/* PadN */
					f[e + 3] = 12;
					e += 16;
				}
			}
		}
		(void)frag_done;
		l4 = e;
	}

	if (proto == 6) {
		int hl = 20 + o->tcp_opt_len;

		put16(f + l4, o->sport);
		put16(f + l4 + 2, o->dport);
		f[l4 + 12] = (uint8_t)((hl / 4) << 4);
		f[l4 + 13] = 0x18;
		put16(f + l4 + 14, 65535);
		for (i = 0; i < o->tcp_opt_len; i++)
			f[l4 + 20 + i] = 1;
		l4len = hl;
	} else if (proto == 17 || proto == 136) {
		put16(f + l4, o->sport);
		put16(f + l4 + 2, o->dport);
		put16(f + l4 + 4, 8 + plen);
		l4len = 8;
	} else {
		l4len = 0;
	}
	pb_payload_off = l4 + l4len;
	if (pb_payload_off + plen + o->pad > sizeof(f))
		return 0;
	if (plen)
		memcpy(f + pb_payload_off, payload, plen);
	iplen = pb_payload_off + plen - ip;
	if (fam == 4)
		put16(f + ip + 2, iplen);
	else
		put16(f + ip + 4, iplen - 40);
	n = pb_payload_off + plen + o->pad;
	if (n > cap)
		n = cap;
	memcpy(buf, f, n);
	return n;
}
