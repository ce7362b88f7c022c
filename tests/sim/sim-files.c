/* The card's applications and EFs (docs/card.md 1 and 2). */
#include "sim-files.h"

#include <stdlib.h>
#include <string.h>

const struct sim_ap_def sim_aps[SIM_AP_COUNT] = {
	[SIM_AP_JPKI] = {"jpki", {SIM_AID_JPKI}, 10},
	[SIM_AP_TEXT] = {"text", {SIM_AID_TEXT}, 10},
	[SIM_AP_VISUAL] = {"visual", {SIM_AID_VISUAL}, 10},
	[SIM_AP_JUKI] = {"juki", {SIM_AID_JUKI}, 10},
	[SIM_AP_COMMON] = {"common", {SIM_AID_COMMON}, 10},
	[SIM_AP_ISD] = {"isd", {SIM_AID_ISD}, 7},
};

#define PIN_BIT(p) (1u << (p))

const struct sim_ef_def sim_efs[] = {
	/* JPKI AP (section 2.1) */
	{SIM_AP_JPKI, 0x0001, SIM_EF_DATA, SIM_C_SIGN_CERT, PIN_BIT(SIM_PIN_SIGN)},
	{SIM_AP_JPKI, 0x0002, SIM_EF_DATA, SIM_C_SIGN_CA, SIM_FREE},
	{SIM_AP_JPKI, 0x0006, SIM_EF_DATA, SIM_C_TOKEN_INFO, SIM_FREE},
	{SIM_AP_JPKI, 0x0008, SIM_EF_DATA, SIM_C_CERT_AVAIL, SIM_FREE},
	{SIM_AP_JPKI, 0x0009, SIM_EF_DATA, SIM_C_PROTECTED, SIM_NEVER},
	{SIM_AP_JPKI, 0x000A, SIM_EF_DATA, SIM_C_AUTH_CERT, SIM_FREE},
	{SIM_AP_JPKI, 0x000B, SIM_EF_DATA, SIM_C_AUTH_CA, SIM_FREE},
	{SIM_AP_JPKI, 0x0017, SIM_EF_KEY, .pin = SIM_PIN_AUTH, .sign_key = false},
	{SIM_AP_JPKI, 0x0018, SIM_EF_PIN, .pin = SIM_PIN_AUTH},
	{SIM_AP_JPKI, 0x001A, SIM_EF_KEY, .pin = SIM_PIN_SIGN, .sign_key = true},
	{SIM_AP_JPKI, 0x001B, SIM_EF_PIN, .pin = SIM_PIN_SIGN},
	/* Text AP (section 2.2): My Number opens with the PIN or 照合番号A, basic 4 info with the
	 * PIN or 照合番号B. */
	{SIM_AP_TEXT, 0x0001, SIM_EF_DATA, SIM_C_MYNUMBER,
	 PIN_BIT(SIM_PIN_TEXT) | PIN_BIT(SIM_PIN_TEXT_A)},
	{SIM_AP_TEXT, 0x0002, SIM_EF_DATA, SIM_C_BASIC4,
	 PIN_BIT(SIM_PIN_TEXT) | PIN_BIT(SIM_PIN_TEXT_B)},
	{SIM_AP_TEXT, 0x0011, SIM_EF_PIN, .pin = SIM_PIN_TEXT},
	{SIM_AP_TEXT, 0x0014, SIM_EF_PIN, .pin = SIM_PIN_TEXT_A},
	{SIM_AP_TEXT, 0x0015, SIM_EF_PIN, .pin = SIM_PIN_TEXT_B},
};
const size_t sim_ef_count = sizeof(sim_efs) / sizeof(sim_efs[0]);

int sim_files_find(enum sim_ap ap, uint16_t fid)
{
	for (size_t i = 0; i < sim_ef_count; i++)
		if (sim_efs[i].ap == ap && sim_efs[i].fid == fid)
			return (int)i;
	return -1;
}

/* A growing byte buffer for building EF contents. */
struct buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2 + 64;
		uint8_t *p = realloc(b->p, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void buf_fill(struct buf *b, uint8_t byte, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_add(b, &byte, 1);
}

/* buf_tlv_len: BER length octets (short form, 81 xx or 82 xx xx). */
static void buf_tlv_len(struct buf *b, size_t n)
{
	uint8_t l[3];

	if (n < 0x80) {
		l[0] = (uint8_t)n;
		buf_add(b, l, 1);
	} else if (n <= 0xFF) {
		l[0] = 0x81;
		l[1] = (uint8_t)n;
		buf_add(b, l, 2);
	} else {
		l[0] = 0x82;
		l[1] = (uint8_t)(n >> 8);
		l[2] = (uint8_t)n;
		buf_add(b, l, 3);
	}
}

static size_t tlv_len_size(size_t n)
{
	return n < 0x80 ? 1 : n <= 0xFF ? 2 : 3;
}

/* Two-byte private tag (DF xx) + length + value. */
static void buf_tlv(struct buf *b, uint8_t tag, const void *v, size_t n)
{
	uint8_t t[2] = {0xDF, tag};

	buf_add(b, t, 2);
	buf_tlv_len(b, n);
	buf_add(b, v, n);
}

/* 基本4情報 (section 2.2): FF 20 { DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex }.
 * The DF21 offsets are byte offsets from the start of the file of the next four objects. */
static void build_basic4(struct buf *b, const struct sim_state *st)
{
	const char *vals[4] = {st->name, st->address, st->birth, (char[2]){st->sex, 0}};
	size_t sizes[4], body = 11, hdr, off;
	uint8_t offsets[8];

	for (int i = 0; i < 4; i++) {
		size_t n = strlen(vals[i]);
		sizes[i] = 2 + tlv_len_size(n) + n;
		body += sizes[i];
	}
	hdr = 2 + tlv_len_size(body);
	off = hdr + 11;
	for (int i = 0; i < 4; i++) {
		offsets[2 * i] = (uint8_t)(off >> 8);
		offsets[2 * i + 1] = (uint8_t)off;
		off += sizes[i];
	}
	buf_add(b, (uint8_t[]){0xFF, 0x20}, 2);
	buf_tlv_len(b, body);
	buf_tlv(b, 0x21, offsets, 8);
	for (int i = 0; i < 4; i++)
		buf_tlv(b, (uint8_t)(0x22 + i), vals[i], strlen(vals[i]));
	buf_fill(b, 0xFF, 16); /* the EF is larger than its content */
}

/* Token info (section 2.1): a big-endian CK_TOKEN_INFO-like record of 160 bytes whose first 32
 * bytes are the space-padded label of the kind of token (sim-kinds.c). */
static void build_token_info(struct buf *b, const struct sim_state *st, const char *label)
{
	uint8_t rec[160];

	memset(rec, ' ', 112);
	memcpy(rec, label, strlen(label));
	memcpy(rec + 32, "JPKI", 4);		/* manufacturerID */
	memcpy(rec + 64, label, strlen(label)); /* model */
	memcpy(rec + 80, st->serial, 16);	/* serialNumber */
	memset(rec + 96, 0, 48);		/* flags .. firmwareVersion */
	rec[98] = 0x04; /* flags: TOKEN_INITIALIZED | USER_PIN_INITIALIZED | LOGIN_REQUIRED */
	rec[99] = 0x0C;
	memset(rec + 144, ' ', 16); /* utcTime */
	buf_add(b, rec, sizeof(rec));
}

int sim_files_build(size_t i, const struct sim_state *st, const struct sim_options *opt,
		    uint8_t **data, size_t *len)
{
	struct buf b = {0};
	int cert = -1;

	switch (sim_efs[i].content) {
	case SIM_C_AUTH_CERT:
		cert = SIM_CERT_AUTH;
		break;
	case SIM_C_SIGN_CERT: {
		uint8_t avail;
		size_t ff;
		if (sim_kind_sign_cert(opt, &avail, &ff))
			cert = SIM_CERT_SIGN;
		else
			buf_fill(&b, 0xFF, ff); /* a card without it: empty or filler */
		break;
	}
	case SIM_C_AUTH_CA:
		cert = SIM_CERT_AUTH_CA;
		break;
	case SIM_C_SIGN_CA:
		cert = SIM_CERT_SIGN_CA;
		break;
	case SIM_C_TOKEN_INFO:
		build_token_info(&b, st, sim_kind_label(opt));
		break;
	case SIM_C_CERT_AVAIL: {
		/* byte 0: signature certificate, byte 1: authentication certificate (MYC) */
		uint8_t avail;
		size_t ff;
		sim_kind_sign_cert(opt, &avail, &ff);
		buf_add(&b, (uint8_t[]){avail, 0x8F, 0x00}, 3);
		break;
	}
	case SIM_C_PROTECTED:
		buf_fill(&b, 0xFF, 16);
		break;
	case SIM_C_MYNUMBER:
		/* FF 10 0C + 12 digits, then FF FF: 17 bytes (docs/card.md 2.2 and 9.5). */
		buf_add(&b, (uint8_t[]){0xFF, 0x10, 0x0C}, 3);
		buf_add(&b, st->pin[SIM_PIN_TEXT_A], 12);
		buf_fill(&b, 0xFF, 2);
		break;
	case SIM_C_BASIC4:
		build_basic4(&b, st);
		break;
	case SIM_C_NONE:
		break;
	}
	if (cert >= 0) {
		buf_add(&b, st->cert[cert], st->cert_len[cert]);
		buf_fill(&b, 0xFF, opt->ef_filler);
	}
	if (b.failed) {
		free(b.p);
		return -1;
	}
	*data = b.p;
	*len = b.len;
	return 0;
}
