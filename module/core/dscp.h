/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * DSCP code points: names (RFC 2474, 2597, 3246, 5865, 8622) and the
 * default DSCP -> class map of docs/design.md section 3.
 */
#ifndef MQOS_CORE_DSCP_H
#define MQOS_CORE_DSCP_H

#include "env.h"

#define MQOS_DSCP_MAX		63
#define MQOS_DSCP_NAME_MAX	8	/* longest name + NUL */

/* Name of @dscp ("CS0", "AF41", "EF", "VA", "LE"), or NULL if unnamed. */
const char *mqos_dscp_name(u8 dscp);

/*
 * Parse a DSCP given by name (case-insensitive) or number (decimal 0..63,
 * or hex "0x00".."0x3f"). The string ends at NUL. Returns 0 and sets *out,
 * or -1 if @s is not a DSCP.
 */
int mqos_dscp_parse(const char *s, u8 *out);

/*
 * Default map, 64 entries: CS6/CS7 -> control; EF/VA/CS4/CS5 -> realtime;
 * AF* and CS2/CS3 -> assured; CS1/LE -> bulk; CS0 and every code point
 * not named above -> best-effort (RFC 2474: unknown code points get the
 * default behaviour).
 */
extern const u8 mqos_dscp_default_map[64];

#endif /* MQOS_CORE_DSCP_H */
