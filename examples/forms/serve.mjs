// The gallery's server: the page, the catalog, and `POST /call`, which runs a node through
// the okta-nodes CLI (`okta-nodes call`) against an org, a freshly seeded mock by default.
//
//   node serve.mjs [--port 8099] [--route http://127.0.0.1:8080 --token ... --domain ...]
//
// Without --route it starts `okta-nodes mock` itself. The token goes to the CLI through its
// environment (OKTA_API_TOKEN), never on a command line.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMock } from '../js-host/lib/mock.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The CLI build.mjs built. */
export function cliPath() {
  return readFileSync(join(here, 'gen', 'okta-nodes-cli.txt'), 'utf8').trim();
}

/** The largest request body `/call` takes. */
const MAX_BODY = 1 << 20;

/** Runs one node through the CLI: `{ok}` with its output, or `{err}` with its error. */
function callNode(org, node, input) {
  const args = ['call', node, '--input', JSON.stringify(input ?? {}), '--domain', org.domain];
  if (org.route) args.push('--route-to', org.route);
  const env = { ...process.env, OKTA_API_TOKEN: org.token };
  return new Promise((resolve) => {
    execFile(cliPath(), args, { env, timeout: 150_000, maxBuffer: 64 << 20 }, (error, stdout) => {
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        resolve({ fail: `okta-nodes call ended without JSON (${error?.code ?? 'no code'})` });
        return;
      }
      resolve(error ? { err: json } : { ok: json });
    });
  });
}

const files = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['gen/app.js', 'text/javascript; charset=utf-8'],
  '/catalog.json': ['gen/catalog.json', 'application/json'],
};

/**
 * Serves the gallery on 127.0.0.1 for `org` (`{domain, token, route}`); resolves with its
 * `url` and `close()`.
 */
export async function startGallery({ port = 0, org }) {
  const server = createServer(async (req, res) => {
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = new URL(req.url, 'http://gallery').pathname;
    if (req.method === 'GET' && files[path]) {
      const [file, type] = files[path];
      send(200, type, readFileSync(join(here, file)));
    } else if (req.method === 'POST' && path === '/call') {
      let body = '';
      for await (const chunk of req) {
        body += chunk;
        if (body.length > MAX_BODY) return send(413, 'text/plain', 'too large');
      }
      let call;
      try {
        call = JSON.parse(body);
      } catch {
        return send(400, 'text/plain', 'not JSON');
      }
      const answer = await callNode(org, String(call.node), call.input);
      send(200, 'application/json', JSON.stringify(answer));
    } else {
      send(404, 'text/plain', 'not found');
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        // A browser keeps its connections open; they end with the server.
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8099' },
      route: { type: 'string' },
      token: { type: 'string' },
      domain: { type: 'string', default: 'dev-000000.okta.com' },
    },
  });
  let org = { domain: values.domain, token: values.token ?? process.env.OKTA_API_TOKEN, route: values.route };
  if (!values.route && !org.token) {
    const mock = await startMock({ cli: cliPath() });
    org = { ...org, token: mock.token, route: mock.url };
    console.log(`mock Okta (seeded) on ${mock.url}`);
  }
  const gallery = await startGallery({ port: Number(values.port), org });
  console.log(`forms on ${gallery.url}`);
}
