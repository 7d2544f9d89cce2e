// Line views of an edit: the lines a GitHub suggested change replaces (ProvenFix line..endLine and its
// replacement) and a unified diff for `preadmit fix --dry-run` and reports.

/** Lines without their breaks (`\r\n` and `\n` alike); a final break ends the last line, it adds none. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The one block of lines an edit changes: lines `line`..`endLine` (1-based, of the old text) become
 * `replacement`. An edit that only adds lines takes the line before them too: a suggested change replaces
 * at least one line.
 */
export function changedLines(before: string, after: string): { line: number; endLine: number; replacement: string } | undefined {
  const a = splitLines(before);
  const b = splitLines(after);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  if (prefix === a.length && prefix === b.length) return undefined;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  let start = prefix;
  if (a.length - suffix === start) start = Math.max(0, start - 1); // only insertions: keep the line before
  const endOld = Math.max(start, a.length - suffix - 1);
  const replacement = b.slice(start, b.length - suffix);
  return { line: start + 1, endLine: endOld + 1, replacement: replacement.join('\n') };
}

type Op = { kind: ' ' | '-' | '+'; text: string };

/** Myers' diff of two line lists, as keep/delete/insert operations. */
function diffOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1)) ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1)) ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) ops.push({ kind: ' ', text: a[--x]! }), y--;
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', text: b[--y]! });
      else ops.push({ kind: '-', text: a[--x]! });
    }
  }
  return ops.reverse();
}

/** A unified diff (`--- a/file`, `+++ b/file`, hunks with 3 lines of context); empty when nothing changed. */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffOps(a, b);
  if (!ops.some((op) => op.kind !== ' ')) return '';
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  // Positions (old and new line numbers) before each op.
  const at: { old: number; new: number }[] = [];
  for (const op of ops) {
    at.push({ old: oldLine, new: newLine });
    if (op.kind !== '+') oldLine++;
    if (op.kind !== '-') newLine++;
  }
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend while changes are closer than 2 * context lines apart.
    for (let j = i; j < ops.length; j++) {
      if (ops[j]!.kind !== ' ') end = j;
      else if (j - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    const first = at[start]!;
    out.push(`@@ -${oldCount === 0 ? first.old - 1 : first.old},${oldCount} +${newCount === 0 ? first.new - 1 : first.new},${newCount} @@`);
    for (const op of hunk) out.push(op.kind + op.text);
    i = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}
