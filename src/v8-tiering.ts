// Imported first by both entry points (CLI and Action), so it runs before any other module's code.
//
// A scan runs a lot of code briefly. With V8's default thresholds much of it is optimized just before it
// stops mattering, and the optimizing compilers' CPU competes with helm for the machine. Later tier-up
// leaves short-lived code to the interpreter and baseline tiers; hot code is still optimized. Measured
// with `npm run bench` (README, Speed): on the corpus about 15% less CPU in preadmit's own process on
// node 20 and 24, and the 20,000-object synthetic scan is no slower.
//
// PREADMIT_V8_TIERING=default keeps V8's own thresholds. The heap's growth between collections is set here too
// (HEAP_GROWING_FLAG).
import { setFlagsFromString } from 'node:v8';

/** The flags for a V8 version: older V8 (node 20) counts an interrupt budget, newer V8 (node 22+) invocations. */
export function tieringFlags(v8Version: string): string[] {
  const major = Number(/^(\d+)\./.exec(v8Version)?.[1]);
  if (!Number.isInteger(major)) return [];
  // 16 times V8's defaults (interrupt budget 67,584; 3,000 invocations for TurboFan), 4 times for Maglev (400).
  if (major <= 11) return ['--interrupt-budget=1081344'];
  return ['--invocation-count-for-turbofan=48000', '--invocation-count-for-maglev=1600'];
}

if (process.env.PREADMIT_V8_TIERING !== 'default') {
  for (const flag of tieringFlags(process.versions.v8)) setFlagsFromString(flag);
}

/**
 * How far the old generation grows past what survived the last full collection before the next one: 35%,
 * not V8's up to 300% (issue 18). A scan keeps ~130 MB of objects and findings on the corpus while it parses
 * some 500 helm outputs, all garbage soon after: with V8's growth the default run peaked at 550-770 MB RSS
 * (mostly garbage not yet collected), with 35% under 300 MB, for ~4 more CPU seconds of node's (about 5% of
 * the run's CPU with helm's) and no measurable wall time (README, Speed). It is no cap: a larger repository's heap still grows as far as it needs.
 * PREADMIT_V8_HEAP=default keeps V8's own growth.
 */
const HEAP_GROWING_FLAG = '--heap-growing-percent=35';

if (process.env.PREADMIT_V8_HEAP !== 'default') setFlagsFromString(HEAP_GROWING_FLAG);
