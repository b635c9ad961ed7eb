// `okta-nodes mock` as a child process on a free loopback port (the CLI build.mjs used).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

/** The CLI that build.mjs built: `target/<profile>/okta-nodes`. */
export function cliPath() {
  return readFileSync(new URL('../gen/okta-nodes-cli.txt', import.meta.url), 'utf8').trim();
}

/**
 * Starts the mock with the API token it accepts (`token`) and more CLI flags (`extra`, such
 * as `--fault`); resolves when it listens, with its `url`, its `token` and `stop()`. `cli`
 * is the okta-nodes binary (default: the one build.mjs built).
 */
export async function startMock({ token = '00mock-api-token', extra = [], cli = cliPath() } = {}) {
  const child = spawn(cli, ['mock', '--port', '0', '--quiet', '--token', token, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = '';
  const url = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`okta-nodes mock ended (${code}): ${seen}`)));
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening on (http:\/\/[0-9.:]+)/.exec(seen);
      if (match) resolve(match[1]);
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    token,
    async stop() {
      if (child.exitCode === null) {
        child.kill();
        await once(child, 'exit');
      }
    },
  };
}
