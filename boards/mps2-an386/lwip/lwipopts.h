/* lwIP 2.1.3 for the mps2-an386 benchmark peer: NO_SYS, raw API, TCP over IPv4 + ARP + ICMP on
 * one Ethernet netif. The limits are Petrel's default profile (assembly/config.ts, asconfig.json
 * "default"), sized like Petrel's fixed rings so that every connection can hold its whole window
 * and send buffer at once:
 *   16 connections, 4 listeners, 8 KiB receive window and 8 KiB send buffer per connection,
 *   MSS 1460, 8 ARP entries; no UDP, DHCP, DNS or IP fragments (Petrel's core has none).
 * The window also respects QEMU's LAN9118 RX FIFO (about 6 full frames). */
#ifndef PETREL_MPS2_LWIPOPTS_H
#define PETREL_MPS2_LWIPOPTS_H

#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0
#define LWIP_SOCKET                 0
#define LWIP_NETCONN                0
#define LWIP_RAW                    0
#define LWIP_UDP                    0
#define LWIP_DHCP                   0
#define LWIP_DNS                    0
#define LWIP_IGMP                   0
#define LWIP_IPV4                   1
#define LWIP_IPV6                   0
#define LWIP_ARP                    1
#define LWIP_ICMP                   1
#define LWIP_TCP                    1
#define IP_REASSEMBLY               0
#define IP_FRAG                     0
#define LWIP_STATS                  0
#define LWIP_NETIF_STATUS_CALLBACK  0
#define LWIP_NETIF_LINK_CALLBACK    0
#define LWIP_HAVE_LOOPIF            0
#define LWIP_NETIF_LOOPBACK         0
#define LWIP_TIMERS                 1
#define CHECKSUM_GEN_IP             1
#define CHECKSUM_GEN_TCP            1
#define CHECKSUM_CHECK_IP           1
#define CHECKSUM_CHECK_TCP          1

#define MEM_ALIGNMENT               4
#define PETREL_CONNS                16
#define TCP_MSS                     1460
#define TCP_WND                     8192
#define TCP_SND_BUF                 8192
#define TCP_SND_QUEUELEN            16
#define MEMP_NUM_TCP_PCB            PETREL_CONNS
#define MEMP_NUM_TCP_PCB_LISTEN     4
#define MEMP_NUM_TCP_SEG            (PETREL_CONNS * TCP_SND_QUEUELEN)
#define MEMP_NUM_PBUF               (PETREL_CONNS * TCP_SND_QUEUELEN) /* chargen's no-copy pbufs */
/* the heap holds copied send data (echo): every connection's full send buffer */
#define MEM_SIZE                    (PETREL_CONNS * TCP_SND_BUF + 4096)
/* received frames wait in pool pbufs until the app takes them: every connection's full window */
#define PBUF_POOL_SIZE              (PETREL_CONNS * ((TCP_WND + TCP_MSS - 1) / TCP_MSS) + 8)
#define PBUF_POOL_BUFSIZE           1536
#define ARP_TABLE_SIZE              8
#define ARP_QUEUEING                1
#define MEMP_NUM_ARP_QUEUE          4
#define MEMP_NUM_SYS_TIMEOUT        8
#define TCP_LISTEN_BACKLOG          1
#define TCP_DEFAULT_LISTEN_BACKLOG  16
#define LWIP_TCP_KEEPALIVE          1
#define TCP_QUEUE_OOSEQ             1
#define LWIP_ETHERNET               1
#define ETH_PAD_SIZE                0
/* like Petrel's release module (asconfig.json noAssert): no assertion code in the build */
#define LWIP_NOASSERT               1

#endif
