// The Kubernetes CEL libraries that cel-js does not ship, registered as extensions of its Environment.
import type { Environment } from '@marcbachmann/cel-js';
import { registerAuthz } from './authz.ts';
import { registerIP } from './ip.ts';
import { registerQuantity } from './quantity.ts';
import { registerSemver } from './semver.ts';
import { registerLists } from './lists.ts';
import { registerSets } from './sets.ts';
import { registerFormat } from './format.ts';
import { registerOptionals } from './optionals.ts';
import { registerURL } from './url.ts';
import { registerComprehensions } from './comprehensions.ts';
import { registerStrings } from './strings.ts';
import { registerTimestamps } from './timestamps.ts';

export function registerKubernetesLibraries(env: Environment): void {
  registerAuthz(env);
  registerIP(env);
  registerQuantity(env);
  registerSemver(env);
  registerLists(env);
  registerSets(env);
  registerFormat(env);
  registerOptionals(env);
  registerURL(env);
  registerComprehensions(env);
  registerStrings(env);
  registerTimestamps(env);
}
