// Time is a u32 count of milliseconds passed in by the host; it may wrap. Deadlines are absolute
// times compared with wrap-around arithmetic (valid while they lie within ±24.8 days of now).

export function timeLe(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
export function timeLt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }

/** "No deadline" as a poll result. */
@inline export const NO_DEADLINE: i32 = -1;

/** Merge a deadline into an earliest-deadline accumulator expressed as ms from now (-1 = none). */
export function earliest(acc: i32, deadline: u32, now: u32): i32 {
  let d = <i32>(deadline - now);
  if (d < 0) d = 0;
  return acc < 0 || d < acc ? d : acc;
}
