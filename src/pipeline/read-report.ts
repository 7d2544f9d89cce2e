// Reading a JSON report preadmit wrote (`--format json`): `preadmit merge` and the Action's `report` input.
// The report is data from elsewhere (another runner, a fork's workflow): it must match
// schemas/scan-result.schema.json before anything in it is used.
import { readFileSync, statSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import schema from '../../schemas/scan-result.schema.json' with { type: 'json' };
import { UsageError } from '../model/errors.ts';
import type { ScanResult } from '../model/model.ts';

export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

let validator: ReturnType<Ajv2020['compile']> | undefined;

/** Reads and validates a JSON report; a report that cannot be read or is not preadmit's is a UsageError naming the file. */
export function readReport(file: string): ScanResult {
  let text: string;
  try {
    if (statSync(file).size > MAX_REPORT_BYTES) throw new UsageError(`report ${file} is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read the report ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`report ${file} is not JSON: ${(error as Error).message}`);
  }
  validator ??= new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  if (!validator(value)) {
    const problems = (validator.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new UsageError(`report ${file} is not a preadmit JSON report: ${problems.join('; ')}`);
  }
  return value as ScanResult;
}
