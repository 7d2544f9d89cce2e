// vitest global setup: GitHub's REST OpenAPI description for the Action's runner-style tests
// (.cache/openapi/api.github.com.json, one file out of the pinned @octokit/openapi package).
// The Action suites also provision it lazily, so registering this only moves the download up front.
import { provisionOpenapi } from '../../scripts/provision-openapi.ts';

export default async function setup(): Promise<void> {
  process.env.PREADMIT_TEST_OPENAPI = await provisionOpenapi(console.error);
}
