// JSON ↔ the values jco's bindings take and give, by the component's own types.
//
// The JSON is the one `call_json` and the catalog use: records keyed by WIT field name, an
// `option` null or absent when empty, an `enum` its case name, a `variant` "case" or
// {"case": payload}, flags an array of names, a `result` {"ok": ...} or {"error": ...}.
// jco's values: records keyed in lowerCamelCase, an empty option `undefined`, a variant
// {tag, val}, flags an object of booleans, u64 and s64 as bigint, list<u8> a Uint8Array.
//
// `shapes` is what `okta-nodes shapes` prints: a table of types, each either a primitive's
// name or {kind: ...} with type indexes.

/** `first-name` → `firstName`, as jco names record fields, flags and functions. */
export function camel(name) {
  return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** A wrong-shaped input, with the place it was found (`request.page.limit`). */
export class ShapeError extends Error {}

const INTS = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  s8: [-0x80, 0x7f],
  s16: [-0x8000, 0x7fff],
  s32: [-0x80000000, 0x7fffffff],
};
const BIGS = { u64: [0n, 2n ** 64n - 1n], s64: [-(2n ** 63n), 2n ** 63n - 1n] };

function kindOf(json) {
  if (json === null || json === undefined) return 'null';
  if (Array.isArray(json)) return 'an array';
  return { boolean: 'a boolean', number: 'a number', string: 'a string', object: 'an object' }[
    typeof json
  ] ?? typeof json;
}

function expected(at, what, got) {
  return new ShapeError(`${at} must be ${what}, not ${kindOf(got)}`);
}

function join(at, name) {
  return at ? `${at}.${name}` : name;
}

/**
 * Converts JSON to the jco value of type `index`; `at` names the place for errors. The
 * strings at `jsonPlaces` (a node's `json` in the shapes: `request.profile-extra`, `[]` for
 * a list index) hold JSON: an object or array there is taken as its text.
 */
export function toJs(types, index, json, at, jsonPlaces = []) {
  const ty = types[index];
  if (typeof ty === 'string') return primitiveToJs(ty, json, at, jsonPlaces);
  if ('list' in ty) {
    if (!Array.isArray(json)) throw expected(at, 'an array', json);
    const items = json.map((item, i) => toJs(types, ty.list, item, `${at}[${i}]`, jsonPlaces));
    return types[ty.list] === 'u8' ? Uint8Array.from(items) : items;
  }
  if ('option' in ty) {
    if (json === null || json === undefined) return undefined;
    const inner = toJs(types, ty.option, json, at, jsonPlaces);
    // An option inside an option needs jco's explicit form.
    return isOption(types, ty.option) ? { tag: 'some', val: inner } : inner;
  }
  if ('record' in ty) {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw expected(at, 'an object', json);
    }
    const names = ty.record.map(([name]) => name);
    const unknown = Object.keys(json).find((key) => !names.includes(key));
    if (unknown !== undefined) {
      throw new ShapeError(`${at} has no field \`${unknown}\`; its fields are: ${names.join(', ')}`);
    }
    const out = {};
    for (const [name, field] of ty.record) {
      const place = join(at, name);
      const value = json[name];
      if (value === undefined || value === null) {
        if (isOption(types, field)) continue;
        if (value === undefined) throw new ShapeError(`${place} is required`);
      }
      out[camel(name)] = toJs(types, field, value, place, jsonPlaces);
    }
    return out;
  }
  if ('tuple' in ty) {
    if (!Array.isArray(json)) throw expected(at, 'an array', json);
    if (json.length !== ty.tuple.length) {
      throw new ShapeError(`${at} must have ${ty.tuple.length} items`);
    }
    return ty.tuple.map((item, i) => toJs(types, item, json[i], `${at}[${i}]`, jsonPlaces));
  }
  if ('variant' in ty) {
    const [name, payload] = caseOf(json, at);
    const found = ty.variant.find(([n]) => n === name);
    if (!found) {
      throw new ShapeError(
        `${at}: \`${name}\` is not one of ${ty.variant.map(([n]) => n).join(', ')}`,
      );
    }
    const [, payloadType] = found;
    if (payloadType === null && payload === undefined) return { tag: name };
    if (payloadType === null) throw new ShapeError(`${at}: \`${name}\` takes no value`);
    if (payload === undefined) {
      throw new ShapeError(`${at}: \`${name}\` needs a value: {"${name}": ...}`);
    }
    return { tag: name, val: toJs(types, payloadType, payload, join(at, name), jsonPlaces) };
  }
  if ('enum' in ty) {
    if (typeof json !== 'string') throw expected(at, 'a string', json);
    if (!ty.enum.includes(json)) {
      throw new ShapeError(`${at}: \`${json}\` is not one of ${ty.enum.join(', ')}`);
    }
    return json;
  }
  if ('flags' in ty) {
    if (!Array.isArray(json)) throw expected(at, 'an array of names', json);
    const out = Object.fromEntries(ty.flags.map((name) => [camel(name), false]));
    for (const name of json) {
      if (typeof name !== 'string') throw expected(at, 'an array of names', json);
      if (!ty.flags.includes(name)) throw new ShapeError(`${at}: \`${name}\` is not a flag`);
      out[camel(name)] = true;
    }
    return out;
  }
  throw new ShapeError(`${at}: values of this type cannot come from JSON`);
}

/** Whether `at` (`request.items[3].body`) is one of `places` (`request.items[].body`). */
function holdsJson(places, at) {
  return places.length > 0 && places.includes(at.replace(/\[\d+\]/g, '[]'));
}

function primitiveToJs(ty, json, at, jsonPlaces) {
  switch (ty) {
    case 'bool':
      if (typeof json !== 'boolean') throw expected(at, 'true or false', json);
      return json;
    case 'string':
      if (typeof json === 'string') return json;
      if (holdsJson(jsonPlaces, at)) {
        if (json !== null && typeof json === 'object') return JSON.stringify(json);
        throw expected(at, 'JSON (an object, or its text)', json);
      }
      throw expected(at, 'a string', json);
    case 'char':
      if (typeof json !== 'string') throw expected(at, 'a character', json);
      if ([...json].length !== 1) throw expected(at, 'one character', json);
      return json;
    case 'f32':
    case 'f64':
      if (typeof json !== 'number') throw expected(at, 'a number', json);
      return json;
    default:
      break;
  }
  if (ty in INTS) {
    const [min, max] = INTS[ty];
    if (!Number.isInteger(json) || json < min || json > max) {
      throw expected(at, 'a whole number in range', json);
    }
    return json;
  }
  if (ty in BIGS) {
    const [min, max] = BIGS[ty];
    const whole =
      (typeof json === 'number' && Number.isSafeInteger(json)) ||
      (typeof json === 'string' && /^-?[0-9]+$/.test(json));
    const value = whole ? BigInt(json) : null;
    if (value === null || value < min || value > max) {
      throw expected(at, 'a whole number in range', json);
    }
    return value;
  }
  throw new ShapeError(`${at}: unknown type ${ty}`);
}

function caseOf(json, at) {
  if (typeof json === 'string') return [json, undefined];
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const keys = Object.keys(json);
    if (keys.length === 1) return [keys[0], json[keys[0]]];
  }
  throw expected(at, '"case" or {"case": value}', json);
}

function isOption(types, index) {
  const ty = types[index];
  return typeof ty === 'object' && 'option' in ty;
}

/**
 * Converts a jco value of type `index` back to JSON. A u64 or s64 is a number, as
 * `call_json` gives it, or a string where a number would lose digits (past 2^53).
 */
export function toJson(types, index, value) {
  const ty = types[index];
  if (typeof ty === 'string') {
    if (typeof value === 'bigint') {
      return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    }
    return value;
  }
  if ('list' in ty) return Array.from(value, (item) => toJson(types, ty.list, item));
  if ('option' in ty) {
    if (value === undefined || value === null) return null;
    if (isOption(types, ty.option)) {
      return value.tag === 'some' ? toJson(types, ty.option, value.val) : null;
    }
    return toJson(types, ty.option, value);
  }
  if ('record' in ty) {
    return Object.fromEntries(
      ty.record.map(([name, field]) => [name, toJson(types, field, value[camel(name)])]),
    );
  }
  if ('tuple' in ty) return ty.tuple.map((item, i) => toJson(types, item, value[i]));
  if ('variant' in ty) {
    const [, payload] = ty.variant.find(([n]) => n === value.tag);
    return payload === null ? value.tag : { [value.tag]: toJson(types, payload, value.val) };
  }
  if ('enum' in ty) return value;
  if ('flags' in ty) return ty.flags.filter((name) => value[camel(name)]);
  if ('result' in ty) {
    const [ok, err] = ty.result;
    return value.tag === 'ok'
      ? { ok: ok === null ? null : toJson(types, ok, value.val) }
      : { error: err === null ? null : toJson(types, err, value.val) };
  }
  return value;
}
