/* Reading an EF: READ BINARY by offset, by short EF identifier (SFI) with
 * its fallback to SELECT, and a whole BER-TLV object (a certificate, a text
 * AP record) in exactly as many commands as it needs.
 */
#include "jpki-internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tlv.h"

#define JPKI_CHUNK	 256  /* short READ BINARY: Le = 00 */
/* After a reader lost a 256-byte answer: 240 data bytes, their status word
 * and an ISO 14443-4 I-block's prologue and CRC fit one 256-byte frame (the
 * largest FSD), so the answer needs no block chaining, which such readers
 * get wrong; and a 1583-byte certificate still takes 7 READs. */
#define JPKI_CHUNK_SMALL 0xF0
#define JPKI_READ_ROUNDS 64   /* bound on READ BINARY commands per EF */

/* jpki_read_command: one READ BINARY, with Le no larger than this reader
 * passes.  Budget contactless readers lose an answer of exactly 256 bytes:
 * the transport then says CARD_E_TRANSPORT with the card still there (a
 * removal or a reset is told apart by the transport and never retried).  The
 * READ is sent once more with Le = JPKI_CHUNK_SMALL, and that size kept for
 * this insertion, so a later READ costs no lost exchange.  A READ has no
 * effect on the card, and the callers take a short answer as such (they
 * read on from where it ended), so the retry cannot give a wrong result.
 * The signature is not retried: its answer is 256 bytes whatever Le asks
 * (every known client sends Le=00; what the card does with a smaller Le is
 * not published), only the card's own 61xx could split it, and a lost one
 * is a transport error (CKR_DEVICE_ERROR), never a short signature. */
static enum card_error jpki_read_command(struct jpki_card *c, const struct apdu *read,
					 uint8_t *buf, size_t *len, uint16_t *sw)
{
	struct apdu a = *read;
	struct transport_status st;
	enum card_error err;

	if (c->read_max != 0 && a.le > c->read_max)
		a.le = c->read_max;
	err = jpki_command(c, &a, buf, a.le, len, sw);
	if (err != CARD_E_TRANSPORT || a.le <= JPKI_CHUNK_SMALL || c->conn == NULL)
		return err;
	/* Only to the same card: a swap the transport did not see during the
	 * command would mix two cards' bytes. */
	if (c->transport->ops->status(c->transport, c->reader, &st) != CARD_OK)
		return err;
	if (!st.present || st.events != c->events)
		return CARD_E_CARD_REMOVED;
	log_printf(c->log, LOG_WARN, "READ BINARY of %zu bytes lost by the reader: %u from now on",
		   a.le, JPKI_CHUNK_SMALL);
	c->read_max = JPKI_CHUNK_SMALL;
	a.le = JPKI_CHUNK_SMALL;
	return jpki_command(c, &a, buf, a.le, len, sw);
}

static enum card_error jpki_read_binary(struct jpki_card *c, size_t offset, size_t le, uint8_t *buf,
					size_t *len, uint16_t *sw)
{
	struct apdu a = {.ins = INS_READ_BINARY,
			 .p1 = (uint8_t)(offset >> 8),
			 .p2 = (uint8_t)offset,
			 .le = le};

	if (offset > 0x7FFF)
		return CARD_E_BAD_RESPONSE; /* beyond what P1-P2 can address */
	return jpki_read_command(c, &a, buf, len, sw);
}

/* READ BINARY by short EF identifier (ISO 7816-4 and JICSAP: P1 = 100xxxxx
 * with the SFI, P2 the offset) selects the EF and reads its start in one
 * APDU, sparing the SELECT; the EF is then the current one, so the rest is
 * read by offset.  Few clients use it on this card (docs/card.md 3.2, [L-M]),
 * so: any answer but data is taken as "not here" (6A81, 6A82, 6A86, 6981,
 * 6986, 6D00, 6E00, 6700 alike), the read is done again with SELECT, and
 * that application is not asked by SFI again for this insertion.  An answer
 * that does not look like the EF's content counts as a refusal too. */
bool jpki_sfi_usable(const struct jpki_card *c, enum jpki_ap ap, uint16_t fid)
{
	/* Only the JPKI AP's free EFs are read on every insertion: the text
	 * AP keeps SELECT, as every client of it does. */
	return ap == JPKI_AP_JPKI && fid >= 1 && fid <= JPKI_SFI_MAX && !c->sfi_off[ap] &&
	       c->ef != fid;
}

void jpki_sfi_refused(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, const char *why)
{
	log_printf(c->log, LOG_CALLS,
		   "READ BINARY of EF %04X by short identifier: %s: SELECT from now on", fid, why);
	c->sfi_off[ap] = true;
	c->ef = JPKI_FID_NONE; /* whatever the card made current, select again */
}

/* jpki_read_head: the first bytes of an EF, by short identifier when
 * by_sfi, else after SELECT (unless selected in this transaction). */
enum card_error jpki_read_head(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, bool by_sfi,
			       size_t le, uint8_t *buf, size_t *len, uint16_t *sw)
{
	struct apdu a = {.ins = INS_READ_BINARY, .p1 = (uint8_t)(0x80 | fid), .p2 = 0, .le = le};
	enum card_error err;
	bool believed;

	if (!by_sfi) {
		err = jpki_select_ef(c, ap, fid);
		return err != CARD_OK ? err : jpki_read_binary(c, 0, le, buf, len, sw);
	}
	err = jpki_select_ap(c, ap);
	if (err != CARD_OK)
		return err;
	believed = jpki_ap_believed(c, ap);
	c->ef = JPKI_FID_NONE;
	err = jpki_read_command(c, &a, buf, len, sw);
	/* Refused under a belief: maybe another application is current (6A82,
	 * 6986); check, then once more, before anybody judges SFI.  Not on 6982:
	 * the JPKI AP's own answer for the sign certificate before login. */
	if (err == CARD_OK && believed && *sw != SW_OK && *sw != SW_END_OF_FILE &&
	    *sw != SW_SECURITY) {
		log_printf(c->log, LOG_CALLS, "READ BINARY of EF %04X by short identifier: SW %04X",
			   fid, *sw);
		err = jpki_ap_recheck(c, ap);
		if (err != CARD_OK)
			return err;
		c->ef = JPKI_FID_NONE;
		err = jpki_read_command(c, &a, buf, len, sw);
	}
	if (err == CARD_OK && (*sw == SW_OK || *sw == SW_END_OF_FILE))
		c->ef = fid;
	return err;
}

/* jpki_refused: an error that is the card's answer (not the transport's). */
static bool jpki_refused(enum card_error err)
{
	return err == CARD_E_CARD || err == CARD_E_NOT_FOUND || err == CARD_E_NOT_LOGGED_IN ||
	       err == CARD_E_BAD_RESPONSE;
}

static enum card_error jpki_read_tlv_once(struct jpki_card *c, enum jpki_ap ap, uint16_t fid,
					  bool by_sfi, bool try_cache, size_t max, uint8_t **out,
					  size_t *out_len)
{
	uint8_t first[JPKI_CHUNK], *buf = NULL;
	size_t n = 0, total, off, want;
	unsigned rounds = 1;
	struct tlv hdr;
	enum card_error err;
	uint16_t sw;

	*out = NULL;
	*out_len = 0;
	/* The first chunk holds the DER header, and all of a small object. */
	err = jpki_read_head(c, ap, fid, by_sfi, JPKI_CHUNK, first, &n, &sw);
	if (err != CARD_OK)
		goto out;
	if (sw != SW_OK && sw != SW_END_OF_FILE) {
		err = sw == SW_WRONG_OFFSET ? CARD_E_BAD_RESPONSE : jpki_sw_error(sw);
		goto out;
	}
	err = tlv_parse_header(first, n, &hdr);
	if (err != CARD_OK)
		goto out;
	if (hdr.len > max || hdr.hdr_len + hdr.len > max) {
		log_printf(c->log, LOG_WARN, "EF %04X claims %zu bytes, more than %zu", fid,
			   hdr.len, max);
		err = CARD_E_BAD_RESPONSE;
		goto out;
	}
	total = hdr.hdr_len + hdr.len;
	/* The auth certificate: its first chunk is the key of the cache. */
	if (try_cache && jpki_cache_serves(c, first, n, total, &buf))
		goto done;
	buf = malloc(total);
	if (buf == NULL) {
		err = CARD_E_NO_MEMORY;
		goto out;
	}
	off = n < total ? n : total;
	memcpy(buf, first, off);
	/* Then exactly the rest: never past the object, whatever filler follows. */
	while (off < total) {
		if (sw == SW_END_OF_FILE || ++rounds > JPKI_READ_ROUNDS) {
			err = CARD_E_BAD_RESPONSE; /* the EF ended before the object */
			goto out;
		}
		want = total - off < JPKI_CHUNK ? total - off : JPKI_CHUNK;
		err = jpki_read_binary(c, off, want, buf + off, &n, &sw);
		if (err != CARD_OK)
			goto out;
		if (sw != SW_OK && sw != SW_END_OF_FILE) {
			err = sw == SW_WRONG_OFFSET ? CARD_E_BAD_RESPONSE : jpki_sw_error(sw);
			goto out;
		}
		if (n == 0) {
			err = CARD_E_BAD_RESPONSE; /* no progress */
			goto out;
		}
		off += n;
	}
done:
	*out = buf;
	*out_len = total;
	buf = NULL;
	err = CARD_OK;
out:
	OPENSSL_cleanse(first, sizeof(first)); /* may be personal data */
	free(buf);
	return err;
}

enum card_error jpki_read_tlv(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, bool try_cache,
			      size_t max, uint8_t **out, size_t *out_len)
{
	bool by_sfi = jpki_sfi_usable(c, ap, fid);
	enum card_error err = jpki_read_tlv_once(c, ap, fid, by_sfi, try_cache, max, out, out_len);
	enum card_error first = err;

	if (by_sfi && jpki_refused(err)) {
		jpki_sfi_refused(c, ap, fid, card_error_name(err));
		err = jpki_read_tlv_once(c, ap, fid, false, try_cache, max, out, out_len);
		/* The same answer both ways (the sign certificate before its
		 * password: 6982): the short form works, keep it. */
		if (err == first)
			c->sfi_off[ap] = false;
	}
	return err;
}

enum card_error jpki_read_tlv_ef(struct jpki_card *c, enum jpki_ap ap, uint16_t fid, size_t max,
				 uint8_t **out, size_t *out_len)
{
	return jpki_read_tlv(c, ap, fid, false, max, out, out_len);
}
