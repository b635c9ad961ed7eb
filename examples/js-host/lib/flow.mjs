// Flows, as `okta-nodes flow` runs them (host-test/src/flow.rs): steps call nodes in
// order; a step's input uses `${vars.name}` and earlier outputs (`${step.path}`); a step
// may run once per item of an earlier list (`for-each`, `where`, `${item...}`). A value
// is substituted as a value, never as text that could add a field.

/** Whether a component of package `have` runs a flow written for `wanted`. */
export function compatible(wanted, have) {
  const parse = (text) => {
    const match = /^([^@]+)@([0-9]+)\.([0-9]+)\.([0-9]+)$/.exec(String(text).trim());
    return match && { name: match[1], version: match.slice(2).map(Number) };
  };
  const [want, has] = [parse(wanted), parse(have)];
  if (!want || !has || want.name !== has.name) return false;
  const line = want.version[0] === 0 ? 2 : 1;
  for (let i = 0; i < line; i++) if (want.version[i] !== has.version[i]) return false;
  for (let i = 0; i < 3; i++) {
    if (has.version[i] !== want.version[i]) return has.version[i] > want.version[i];
  }
  return true;
}

/** Reads a flow file's JSON: the package named, step ids unique and not reserved. */
export function parseFlow(text) {
  const flow = JSON.parse(text);
  if (typeof flow.package !== 'string') throw new Error('the flow names no `package`');
  const seen = new Set();
  for (const step of flow.steps) {
    if (step.id === 'vars' || step.id === 'item') {
      throw new Error(`\`${step.id}\` is a reserved name; give the step another id`);
    }
    if (seen.has(step.id)) throw new Error(`two steps are called \`${step.id}\``);
    seen.add(step.id);
  }
  return { vars: {}, description: '', ...flow };
}

/** The value at `path` (`step.items.0.id`); a string on the way is read as JSON. */
export function lookup(outputs, path) {
  const parts = path.split('.');
  if (!Object.hasOwn(outputs, parts[0])) return undefined;
  let value = outputs[parts[0]];
  for (const key of parts.slice(1)) {
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        return undefined;
      }
    }
    if (Array.isArray(value)) {
      if (!/^[0-9]+$/.test(key) || Number(key) >= value.length) return undefined;
      value = value[Number(key)];
    } else if (value !== null && typeof value === 'object') {
      if (!Object.hasOwn(value, key)) return undefined;
      value = value[key];
    } else {
      return undefined;
    }
  }
  return value;
}

function found(outputs, path) {
  const value = lookup(outputs, path);
  if (value === undefined) throw new Error(`\`\${${path}}\` names nothing an earlier step returned`);
  return value;
}

/** The fields whose strings are Okta expressions (`profile.login eq "ada"`). */
const EXPRESSION_FIELDS = new Set(['search', 'filter']);

/** A value's text inside a string literal of Okta's expression language. */
export function expressionText(value) {
  return value.replace(/["\\]/g, (c) => `\\${c}`);
}

/** Whether `text` leaves what follows it inside a string literal. */
function insideLiteral(text) {
  let inside = false;
  let escaped = false;
  for (const c of text) {
    if (c === '\\' && inside && !escaped) escaped = true;
    else if (c === '"' && !escaped) inside = !inside;
    else escaped = false;
  }
  return inside;
}

/**
 * Replaces every `${path}` in `value` with what it names, as the Rust host's flow runner
 * does: in a `search` or `filter` expression a reference inside a string literal is
 * escaped, and outside one only a number or a boolean may stand.
 */
export function substitute(value, outputs, expression = false) {
  if (Array.isArray(value)) return value.map((item) => substitute(item, outputs));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, outputs, EXPRESSION_FIELDS.has(k))]),
    );
  }
  if (typeof value !== 'string') return value;
  const whole = /^\$\{([^}]*)\}$/.exec(value);
  if (whole && !whole[1].includes('${')) return found(outputs, whole[1]);
  if (!value.includes('${')) return value;
  try {
    const document = JSON.parse(value);
    if (document !== null && typeof document === 'object') {
      return JSON.stringify(substitute(document, outputs));
    }
  } catch {
    // Not a JSON document: text with references in it.
  }
  let out = '';
  let rest = value;
  for (let start = rest.indexOf('${'); start !== -1; start = rest.indexOf('${')) {
    out += rest.slice(0, start);
    const end = rest.indexOf('}', start);
    if (end === -1) throw new Error(`unclosed \`\${\` in ${JSON.stringify(value)}`);
    const path = rest.slice(start + 2, end);
    const hit = found(outputs, path);
    const literal = expression && insideLiteral(out);
    if (typeof hit === 'string' && literal) out += expressionText(hit);
    else if (expression && (typeof hit === 'number' || typeof hit === 'boolean')) out += JSON.stringify(hit);
    else if (expression && !literal) {
      throw new Error(
        `\`\${${path}}\` stands outside a string literal in an expression: only a number or true/false may; put it in quotes`,
      );
    } else out += typeof hit === 'string' ? hit : JSON.stringify(hit);
    rest = rest.slice(end + 1);
  }
  return out + rest;
}

/** The most steps a flow may have, and node calls a run makes (the Rust host's bounds). */
export const MAX_STEPS = 200;
export const MAX_CALLS = 10_000;

/**
 * Runs a flow: `call(node, input)` returns `{ok}` or `{err}`, `report(i, step, outcome)`
 * hears each call. Returns every step's output; a step's error ends the flow (thrown).
 */
export async function runFlow(flow, { package: have, call, report = () => {} }) {
  if (!compatible(flow.package, have)) {
    throw new Error(
      `the flow \`${flow.name}\` was written for ${flow.package}, and this component is ${have}`,
    );
  }
  if (flow.steps.length > MAX_STEPS) {
    throw new Error(`the flow has ${flow.steps.length} steps; a flow has at most ${MAX_STEPS}`);
  }
  const outputs = { vars: { ...flow.vars } };
  let calls = 0;
  for (const [i, step] of flow.steps.entries()) {
    let items = null;
    if (step['for-each'] !== undefined) {
      const list = substitute(step['for-each'], outputs);
      if (!Array.isArray(list)) throw new Error(`step \`${step.id}\`: for-each is not a list`);
      const wanted = Object.entries(step.where ?? {});
      items = list.filter((item) =>
        wanted.every(([k, v]) => JSON.stringify(item?.[k]) === JSON.stringify(v)),
      );
    }
    const count = items?.length ?? 1;
    calls += count;
    if (calls > MAX_CALLS) {
      throw new Error(
        `step \`${step.id}\` (${step.node}): it would make ${count} calls, and a run of a flow makes at most ${MAX_CALLS}; narrow the list (a \`where\`, a search) or split the flow`,
      );
    }
    const results = [];
    for (const item of items ?? [null]) {
      if (items !== null) outputs.item = item;
      const input = substitute(step.input ?? null, outputs);
      const outcome = await call(step.node, input);
      report(i, step, outcome);
      if ('err' in outcome) {
        throw new Error(`step \`${step.id}\` (${step.node}) failed: ${JSON.stringify(outcome.err)}`);
      }
      results.push(outcome.ok);
    }
    delete outputs.item;
    outputs[step.id] = items !== null ? results : (results.pop() ?? null);
  }
  return outputs;
}

/** A step as `okta-nodes flow` prints it: its title, node and the `show` fields. */
export function formatStep(i, step, outcome) {
  const title = step.title || step.node;
  const number = String(i + 1).padStart(2);
  if ('err' in outcome) {
    return `${number}. ${title}\n    ${step.node}  FAILED\n${JSON.stringify(outcome.err, null, 2)}`;
  }
  const text = (value) => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `${value.length} items`;
    return JSON.stringify(value);
  };
  const wrapped = { out: outcome.ok };
  const shown = [];
  for (const path of step.show ?? []) {
    const at = path.indexOf('[]');
    if (at !== -1) {
      const [list, field] = [path.slice(0, at), path.slice(at + 2)];
      const items = lookup(wrapped, `out.${list}`.replace(/\.$/, ''));
      if (!Array.isArray(items)) continue;
      const fields = items
        .map((item) => lookup({ it: item }, `it${field}`))
        .filter((value) => value !== undefined)
        .map(text);
      shown.push(`${path}=[${fields.join(', ')}]`);
    } else {
      const value = lookup(wrapped, `out.${path}`);
      if (value !== undefined) shown.push(`${path}=${text(value)}`);
    }
  }
  return `${number}. ${title}\n    ${step.node}  ok  ${shown.join('  ')}`;
}
