// Builds what the JS host loads, into gen/:
// - the component and the okta-nodes CLI, with cargo (the workspace two folders up);
// - okta.js and its core modules: the component transpiled by jco (instantiation mode,
//   so the worker passes its own imports, the guarded outgoing handler among them);
// - types/: TypeScript declarations generated from wit/, so they carry the WIT docs (the
//   .wasm carries none: docs would cost bytes of the 1 MiB budget);
// - shapes.json: every node's parameter and result types (`okta-nodes list --shapes`).
//
// `OKTA_NODES_PROFILE=release` builds the CLI in release; the default is the debug build
// that `cargo test --workspace` has already made.

import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHostTypes, transpile } from '@bytecodealliance/jco-transpile';
import { filesystem } from '@bytecodealliance/preview2-shim';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const gen = join(here, 'gen');
const profile = process.env.OKTA_NODES_PROFILE === 'release' ? 'release' : 'debug';

/** Writes jco's files (a path → bytes map) under gen/. */
async function write(files) {
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
}

const cargo = ['build', '-p', 'okta-nodes', ...(profile === 'release' ? ['--release'] : [])];
execFileSync('cargo', cargo, { cwd: root, stdio: 'inherit' });
const cli = join(root, 'target', profile, 'okta-nodes');
const wasm = join(root, 'target', 'component', 'okta_management.wasm');

await rm(gen, { recursive: true, force: true });
await mkdir(gen, { recursive: true });

const { files } = await transpile(wasm, {
  name: 'okta',
  instantiation: 'async',
  outDir: `${gen}/`,
  emitTypescriptDeclarations: true,
});
await write(files);

// The instantiation-mode declarations key the imports by versioned names
// (`wasi:http/types@0.2.12`); the module reads them unversioned, as the worker passes them.
const declarations = join(gen, 'okta.d.ts');
const text = await readFile(declarations, 'utf8');
await writeFile(declarations, text.replace(/'(wasi:[a-z-]+\/[a-z-]+)@[0-9.]+'/g, "'$1'"));

// jco reads wit/ through the WASI shim, which sees only the folders opened for it.
filesystem._setPreopens({ [join(root, 'wit')]: join(root, 'wit') });
await write(await generateHostTypes(join(root, 'wit'), { name: 'okta', outDir: `${gen}/types/` }));

const shapes = execFileSync(cli, ['list', '--shapes'], { encoding: 'utf8', maxBuffer: 64 << 20 });
await writeFile(join(gen, 'shapes.json'), shapes);
await writeFile(join(gen, 'okta-nodes-cli.txt'), cli);

console.log(`gen/: okta.js from ${wasm}, types/ from wit/, shapes.json from ${cli}`);
