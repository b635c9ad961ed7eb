// Builds the gallery into gen/:
// - the okta-nodes CLI, with cargo (the workspace two folders up; debug, as `cargo test
//   --workspace` has already made it, or `OKTA_NODES_PROFILE=release`);
// - catalog.json: `okta-nodes list --json` and `list --schema`, the only input the forms have;
// - app.js: src/app.jsx with React, RJSF and Ajv 2020, bundled by esbuild.

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const gen = join(here, 'gen');
const profile = process.env.OKTA_NODES_PROFILE === 'release' ? 'release' : 'debug';

const cargo = ['build', '-p', 'okta-nodes', ...(profile === 'release' ? ['--release'] : [])];
execFileSync('cargo', cargo, { cwd: root, stdio: 'inherit' });
const cli = join(root, 'target', profile, 'okta-nodes');

await mkdir(gen, { recursive: true });
const list = (flag) => JSON.parse(execFileSync(cli, ['list', flag], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const catalog = { nodes: list('--json'), schema: list('--schema') };
await writeFile(join(gen, 'catalog.json'), JSON.stringify(catalog));
await writeFile(join(gen, 'okta-nodes-cli.txt'), cli);
await build({
  entryPoints: [join(here, 'src', 'app.jsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  outfile: join(gen, 'app.js'),
  logLevel: 'warning',
});
console.log(`gen/: catalog.json and app.js, calls through ${cli}`);
