/* The board's Ethernet: SMSC LAN9220 (QEMU's `lan9118` model) at 0x40200000, IRQ 13. Polled from
 * the main loop; its interrupt (receive status FIFO not empty) only wakes the CPU from WFI. */
#ifndef PETREL_MPS2_LAN9118_H
#define PETREL_MPS2_LAN9118_H

#include <stdint.h>

#define LAN9118_FRAME_MAX 1518 /* a frame we send or take, without the FCS */

struct lan9118_stats {
  uint32_t rx_frames, rx_errors, rx_too_long, tx_frames, tx_busy;
};

/* Reset the controller, set our MAC, enable RX/TX (exact MAC + broadcast filtering) and the RX
 * interrupt. 0, or -1 when the chip does not answer (the BYTE_TEST register is wrong). */
int lan9118_init(const uint8_t mac[6]);
/* Is a received frame waiting? Clears the interrupt status first, so a frame arriving after this
 * check raises the interrupt line again (board_wait() relies on it). */
int lan9118_rx_pending(void);
/* Take the next received frame into buf (at least LAN9118_FRAME_MAX + 4 bytes): its length
 * without the FCS, 0 if none, or -1 for a bad or oversized frame (skipped and counted). */
int lan9118_rx(uint8_t *buf);
/* Send one frame (≤ LAN9118_FRAME_MAX bytes). 0, or -1 when the TX FIFO has no room (counted). */
int lan9118_tx(const uint8_t *frame, uint32_t len);
const struct lan9118_stats *lan9118_stats(void);

#endif
