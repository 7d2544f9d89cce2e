// Source positions from js-yaml's event stream: a JSON pointer is followed through mapping keys and
// sequence items to the offset of the node (for a mapping entry, its key). Events are compact and
// cheap to produce, so positions cost little more than parsing.
import { EVENT_ID, getScalarValue, type Event } from 'js-yaml';
import { tokens } from '../core/pointer.ts';

/** Index of the event after the node that starts at `i`. */
function skipNode(events: readonly Event[], i: number): number {
  const type = events[i]?.type;
  if (type !== EVENT_ID.MAPPING && type !== EVENT_ID.SEQUENCE) return i + 1;
  let depth = 0;
  for (let j = i; j < events.length; j++) {
    const t = events[j]!.type;
    if (t === EVENT_ID.MAPPING || t === EVENT_ID.SEQUENCE) depth++;
    else if (t === EVENT_ID.POP && --depth === 0) return j + 1;
  }
  return events.length;
}

function startOf(event: Event | undefined): number | undefined {
  if (event === undefined) return undefined;
  if (event.type === EVENT_ID.SCALAR) return event.valueStart;
  if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) return event.start;
  if (event.type === EVENT_ID.ALIAS) return event.anchorStart;
  return undefined;
}

/**
 * Offset of the node a pointer names inside the document whose DOCUMENT event is at `documentIndex`,
 * or of its nearest existing ancestor.
 */
export function offsetOf(source: string, events: readonly Event[], documentIndex: number, pointer: string): number | undefined {
  let node = documentIndex + 1;
  let best = startOf(events[node]);
  for (const token of tokens(pointer)) {
    const event = events[node];
    if (event?.type === EVENT_ID.MAPPING) {
      let j = node + 1;
      let found: number | undefined;
      while (j < events.length && events[j]!.type !== EVENT_ID.POP) {
        const key = events[j]!;
        const valueIndex = skipNode(events, j);
        if (key.type === EVENT_ID.SCALAR && getScalarValue(source, key) === token) {
          best = key.valueStart;
          found = valueIndex;
          break;
        }
        j = skipNode(events, valueIndex);
      }
      if (found === undefined) break;
      node = found;
    } else if (event?.type === EVENT_ID.SEQUENCE) {
      const wanted = Number(token);
      if (!Number.isInteger(wanted) || wanted < 0) break;
      let j = node + 1;
      for (let k = 0; k < wanted && j < events.length && events[j]!.type !== EVENT_ID.POP; k++) j = skipNode(events, j);
      if (j >= events.length || events[j]!.type === EVENT_ID.POP) break;
      best = startOf(events[j]) ?? best;
      node = j;
    } else {
      break;
    }
  }
  return best;
}

/** 1-based line of an offset. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}
