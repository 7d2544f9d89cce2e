#!/usr/bin/env node
import './v8-tiering.ts';
import { main } from './cli.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Stopped by a signal: helm is already killed; the abandoned scan must not keep the process alive.
    if (code > 128) process.exit(code);
  },
  (error: unknown) => {
    // Only a bug in preadmit reaches here: user mistakes are UsageErrors handled in main().
    process.stderr.write(`preadmit: internal error (please report it): ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
