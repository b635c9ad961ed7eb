// Every node's input form, rendered from the catalog alone with a standard JSON Schema form
// library (react-jsonschema-form, validated by Ajv 2020), and run through the server's
// `/call`. What the schema cannot say comes from each node's record, generically: a field
// the engine keeps is hidden, a field a picklist fills offers that picklist's choices.

import { useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import Form from '@rjsf/core';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020.js';

const catalog = await (await fetch('/catalog.json')).json();
const validator = customizeValidator({ AjvClass: Ajv2020 });
const defs = catalog.schema.$defs;

/** Runs a node: `{ok}`, `{err}` (the node's typed error) or `{fail}`. */
async function call(node, input) {
  const answer = await fetch('/call', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ node, input }),
  });
  return answer.json();
}

/** The defs a def reaches through `$ref`s, itself included: a form's schema carries only
 * these, so the validator compiles what the node uses, not the whole catalog. */
function reached(name, out = {}) {
  if (name in out || !defs[name]) return out;
  out[name] = defs[name];
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (typeof node.$ref === 'string') reached(node.$ref.replace('#/$defs/', ''), out);
      Object.values(node).forEach(walk);
    }
  };
  walk(defs[name]);
  return out;
}

/** The schema of a def's property along `steps`, through refs and nullable choices. */
function propertyAt(schema, steps) {
  let at = schema;
  for (const step of steps) {
    at = resolve(at);
    at = at?.properties?.[step];
  }
  return resolve(at);
}

function resolve(schema) {
  let at = schema;
  while (at?.$ref) at = defs[at.$ref.replace('#/$defs/', '')];
  const options = at?.anyOf?.filter((c) => c.type !== 'null');
  return options?.length === 1 ? resolve(options[0]) : at;
}

/** The form's uiSchema, from the node's field notes alone. */
function uiSchemaOf(node) {
  const ui = { 'ui:submitButtonOptions': { submitText: `Run ${node.label}` } };
  const input = defs[node['input-schema']];
  for (const note of node.fields) {
    const steps = note.pointer.split('/').slice(1);
    let at = ui;
    for (const step of steps.slice(0, -1)) at = at[step] ??= {};
    const last = steps.at(-1);
    if (note['engine-kept']) {
      at[last] = { 'ui:widget': 'hidden' };
    } else if (note.picklist) {
      const widget = { 'ui:widget': 'picklist', 'ui:options': { picklist: note.picklist } };
      const type = propertyAt(input, steps)?.type;
      const list = type === 'array' || (Array.isArray(type) && type.includes('array'));
      at[last] = list ? { items: widget } : widget;
    }
  }
  return ui;
}

/** A text input whose suggestions are a picklist node's choices (value: the id). */
function PicklistWidget({ id, value, required, disabled, readonly, onChange, options, registry }) {
  const [choices, setChoices] = useState([]);
  const picklist = catalog.nodes.find((n) => n.id === options.picklist);
  const load = async () => {
    // A picklist that needs a field of the form (a user's factors need the user) takes it.
    const wanted = defs[picklist['input-schema']]?.required ?? [];
    const formData = registry.formContext?.formData ?? {};
    const input = Object.fromEntries(wanted.map((field) => [field, formData[field]]));
    const answer = await call(picklist.id, input);
    if (answer.ok) setChoices(answer.ok.choices);
  };
  return (
    <>
      <input
        id={id}
        type="text"
        list={`${id}-choices`}
        value={value ?? ''}
        required={required}
        disabled={disabled || readonly}
        onFocus={load}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
      />
      <datalist id={`${id}-choices`}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </datalist>
      <div className="picked">choices from {picklist.label.toLowerCase()}</div>
    </>
  );
}

function NodeForm({ node }) {
  const example = node.example ? JSON.parse(node.example) : {};
  const [formData, setFormData] = useState(example);
  const [answer, setAnswer] = useState(null);
  const schema = useMemo(
    () =>
      node['input-schema'] && {
        $schema: catalog.schema.$schema,
        $defs: reached(node['input-schema']),
        $ref: `#/$defs/${node['input-schema']}`,
      },
    [node],
  );
  const uiSchema = useMemo(() => uiSchemaOf(node), [node]);
  const run = async (input) => setAnswer(await call(node.id, input));
  return (
    <>
      <h1>{node.label}</h1>
      <p>{node.description}</p>
      <p className="node-meta">
        <code>{node.id}</code> · {node.kind} · version {node.version}
        {node.destructive && <span className="destructive"> · destructive</span>}
        {node.scopes.length > 0 && <> · scopes {node.scopes.join(', ')}</>}
      </p>
      {schema ? (
        <Form
          schema={schema}
          uiSchema={uiSchema}
          formData={formData}
          formContext={{ formData }}
          validator={validator}
          widgets={{ picklist: PicklistWidget }}
          noHtml5Validate
          onChange={(e) => setFormData(e.formData)}
          onSubmit={(e) => run(e.formData)}
        />
      ) : (
        <button type="submit" onClick={() => run({})}>
          Run {node.label}
        </button>
      )}
      {answer && (
        <pre id="output" data-outcome={answer.ok !== undefined ? 'ok' : 'err'}>
          {JSON.stringify(answer.ok ?? answer.err ?? answer.fail, null, 2)}
        </pre>
      )}
    </>
  );
}

function Nodes({ current }) {
  const categories = [...new Set(catalog.nodes.map((n) => n.category))];
  return categories.map((category) => (
    <section key={category}>
      <h2>{category}</h2>
      {catalog.nodes
        .filter((n) => n.category === category)
        .map((n) => (
          <a key={n.id} href={`?node=${n.id}`} aria-current={n.id === current ? 'page' : undefined}>
            {n.label}
          </a>
        ))}
    </section>
  ));
}

const wanted = new URLSearchParams(location.search).get('node');
const node = catalog.nodes.find((n) => n.id === wanted) ?? catalog.nodes[0];
createRoot(document.getElementById('nodes')).render(<Nodes current={node.id} />);
createRoot(document.getElementById('form')).render(<NodeForm node={node} />);
