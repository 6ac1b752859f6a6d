/* LAN9118/LAN9220 driver for QEMU's mps2-an386 (register layout from the SMSC LAN9220 data sheet;
 * the behaviour of QEMU 7.2's `lan9118` model is what it is tested against):
 * - 32-bit PIO through the RX/TX data FIFO ports; the RX status FIFO gives each frame's length
 *   (which includes the 4-byte FCS) and error bit; RX_DP_CTRL's fast-forward skips a bad frame.
 * - TX: command A (first + last segment, buffer length) and command B (frame length), then the
 *   data words; no end-alignment padding (QEMU mis-handles it), no TX status read (QEMU keeps at
 *   most 512 and then drops the oldest, which costs nothing).
 * - QEMU's receive FIFO holds about 6 full frames and drops silently when full: the stack's
 *   advertised window must stay within that (see README).
 * - The chip resets into promiscuous mode: MAC_CR is written with RXEN|TXEN only (exact MAC
 *   filter, broadcast accepted). The interrupt must be active-high push-pull for QEMU's NVIC. */
#include <string.h>

#include "board.h"
#include "lan9118.h"

#define LAN            0x40200000u
#define RX_DATA        REG32(LAN + 0x00)
#define TX_DATA        REG32(LAN + 0x20)
#define RX_STATUS      REG32(LAN + 0x40)
#define ID_REV         REG32(LAN + 0x50)
#define IRQ_CFG        REG32(LAN + 0x54)
#define INT_STS        REG32(LAN + 0x58)
#define INT_EN         REG32(LAN + 0x5C)
#define BYTE_TEST      REG32(LAN + 0x64)
#define FIFO_INT       REG32(LAN + 0x68)
#define RX_CFG         REG32(LAN + 0x6C)
#define TX_CFG         REG32(LAN + 0x70)
#define HW_CFG         REG32(LAN + 0x74)
#define RX_DP_CTRL     REG32(LAN + 0x78)
#define RX_FIFO_INF    REG32(LAN + 0x7C)
#define TX_FIFO_INF    REG32(LAN + 0x80)
#define PMT_CTRL       REG32(LAN + 0x84)
#define MAC_CSR_CMD    REG32(LAN + 0xA4)
#define MAC_CSR_DATA   REG32(LAN + 0xA8)

#define CSR_BUSY       (1u << 31)
#define CSR_READ       (1u << 30)
#define MAC_CR         1
#define MAC_ADDRH      2
#define MAC_ADDRL      3
#define MAC_CR_TXEN    (1u << 3)
#define MAC_CR_RXEN    (1u << 2)
#define INT_RSFL       (1u << 3)       /* RX status FIFO level above FIFO_INT's threshold */
#define IRQ_EN         (1u << 8)
#define IRQ_POL_HIGH   (1u << 4)
#define IRQ_PUSH_PULL  (1u << 0)
#define TX_ON          (1u << 1)
#define TX_FIRST       (1u << 13)
#define TX_LAST        (1u << 12)
#define RX_ES          (1u << 15)      /* RX status: error summary */
#define RX_FF          (1u << 31)      /* RX_DP_CTRL: fast-forward past the current frame */

static struct lan9118_stats stats;

static void mac_write(uint32_t reg, uint32_t val) {
  for (int i = 0; i < 1000 && (MAC_CSR_CMD & CSR_BUSY); i++) {}
  MAC_CSR_DATA = val;
  MAC_CSR_CMD = CSR_BUSY | reg;
  for (int i = 0; i < 1000 && (MAC_CSR_CMD & CSR_BUSY); i++) {}
}

int lan9118_init(const uint8_t mac[6]) {
  if (BYTE_TEST != 0x87654321u) return -1;
  HW_CFG = 1;                                   /* soft reset */
  for (int i = 0; i < 100000 && (HW_CFG & 1); i++) {}
  for (int i = 0; i < 100000 && !(PMT_CTRL & 1); i++) {} /* READY */
  mac_write(MAC_ADDRL, (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24);
  mac_write(MAC_ADDRH, (uint32_t)mac[4] | (uint32_t)mac[5] << 8);
  mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN);
  RX_CFG = 0;                                   /* no offset, no end padding */
  TX_CFG = TX_ON;
  FIFO_INT = 0;                                 /* interrupt at one frame's status */
  INT_STS = 0xFFFFFFFFu;
  INT_EN = INT_RSFL;
  IRQ_CFG = IRQ_EN | IRQ_POL_HIGH | IRQ_PUSH_PULL;
  (void)ID_REV;
  return 0;
}

int lan9118_rx_pending(void) {
  INT_STS = INT_RSFL;
  return (RX_FIFO_INF >> 16) & 0xFF;            /* frames in the RX status FIFO */
}

int lan9118_rx(uint8_t *buf) {
  if (!((RX_FIFO_INF >> 16) & 0xFF)) return 0;
  uint32_t status = RX_STATUS;
  uint32_t len = (status >> 16) & 0x3FFF;       /* includes the FCS */
  uint32_t words = (len + 3) / 4;
  if ((status & RX_ES) || len < 18 || len > LAN9118_FRAME_MAX + 4) {
    if (len > LAN9118_FRAME_MAX + 4) stats.rx_too_long++;
    else stats.rx_errors++;
    if (words >= 4) {
      RX_DP_CTRL = RX_FF;
      for (int i = 0; i < 1000 && (RX_DP_CTRL & RX_FF); i++) {}
    } else {
      for (uint32_t i = 0; i < words; i++) (void)RX_DATA;
    }
    return -1;
  }
  uint32_t *w = (uint32_t *)(void *)buf;        /* buf is word-aligned */
  for (uint32_t i = 0; i < words; i++) w[i] = RX_DATA;
  stats.rx_frames++;
  return (int)(len - 4);
}

int lan9118_tx(const uint8_t *frame, uint32_t len) {
  uint32_t words = (len + 3) / 4;
  if (len == 0 || len > LAN9118_FRAME_MAX || (TX_FIFO_INF & 0xFFFF) < words + 2) {
    stats.tx_busy++;
    return -1;
  }
  TX_DATA = TX_FIRST | TX_LAST | len;
  TX_DATA = len;
  uint32_t full = len / 4, i = 0;
  if (((uintptr_t)frame & 3) == 0) {            /* the core's TX frame is word-aligned */
    const uint32_t *w = (const uint32_t *)(const void *)frame;
    for (; i < full; i++) TX_DATA = w[i];
  }
  for (; i < words; i++) {                      /* an unaligned source, and the last partial word */
    uint32_t v = 0;
    for (uint32_t b = 0; b < 4 && i * 4 + b < len; b++) v |= (uint32_t)frame[i * 4 + b] << (8 * b);
    TX_DATA = v;
  }
  stats.tx_frames++;
  return 0;
}

const struct lan9118_stats *lan9118_stats(void) { return &stats; }
