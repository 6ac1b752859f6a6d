/* Small services over the core's socket calls: echo (RFC 862, port 7, TCP and UDP), discard (RFC 863, 9),
 * chargen (RFC 864, 19), and a client that connects, sends a pattern and checks what comes back. */
#ifndef PETREL_BOARD_SERVICES_H
#define PETREL_BOARD_SERVICES_H

#include <stdint.h>

enum service { SVC_ECHO = 1, SVC_DISCARD = 2, SVC_CHARGEN = 4 };
enum expect { EXPECT_AUTO = 0, EXPECT_ECHO, EXPECT_DISCARD, EXPECT_CHARGEN };

/* Start listening on the services in `mask` (SVC_*). 0, or -1 with a message. */
int services_listen(unsigned mask);

/* Queue a client job: connect to ip:port, then by `expect` (AUTO: by port, 7 echo, 19 chargen,
 * anything else discard): ECHO sends `bytes` of the pattern, half-closes and checks the echo byte
 * for byte; DISCARD sends them and waits for the server's FIN; CHARGEN reads `bytes` and checks
 * the RFC 864 pattern. Jobs run one after the other once services_start_clients() is called. */
int services_add_client(uint32_t ip, int port, uint64_t bytes, enum expect expect); /* -1: table full */
/* The same to a host given by name: resolved by the core's DNS resolver when the job's turn comes
 * (its servers: core_dns_server, else the DHCP lease's), with a {"event":"dns",…} line for the
 * answer; a failed resolution fails the job (a line on stderr naming the error). `name` is not
 * copied: it must stay valid (a command-line argument, a string in flash). */
int services_add_client_name(const char *name, int port, uint64_t bytes, enum expect expect);
void services_start_clients(uint32_t now);
int services_client_count(void);
/* Clients finished (each printed one {"result":…} line) / of which failed. */
int services_clients_done(void);
int services_clients_failed(void);

/* Drain the core's events and move data on every connection. Returns non-zero when it made
 * progress (the caller should come back without sleeping). */
int services_run(uint32_t now);
/* Non-zero when the last services_run left work for the next one whatever the core does meanwhile:
 * a connection whose pump stopped with more to do, a UDP queue that may hold datagrams, a sweep owed
 * after a full ring or queue. Zero: only a new event from the core (rx, a timer) makes work. */
int services_pending(void);

/* The RFC 864 stream: line i = 72 characters from ' ' + (i mod 95), then CRLF; 95 lines repeat. */
#define CHARGEN_PERIOD 7030
uint8_t chargen_byte(uint64_t pos);
/* The client's test pattern: a position-indexed pseudo-random byte stream (so a misplaced segment
 * shows, unlike a short period). */
uint8_t pattern_byte(uint64_t pos);
/* v in decimal into buf (21 bytes); returns the first digit (printf without %llu). */
const char *services_u64(char buf[21], uint64_t v);

#endif
