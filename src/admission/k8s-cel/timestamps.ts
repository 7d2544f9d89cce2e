// Timestamps keep the offset they were written with, as cel-go's (a Go time.Time keeps its location):
// string(timestamp('2011-01-01T00:00:00+01:00')) is '2011-01-01T00:00:00+01:00', not the UTC instant.
// cel-js's timestamps are plain Dates (UTC), and its timestamp() cannot be replaced, so cel.ts renames
// calls of timestamp( to TIMESTAMP_CALL (as long, so error positions stay right) and this library defines
// it, noting each Date's offset aside. Arithmetic makes new Dates, which print in UTC.
import type { Environment } from '@marcbachmann/cel-js';

/** The name calls of `timestamp(` are compiled as (the same length as `timestamp`). */
export const TIMESTAMP_CALL = '__tstamp_';

const offsets = new WeakMap<Date, number>();
const MIN = -62135596800000;
const MAX = 253402300799999;
const INVALID = 'timestamp() requires a string in ISO 8601 format';

function fromString(v: string): Date {
  // cel-js's own checks (length, parse, range), with the same messages; up to nanoseconds as RFC 3339 (cel-js: 30 characters).
  if (v.length < 20 || v.length > 35) throw new Error(INVALID);
  const d = new Date(v);
  if (!(d.getTime() <= MAX && d.getTime() >= MIN)) throw new Error(INVALID);
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(v);
  if (zone) offsets.set(d, (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3])));
  return d;
}

/** RFC 3339 with nanoseconds as Go formats it: fraction without trailing zeros, the offset written with. */
export function timestampString(d: Date): string {
  const offset = offsets.get(d) ?? 0;
  const local = new Date(d.getTime() + offset * 60_000).toISOString().replace(/\.?0*Z$/, '');
  if (offset === 0) return `${local}Z`;
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function registerTimestamps(env: Environment): void {
  env.registerFunction(`${TIMESTAMP_CALL}(string): google.protobuf.Timestamp`, fromString)
    .registerFunction(`${TIMESTAMP_CALL}(int): google.protobuf.Timestamp`, (i: bigint) => {
      const ms = Number(i) * 1000;
      if (ms <= MAX && ms >= MIN) return new Date(ms);
      throw new Error('timestamp() requires a valid integer unix timestamp');
    })
    .registerFunction(`${TIMESTAMP_CALL}(google.protobuf.Timestamp): google.protobuf.Timestamp`, (d: Date) => d);
}

/** Calls of `timestamp(` outside string literals renamed to TIMESTAMP_CALL (not `.timestamp(` or `xtimestamp(`). */
export function renameTimestampCalls(expression: string, stringEnd: (src: string, i: number) => number, stringStarts: (src: string, i: number) => boolean): string {
  if (!expression.includes('timestamp')) return expression;
  let out = '';
  for (let i = 0; i < expression.length;) {
    if (stringStarts(expression, i)) {
      const end = stringEnd(expression, i);
      out += expression.slice(i, end);
      i = end;
      continue;
    }
    if (expression.startsWith('timestamp', i) && !/[A-Za-z0-9_.]/.test(expression[i - 1] ?? '') && /^timestamp\s*\(/.test(expression.slice(i, i + 40))) {
      let j = i - 1;
      while (j >= 0 && /\s/.test(expression[j]!)) j--;
      if (expression[j] !== '.') {
        out += TIMESTAMP_CALL;
        i += 'timestamp'.length;
        continue;
      }
    }
    out += expression[i];
    i++;
  }
  return out;
}
