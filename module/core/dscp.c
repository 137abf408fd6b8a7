// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * DSCP names and the default DSCP -> class map.
 */
#include <uapi/linux/mqos.h>

#include "dscp.h"

struct dscp_name {
	char name[6];
	u8 value;
};

static const struct dscp_name dscp_names[] = {
	{ "CS0", 0 },   { "CS1", 8 },   { "CS2", 16 },  { "CS3", 24 },
	{ "CS4", 32 },  { "CS5", 40 },  { "CS6", 48 },  { "CS7", 56 },
	{ "AF11", 10 }, { "AF12", 12 }, { "AF13", 14 },
	{ "AF21", 18 }, { "AF22", 20 }, { "AF23", 22 },
	{ "AF31", 26 }, { "AF32", 28 }, { "AF33", 30 },
	{ "AF41", 34 }, { "AF42", 36 }, { "AF43", 38 },
	{ "EF", 46 },   { "VA", 44 },   { "LE", 1 },
};

#define C_CTL	MQOS_CLASS_CONTROL
#define C_RT	MQOS_CLASS_REALTIME
#define C_AS	MQOS_CLASS_ASSURED
#define C_BE	MQOS_CLASS_BEST_EFFORT
#define C_BK	MQOS_CLASS_BULK

const u8 mqos_dscp_default_map[64] = {
	/*  0 CS0 */ C_BE, /* 1 LE */ C_BK, C_BE, C_BE, C_BE, C_BE, C_BE, C_BE,
	/*  8 CS1 */ C_BK, C_BE, /* 10 AF11 */ C_AS, C_BE, /* 12 AF12 */ C_AS,
	C_BE, /* 14 AF13 */ C_AS, C_BE,
	/* 16 CS2 */ C_AS, C_BE, /* 18 AF21 */ C_AS, C_BE, /* 20 AF22 */ C_AS,
	C_BE, /* 22 AF23 */ C_AS, C_BE,
	/* 24 CS3 */ C_AS, C_BE, /* 26 AF31 */ C_AS, C_BE, /* 28 AF32 */ C_AS,
	C_BE, /* 30 AF33 */ C_AS, C_BE,
	/* 32 CS4 */ C_RT, C_BE, /* 34 AF41 */ C_AS, C_BE, /* 36 AF42 */ C_AS,
	C_BE, /* 38 AF43 */ C_AS, C_BE,
	/* 40 CS5 */ C_RT, C_BE, C_BE, C_BE, /* 44 VA */ C_RT, C_BE,
	/* 46 EF */ C_RT, C_BE,
	/* 48 CS6 */ C_CTL, C_BE, C_BE, C_BE, C_BE, C_BE, C_BE, C_BE,
	/* 56 CS7 */ C_CTL, C_BE, C_BE, C_BE, C_BE, C_BE, C_BE, C_BE,
};

const char *mqos_dscp_name(u8 dscp)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dscp_names); i++)
		if (dscp_names[i].value == dscp)
			return dscp_names[i].name;
	return NULL;
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = upper(c);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_number(const char *s, u8 *out)
{
	unsigned int v = 0, base = 10;
	int i, d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!s[0])
		return -1;
	for (i = 0; s[i]; i++) {
		d = hexval(s[i]);
		if (d < 0 || (unsigned int)d >= base || i >= 4)
			return -1;
		v = v * base + (unsigned int)d;
	}
	if (v > MQOS_DSCP_MAX)
		return -1;
	*out = (u8)v;
	return 0;
}

int mqos_dscp_parse(const char *s, u8 *out)
{
	unsigned int i, j;

	if (!s || !s[0])
		return -1;
	if (s[0] >= '0' && s[0] <= '9')
		return parse_number(s, out);
	for (i = 0; i < ARRAY_SIZE(dscp_names); i++) {
		const char *n = dscp_names[i].name;

		for (j = 0; n[j] && upper(s[j]) == n[j]; j++)
			;
		if (!n[j] && !s[j]) {
			*out = dscp_names[i].value;
			return 0;
		}
	}
	return -1;
}
