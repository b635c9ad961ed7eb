// The catalog's schema as an engine in JavaScript takes it: Ajv's JSON Schema 2020-12
// validator in strict mode, with ajv-formats and no keyword of ours registered, compiles
// every definition with no error and no warning, and every node's example is valid input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { cliPath } from '../lib/mock.mjs';

const run = promisify(execFile);

test('Ajv 2020 strict compiles the schema, and every example is valid input', async () => {
  const schema = JSON.parse((await run(cliPath(), ['list', '--schema'], { maxBuffer: 16 << 20 })).stdout);
  const nodes = JSON.parse((await run(cliPath(), ['list', '--json'], { maxBuffer: 16 << 20 })).stdout);
  const warnings = [];
  const logger = { log() {}, warn: (...said) => warnings.push(said.join(' ')), error: (...said) => warnings.push(said.join(' ')) };
  const ajv = new Ajv2020({ strict: true, allErrors: true, logger });
  addFormats.default(ajv);
  ajv.addSchema(schema);
  const defs = Object.keys(schema.$defs);
  for (const def of defs) {
    assert.equal(typeof ajv.getSchema(`${schema.$id}#/$defs/${def}`), 'function', def);
  }
  assert.deepEqual(warnings, []);
  let examples = 0;
  for (const node of nodes) {
    if (!node['input-schema'] || !node.example) continue;
    const validate = ajv.getSchema(`${schema.$id}#/$defs/${node['input-schema']}`);
    const ok = validate(JSON.parse(node.example));
    assert.ok(ok, `${node.id}: ${JSON.stringify(validate.errors)}`);
    examples += 1;
  }
  assert.ok(examples > 50, `${examples} examples`);
});
