// What one scan may spend on helm: how many renders, until when, how much memory and output each render
// may take. A pull request writes the templates, the ci/*-values.yaml files and the configuration, so
// every one of these is bounded (issue 15): a two-line template drove helm to 16 GB, 100 values files
// meant 300 renders, and a configuration could allow an hour per render.
//
// The budget is shared through AsyncLocalStorage by everything that renders inside runWithRenderBudget
// (charts, value sets, provenance re-renders, Terraform helm_release): no caller can forget it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';

/** The bounds of `.preadmit.yaml` `helm:` and their command-line flags, with their defaults and maxima. */
export const RENDER_BOUNDS = {
  /** Seconds one render may take. */
  timeoutSeconds: { default: 120, max: 600 },
  /** Seconds every render of one scan may take together, from the scan's start (wall clock). */
  totalTimeoutSeconds: { default: 1200, max: 3600 },
  /** Hard limit of helm's memory (RLIMIT_DATA), MiB. */
  memoryLimitMiB: { default: 1024, min: 128, max: 8192 },
  /** Most output one render may print, MiB. */
  maxOutputMiB: { default: 64, max: 512 },
  /** Most helm runs in one scan: charts x value sets, provenance re-renders, Terraform releases. */
  maxRenders: { default: 1000, max: 10000 },
} as const;

export interface RenderBudgetOptions {
  maxRenders?: number;
  totalTimeoutMs?: number;
  memoryLimitBytes?: number;
  maxOutputBytes?: number;
  /** Stops every render (running ones are killed) when aborted: SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Told about a render still running after slowAfterMs (a terminal shows it); never about a fast one. */
  onSlowRender?: (chartDir: string, seconds: number) => void;
  slowAfterMs?: number;
}

export class RenderBudget {
  readonly maxRenders: number;
  readonly memoryLimitBytes: number;
  readonly maxOutputBytes: number;
  readonly totalTimeoutMs: number | undefined;
  /** Aborted at the deadline or by the caller's signal; running helm processes are killed then. */
  readonly signal: AbortSignal;
  readonly onSlowRender: ((chartDir: string, seconds: number) => void) | undefined;
  readonly slowAfterMs: number;
  started = 0;
  /** Renders refused (count reached, deadline passed, scan stopped), by chart directory. */
  readonly refused = new Map<string, number>();

  constructor(options: RenderBudgetOptions = {}) {
    this.maxRenders = options.maxRenders ?? RENDER_BOUNDS.maxRenders.default;
    this.memoryLimitBytes = options.memoryLimitBytes ?? RENDER_BOUNDS.memoryLimitMiB.default * MiB;
    this.maxOutputBytes = options.maxOutputBytes ?? RENDER_BOUNDS.maxOutputMiB.default * MiB;
    this.totalTimeoutMs = options.totalTimeoutMs;
    const signals: AbortSignal[] = [];
    if (options.signal) signals.push(options.signal);
    // AbortSignal.timeout's timer does not keep the process alive once the scan is done.
    if (options.totalTimeoutMs !== undefined) signals.push(AbortSignal.timeout(options.totalTimeoutMs));
    this.signal = signals.length === 0 ? new AbortController().signal : signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
    // One listener per running helm process (execa's cancelSignal): as many as the CPUs, not a leak.
    setMaxListeners(0, this.signal);
    this.onSlowRender = options.onSlowRender;
    this.slowAfterMs = options.slowAfterMs ?? 10_000;
  }

  /** Why no further render may start (undefined: it may, and it is counted). */
  take(chartDir: string): string | undefined {
    const why = this.refusal();
    if (why !== undefined) {
      this.refused.set(chartDir, (this.refused.get(chartDir) ?? 0) + 1);
      return why;
    }
    this.started++;
    return undefined;
  }

  /** A render killed by the deadline or the signal: counted with the refused ones. */
  noteStopped(chartDir: string): void {
    this.refused.set(chartDir, (this.refused.get(chartDir) ?? 0) + 1);
  }

  /** Why a render would be refused now (deadline, signal, count), or undefined. */
  refusal(): string | undefined {
    if (this.started < this.maxRenders) return this.stoppedBecause();
    return this.stoppedBecause() ?? `not rendered: this scan reached its limit of ${this.maxRenders} helm renders (helm.maxRenders, --max-renders); raise it or split the scan`;
  }

  /** Why renders stop (deadline or signal), once they do. */
  stoppedBecause(): string | undefined {
    if (!this.signal.aborted) return undefined;
    const reason: unknown = this.signal.reason;
    if (reason instanceof Error && reason.name === 'TimeoutError') {
      return `not rendered: this scan's rendering passed its time limit of ${+((this.totalTimeoutMs ?? 0) / 1000).toFixed(1)} s (helm.totalTimeoutSeconds, --total-timeout)`;
    }
    return `not rendered: the scan was stopped${typeof reason === 'string' ? ` (${reason})` : ''}`;
  }

  /** Renders refused, for one summary error (provenance re-renders have no error of their own). */
  refusedCount(): number {
    let count = 0;
    for (const n of this.refused.values()) count += n;
    return count;
  }
}

export const MiB = 1024 * 1024;

const budgets = new AsyncLocalStorage<RenderBudget>();

/** Runs `fn` (and everything it awaits) with one shared render budget. */
export function runWithRenderBudget<T>(budget: RenderBudget, fn: () => T): T {
  return budgets.run(budget, fn);
}

/** The budget of the current scan; a fresh default one outside of a scan (each render then on its own). */
export function currentRenderBudget(): RenderBudget {
  return budgets.getStore() ?? defaultBudget;
}

const defaultBudget = new RenderBudget({ maxRenders: Number.POSITIVE_INFINITY });
