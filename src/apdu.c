/* APDU encoding and exchange: see apdu.h. */
#include "apdu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define APDU_INS_GET_RESPONSE 0xC0
#define APDU_HEADER	      4

static bool apdu_is_extended(const struct apdu *a)
{
	return a->lc > APDU_SHORT_LC_MAX || a->le > APDU_SHORT_LE_MAX;
}

size_t apdu_encode(const struct apdu *a, uint8_t *out, size_t cap)
{
	bool ext = apdu_is_extended(a);
	size_t need = APDU_HEADER, pos = 0;

	if (a->lc > APDU_EXT_LEN_MAX || a->le > APDU_EXT_LE_MAX || (a->lc > 0 && a->data == NULL))
		return 0;
	if (a->lc > 0)
		need += (ext ? 3 : 1) + a->lc;
	if (a->le > 0)
		need += ext ? (a->lc > 0 ? 2 : 3) : 1;
	if (need > cap)
		return 0;
	out[pos++] = a->cla;
	out[pos++] = a->ins;
	out[pos++] = a->p1;
	out[pos++] = a->p2;
	if (a->lc > 0) {
		if (ext) {
			out[pos++] = 0x00;
			out[pos++] = (uint8_t)(a->lc >> 8);
		}
		out[pos++] = (uint8_t)a->lc;
		memcpy(out + pos, a->data, a->lc);
		pos += a->lc;
	}
	if (a->le > 0) {
		/* 256 (short) and 65536 (extended) are encoded as zero. */
		if (ext) {
			if (a->lc == 0)
				out[pos++] = 0x00;
			out[pos++] = (uint8_t)((a->le >> 8) & 0xff);
		}
		out[pos++] = (uint8_t)(a->le & 0xff);
	}
	return pos;
}

/* apdu_log_command: traces the C-APDU; a PIN is shown as "**" after its header. */
static void apdu_log_command(const struct log *log, const struct apdu *a, const uint8_t *buf,
			     size_t len)
{
	if (!log_enabled(log, LOG_APDU))
		return;
	if (a->secret && a->lc > 0)
		log_printf(log, LOG_APDU, "-> %02X %02X %02X %02X (Lc %zu) **", a->cla, a->ins,
			   a->p1, a->p2, a->lc);
	else
		log_hex(log, LOG_APDU, "->", buf, len);
}

enum card_error apdu_transmit(struct transport_card *card, const struct log *log,
			      const struct apdu *a, uint8_t *resp, size_t cap, size_t *resp_len,
			      uint16_t *sw)
{
	struct apdu cur = *a;
	size_t total = 0, clen, rcap, rlen, n;
	uint8_t *cbuf = NULL, *rbuf = NULL;
	size_t ccap = APDU_HEADER + 3 + a->lc + 3;
	unsigned exchanges;
	enum card_error err = CARD_OK;

	*resp_len = 0;
	*sw = 0;
	if (a->lc > APDU_EXT_LEN_MAX) {
		err = CARD_E_ARGUMENTS;
		goto out;
	}
	/* The answer to any one exchange can never be longer than Le allows. */
	rcap = (apdu_is_extended(a) ? APDU_EXT_LE_MAX : APDU_SHORT_LE_MAX) + 2;
	rbuf = malloc(rcap);
	cbuf = malloc(ccap);
	if (rbuf == NULL || cbuf == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	for (exchanges = 0;; exchanges++) {
		if (exchanges >= APDU_MAX_EXCHANGES) {
			log_printf(log, LOG_WARN, "apdu: too many 61xx/6Cxx round trips");
			err = CARD_E_BAD_RESPONSE;
			goto out;
		}
		clen = apdu_encode(&cur, cbuf, ccap);
		if (clen == 0) {
			err = CARD_E_ARGUMENTS;
			goto out;
		}
		apdu_log_command(log, &cur, cbuf, clen);
		rlen = rcap;
		err = card->transport->ops->transmit(card, cbuf, clen, rbuf, &rlen);
		if (err != CARD_OK) {
			log_printf(log, LOG_APDU, "<- %s", card_error_name(err));
			goto out;
		}
		if (rlen < 2 || rlen > rcap) {
			log_printf(log, LOG_WARN, "apdu: answer of %zu bytes", rlen);
			err = CARD_E_BAD_RESPONSE;
			goto out;
		}
		n = rlen - 2;
		*sw = (uint16_t)(rbuf[n] << 8 | rbuf[n + 1]);
		/* Only lengths and status words are traced: answers hold certificates
		 * and personal data. */
		log_printf(log, LOG_APDU, "<- %zu bytes, SW %04X", n, *sw);
		if (n > cur.le || n > cap - total) {
			log_printf(log, LOG_WARN, "apdu: %zu bytes of data, more than asked for",
				   n);
			err = CARD_E_BAD_RESPONSE;
			goto out;
		}
		if (n > 0) {
			memcpy(resp + total, rbuf, n);
			total += n;
		}
		if ((*sw >> 8) == 0x61) {
			/* More data waiting: fetch it (xx = 00 means 256 or more). */
			cur = (struct apdu){.cla = 0x00, .ins = APDU_INS_GET_RESPONSE};
			cur.le = (*sw & 0xff) ? (*sw & 0xff) : APDU_SHORT_LE_MAX;
			if (cur.le > cap - total)
				cur.le = cap - total;
			if (cur.le == 0) {
				err = CARD_E_BAD_RESPONSE;
				goto out;
			}
			continue;
		}
		if ((*sw >> 8) == 0x6C && cur.le > 0 && n == 0) {
			/* Wrong Le: the card says how many bytes it has; ask again. */
			cur.le = (*sw & 0xff) ? (*sw & 0xff) : APDU_SHORT_LE_MAX;
			continue;
		}
		break;
	}
out:
	*resp_len = total;
	if (cbuf != NULL)
		OPENSSL_cleanse(cbuf, ccap); /* it may hold a PIN */
	free(cbuf);
	free(rbuf);
	return err;
}
