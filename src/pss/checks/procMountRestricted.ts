import type { CheckDefinition, CheckFn } from '../types.ts';
import { procMount_1_0 } from './procMount.ts';

/** v1.35: restricted keeps the strict v1.0 rule, without the user-namespace relaxation. */
export const procMountRestricted_1_35: CheckFn = procMount_1_0;

export const procMountRestricted: CheckDefinition = {
  id: 'procMount_restricted',
  level: 'restricted',
  title: '/proc mount type (strict)',
  versions: [{ minVersion: 35, overrides: ['procMount'], evaluate: procMountRestricted_1_35 }],
};
