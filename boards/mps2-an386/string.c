/* memcpy and memmove for the Cortex-M4 firmwares, in place of newlib-nano's: those copy byte by
 * byte (4 instructions a byte) as soon as source and destination differ in alignment, which is
 * the common case for network payloads (a TCP payload starts 54 bytes into a frame). The M4 loads
 * and stores unaligned words in normal memory, so after aligning the destination every copy runs
 * a word at a time. Linked into all three firmwares alike (lwIP copies with memcpy too).
 * Compiled with -fno-builtin and -fno-tree-loop-distribute-patterns, so the loops below are not
 * turned back into calls to memcpy. */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t __attribute__((aligned(1), may_alias)) u32_unaligned;

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  while (n && ((uintptr_t)d & 3)) { *d++ = *s++; n--; }
  uint32_t *dw = (uint32_t *)(void *)d;
  const u32_unaligned *sw = (const u32_unaligned *)(const void *)s;
  for (; n >= 16; n -= 16, dw += 4, sw += 4) { dw[0] = sw[0]; dw[1] = sw[1]; dw[2] = sw[2]; dw[3] = sw[3]; }
  for (; n >= 4; n -= 4) *dw++ = *sw++;
  d = (uint8_t *)dw;
  s = (const uint8_t *)sw;
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (d <= s || d >= s + n) return memcpy(dst, src, n); /* a forward copy is safe */
  d += n;                                               /* overlapping, destination above: backwards */
  s += n;
  while (n && ((uintptr_t)d & 3)) { *--d = *--s; n--; }
  for (; n >= 4; n -= 4) {
    d -= 4;
    s -= 4;
    *(uint32_t *)(void *)d = *(const u32_unaligned *)(const void *)s;
  }
  while (n--) *--d = *--s;
  return dst;
}
