// Runs a flow file through the component from Node, against `okta-nodes mock` started as a
// child process, and prints each step as `okta-nodes flow` does.
//
//   node run-flow.mjs [FLOW]             (default: ../flows/onboarding.json)
//   node run-flow.mjs FLOW --route URL   (a mock already running)

import { readFileSync } from 'node:fs';
import { startMock } from './lib/mock.mjs';
import { createOktaNodes } from './lib/okta-nodes.mjs';
import { formatStep, parseFlow, runFlow } from './lib/flow.mjs';

const args = process.argv.slice(2);
const routeAt = args.indexOf('--route');
const route = routeAt === -1 ? null : args.splice(routeAt, 2)[1];
const file = args[0] ?? new URL('../flows/onboarding.json', import.meta.url);

// A closed stdout (`| head`) ends the run quietly.
process.stdout.on('error', () => process.exit(0));

const flow = parseFlow(readFileSync(file, 'utf8'));
const mock = route ? null : await startMock();
const okta = await createOktaNodes({ route: route ?? mock.url });
const conn = {
  domain: 'dev-000000.okta.com',
  auth: { 'api-token': mock?.token ?? '00mock-api-token' },
};
let failed = false;
try {
  await runFlow(flow, {
    package: okta.package,
    call: (node, input) => okta.callNode(node, conn, input),
    report: (i, step, outcome) => {
      failed ||= 'err' in outcome;
      console.log(formatStep(i, step, outcome));
    },
  });
} catch (error) {
  if (!failed) console.error(`error: ${error.message}`);
  process.exitCode = failed ? 1 : 2;
} finally {
  await okta.close();
  await mock?.stop();
}
