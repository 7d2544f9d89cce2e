// The copy of a chart a proof edits and renders (prove.ts): it must render exactly as helm renders the
// original. helm follows symlinks, so a template linked to a file elsewhere in the repository
// (`templates/_labels.tpl -> ../../../shared/_labels.tpl`) is part of the chart; copied as a link it would
// point to nothing in the temporary folder. The original is first checked as the scan checks it before
// every render (checkedChartProblem: no link out of the repository, to nothing, into .git or looping); then
// a link that stays inside the chart is copied as a link to the same place in the copy (an edit of its
// target shows through it, as in the repository), and a link that leaves the chart is replaced by a copy of
// what it points to. Nothing outside the repository is ever read.
import { copyFileSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { isInside, safeRealpath } from '../model/paths.ts';
import { checkedChartProblem } from '../render/helm.ts';

/** Most directories deep a copy goes (chartProblem refuses charts nested deeper). */
const MAX_DEPTH = 64;

/**
 * Copies the chart `dir` to `copy` (which must not exist) as helm reads it; returns why it may not be
 * copied (the problem that keeps the scan from rendering it), or undefined.
 */
export function copyChartAsHelmReads(dir: string, copy: string, checkedCharts?: Map<string, string | undefined>): string | undefined {
  const problem = checkedChartProblem({ chartDir: dir, ...(checkedCharts !== undefined ? { checkedCharts } : {}) });
  if (problem !== undefined) return problem;
  const realChart = safeRealpath(dir);
  if (realChart === undefined) return `${dir} cannot be read`;
  const copyDir = (from: string, to: string, entered: ReadonlySet<string>, depth: number): void => {
    mkdirSync(to, { recursive: true });
    if (depth > MAX_DEPTH) return;
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      // helm is given the chart without .git (chartDirForHelm), and chartProblem refuses one reached through a link.
      if (entry.name === '.git') continue;
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isSymbolicLink()) {
        const real = safeRealpath(source);
        // chartProblem has refused links to nothing and out of the repository; one left here is skipped, never followed.
        if (real === undefined) continue;
        if (isInside(realChart, real)) {
          symlinkSync(path.relative(path.dirname(target), path.join(copy, path.relative(realChart, real))), target);
          continue;
        }
        let stat;
        try {
          stat = statSync(real);
        } catch {
          continue;
        }
        if (stat.isDirectory()) {
          // A directory already being copied on this path is a loop: helm would not finish reading it either.
          if (!entered.has(real)) copyDir(real, target, new Set([...entered, real]), depth + 1);
        } else if (stat.isFile()) copyFileSync(real, target);
      } else if (entry.isDirectory()) copyDir(source, target, entered, depth + 1);
      else if (entry.isFile()) copyFileSync(source, target);
    }
  };
  copyDir(realChart, copy, new Set([realChart]), 0);
  return undefined;
}
