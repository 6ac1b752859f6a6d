/* The firmware's command line (semihosting), shared by the Petrel and lwIP firmwares:
 *   --tap NAME --ip ADDR/PREFIX [--gw ADDR] [--services echo,discard,chargen] [--mac MAC] [--seed N]
 * (--tap only names the host's TAP in the ready line). */
#ifndef PETREL_MPS2_ARGS_H
#define PETREL_MPS2_ARGS_H

#include <stdint.h>

struct fw_args {
  const char *tap;
  uint32_t ip, gw;
  int prefix;
  uint8_t mac[6];
  uint64_t seed;
  unsigned services; /* SVC_* of boards/common/services.h */
};

/* Parse the semihosting command line; on a bad one print a one-line error and exit(2). */
void fw_args(struct fw_args *a, const char *prog);

/* The console commands every firmware reads from UART0: 's' prints a status line, 'q' ends the
 * run (exit line, then QEMU exits 0). Returns the command byte or -1. */
int fw_console(void);

#endif
