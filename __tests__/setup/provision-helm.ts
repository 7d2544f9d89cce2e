// vitest global setup: real helm 3 and helm 4 binaries for the suites that render charts.
import { provisionHelm } from '../../scripts/provision-helm.ts';

export default async function setup(): Promise<void> {
  const [v3, v4] = await Promise.all([provisionHelm('v3', console.error), provisionHelm('v4', console.error)]);
  process.env.PREADMIT_TEST_HELM3 = v3;
  process.env.PREADMIT_TEST_HELM4 = v4;
}
