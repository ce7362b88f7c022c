/* A transport over in-process emulated cards (tests/sim/sim.h): one reader
 * per card, named "JPKI Sim NN".  Tests insert, remove and reset cards as
 * another process or the user would. */
#ifndef JPKI_TRANSPORT_SIM_H
#define JPKI_TRANSPORT_SIM_H

#include <stddef.h>

#include "transport.h"

struct sim_card;

/* transport_sim_new: readers over the given cards (not owned); each card
 * starts inserted and powered on.  NULL when out of memory. */
struct transport *transport_sim_new(struct sim_card **cards, size_t count);
/* transport_sim_remove / _insert: the card leaves / enters its reader
 * (powered off / on); the reader's event counter moves. */
void transport_sim_remove(struct transport *t, size_t reader);
void transport_sim_insert(struct transport *t, size_t reader);
/* transport_sim_reset: another process resets the card: its security state
 * is gone and every connection sees CARD_E_CARD_RESET once. */
void transport_sim_reset(struct transport *t, size_t reader);

/* transport_sim_trace: the commands sent since the last clear, each as its
 * first 5 bytes in hex (CLA INS P1 P2 and Lc or Le), "!" after one whose
 * answer a reader switch lost, "x" after one refused for a removal or reset;
 * separated by spaces. */
#define TRANSPORT_SIM_TRACE_MAX 4096
const char *transport_sim_trace(struct transport *t);
void transport_sim_trace_clear(struct transport *t);

#endif
