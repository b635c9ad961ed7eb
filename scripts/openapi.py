"""Okta's Management OpenAPI spec read as JSON Schema 2020-12: what `scripts/mock-spec` and
`scripts/operations` both make of it.

`Schemas.convert` turns an OpenAPI 3.0 schema into JSON Schema 2020-12 over the spec's
`components.schemas` it reaches (`$defs`): `nullable` becomes a `null` type, a
discriminator becomes one `if`/`then` per mapped value (the base split out as
`<name>~base` or `<name>.base`, so validation does not go round), and descriptions, examples and the
spec's own `x-` keywords are left out. A member a schema does not require may be null:
Okta sends an unset optional member as null, and the SDKs generated from the spec read
optional members as nullable.
"""
import yaml

DEFAULT_SPEC = "../shared/okta-reference/management-openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")
DROP = {"description", "example", "examples", "externalDocs", "title", "deprecated", "xml"}


def load(path=DEFAULT_SPEC):
    """The spec, parsed."""
    with open(path) as text:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def target(ref):
    """The component a `$ref` names: (kind, name)."""
    parts = ref.split("/")
    return parts[2], parts[3]


class Schemas:
    """The spec's component schemas, converted as they are reached.

    `titled`: every property and every `oneOf`/`anyOf` case gets a `title` (the spec's, or
    its name in words), as a form needs. `formats`: the `format` values kept (all when
    None); a format outside them is left out. `prefix`: what each `$defs` key starts with.
    """

    def __init__(self, spec, titled=False, formats=None, prefix="", base="~base"):
        self.spec = spec
        self.prefix = prefix
        self.base = base
        self.components = spec["components"]
        self.schemas = self.components["schemas"]
        self.titled = titled
        self.formats = formats
        self.reached = set()
        # A discriminator's mapped schemas extend the base with `allOf`; they refer to the
        # base without its dispatch, or validation would go round.
        self.mapped_from = {}
        for name, schema in self.schemas.items():
            for ref in schema.get("discriminator", {}).get("mapping", {}).values():
                self.mapped_from.setdefault(target(ref)[1], set()).add(name)

    def resolve(self, node):
        """A response, parameter or media object, through `$ref`s to `components`."""
        while isinstance(node, dict) and "$ref" in node:
            kind, name = target(node["$ref"])
            node = self.components[kind][name]
        return node

    def convert(self, node, owner=None, extends=False):
        """One OpenAPI 3.0 schema as JSON Schema 2020-12; `owner` is the component it is in,
        `extends` whether the node is a member of an `allOf` (a schema extending another
        takes a discriminated base's own members, not its dispatch)."""
        if isinstance(node, list):
            return [self.convert(item, owner, extends) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = target(node["$ref"])[1]
            dispatches = self.schemas.get(name, {}).get("discriminator", {}).get("mapping")
            if name in self.mapped_from.get(owner, ()) or (extends and dispatches):
                name += self.base
            self.reached.add(name.removesuffix(self.base))
            return {"$ref": f"#/$defs/{self.prefix}{name}"}
        choice = node.get("discriminator", {})
        if ("oneOf" in node or "anyOf" in node) and choice.get("mapping"):
            # A choice by a member: the mapped schema for its value, not "exactly one".
            return self.cases(choice)
        out = {}
        for key, value in node.items():
            if key in DROP or key.startswith("x-") or key in ("nullable", "discriminator"):
                continue
            if key == "format" and self.formats is not None and value not in self.formats:
                continue
            if key == "properties":
                required = set(node.get("required", []))
                out[key] = {
                    k: self.member(k, v, owner, k in required) for k, v in value.items()
                }
            elif key in ("patternProperties", "$defs"):
                out[key] = {k: self.convert(v, owner) for k, v in value.items()}
            elif key in ("oneOf", "anyOf") and self.titled:
                # What a form offers: any case that fits (the spec's cases overlap, and Okta
                # takes a body that fits more than one).
                out["anyOf"] = [self.titled_case(case, owner) for case in value]
            elif key == "pattern" and self.titled and not fits(node.get("example"), value):
                # The spec's own example wins over a pattern that refuses it: Okta takes
                # its examples.
                continue
            elif key == "allOf":
                out[key] = self.convert(value, owner, extends=True)
            else:
                out[key] = self.convert(value, owner)
        return or_null(out) if node.get("nullable") else out

    def member(self, name, schema, owner, required):
        """A property's schema: nullable unless required, titled when asked; titled, a
        secret (one the spec marks `writeOnly`, or named as one) is `format: password` and
        `writeOnly`, so a form masks it."""
        converted = self.convert(schema, owner)
        if self.titled and secret(name, converted):
            converted = dict(converted, format="password", writeOnly=True)
        if not required:
            converted = or_null(converted)
        if self.titled:
            title = isinstance(schema, dict) and schema.get("title") or words(name)
            converted = dict(converted, title=title)
        return converted

    def titled_case(self, case, owner):
        """A `oneOf`/`anyOf` case with a title: its schema's name, or its type, in words."""
        converted = self.convert(case, owner)
        if "$ref" in case:
            title = words(target(case["$ref"])[1])
        else:
            title = case.get("title") or words(str(case.get("type", "value")))
        return dict(converted, title=title)

    def cases(self, discriminator):
        """The mapped schema by the discriminating member's value: one `if`/`then` each."""
        member = discriminator["propertyName"]
        mapping = discriminator["mapping"]
        for ref in mapping.values():
            self.reached.add(target(ref)[1])
        return {
            "type": "object",
            "required": [member],
            "properties": {member: {"enum": list(mapping)}},
            "allOf": [
                {
                    "if": {"properties": {member: {"const": value}}},
                    "then": {"$ref": f"#/$defs/{self.prefix}{target(ref)[1]}"},
                }
                for value, ref in mapping.items()
            ],
        }

    def dispatch(self, name, schema):
        """A discriminated schema: its own members, then the mapped schema by the member."""
        case = self.cases(schema["discriminator"])
        return {"allOf": [{"$ref": f"#/$defs/{self.prefix}{name}{self.base}"}] + case["allOf"]}

    def defs(self):
        """Every component schema reached so far (and what they reach), converted; titled
        throughout when the schemas are."""
        defs = {}
        done = set()
        while self.reached - done:
            name = sorted(self.reached - done)[0]
            done.add(name)
            schema = self.schemas[name]
            if "discriminator" in schema and schema["discriminator"].get("mapping"):
                defs[self.prefix + name + self.base] = self.convert(schema, name)
                defs[self.prefix + name] = self.dispatch(name, schema)
            else:
                defs[self.prefix + name] = self.convert(schema, name)
        if self.titled:
            for name, schema in defs.items():
                entitle(schema, words(name.removeprefix(self.prefix).removesuffix(self.base)))
                typed(schema)
        return dict(sorted(defs.items()))


def entitle(node, title):
    """Gives a schema, each of its properties and each `anyOf`/`oneOf` case a title where
    it has none (a case that is a `$ref` is titled by its definition): what a form shows."""
    if not isinstance(node, dict):
        return node
    if "title" not in node:
        node["title"] = title
    for name, member in node.get("properties", {}).items():
        entitle(member, words(name))
    for key in ("anyOf", "oneOf"):
        for case in node.get(key, []):
            if isinstance(case, dict) and "$ref" not in case:
                entitle(case, "None" if case.get("type") == "null" else node["title"])
    if isinstance(node.get("items"), dict) and "$ref" not in node["items"]:
        entitle(node["items"], node["title"])
    for case in node.get("allOf", []):
        if isinstance(case, dict):
            for name, member in case.get("properties", {}).items():
                entitle(member, words(name))
    return node


# The type each keyword applies to, for a schema that leaves its type out.
IMPLIED = {
    "properties": "object", "required": "object", "additionalProperties": "object",
    "patternProperties": "object", "minProperties": "object", "maxProperties": "object",
    "items": "array", "uniqueItems": "array", "minItems": "array", "maxItems": "array",
    "minimum": "number", "maximum": "number", "exclusiveMinimum": "number",
    "exclusiveMaximum": "number", "multipleOf": "number",
    "minLength": "string", "maxLength": "string", "pattern": "string", "format": "string",
}


# Keywords whose value maps names to schemas, and keywords whose value is data.
MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
VALUES = ("enum", "const", "default", "examples", "required", "title", "description")


def typed(node):
    """States what a schema's keywords imply and the spec leaves out, as a strict validator
    (Ajv's strict mode) asks: the type of a schema whose keywords apply to one type only,
    and a property for each required member (one an `allOf` sibling defines). A pattern a
    JavaScript validator cannot compile (an inline flag, `(?i)`) is left out."""
    if isinstance(node, list):
        for item in node:
            typed(item)
        return node
    if not isinstance(node, dict):
        return node
    for key, value in node.items():
        if key not in MAPS and key not in VALUES:
            typed(value)
    for key in MAPS:
        if isinstance(node.get(key), dict):
            for value in node[key].values():
                typed(value)
    if "$ref" in node:
        return node
    if isinstance(node.get("pattern"), str) and "(?" in node["pattern"].replace("(?:", ""):
        del node["pattern"]
    if "default" in node and not default_fits(node):
        # The spec's `created` defaults to "Assigned": a default its own schema refuses
        # would put a wrong value in a form.
        del node["default"]
    declared = node.get("type")
    declared = set(declared) if isinstance(declared, list) else {declared} if declared else None
    if declared is not None:
        # A keyword of another type than the one declared (the spec's `maximum` on a string)
        # says nothing the validator could check: it is left out.
        fits_type = lambda kind: kind in declared or (kind == "number" and "integer" in declared)
        for key in [k for k in node if k in IMPLIED and not fits_type(IMPLIED[k])]:
            del node[key]
    kinds = {IMPLIED[key] for key in node if key in IMPLIED}
    if declared is None and len(kinds) == 1:
        node["type"] = kinds.pop()
    own = node.get("type")
    if own is not None and "null" not in (own if isinstance(own, list) else [own]):
        # Its cases are of its type: a case's own `null` would contradict it.
        for key in ("anyOf", "oneOf"):
            for case in node.get(key, []):
                if isinstance(case, dict) and isinstance(case.get("type"), list):
                    case["type"] = [t for t in case["type"] if t != "null"] or case["type"]
                    if len(case["type"]) == 1:
                        case["type"] = case["type"][0]
    if isinstance(node.get("required"), list):
        members = node.setdefault("properties", {})
        for name in node["required"]:
            if name not in members:
                members[name] = {"title": words(name)}
    return node


def default_fits(node):
    """Whether a schema's default is a value of its own type, enum and date-time format."""
    import re

    value = node["default"]
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
    python = {"string": str, "boolean": bool, "integer": int, "number": (int, float),
              "object": dict, "array": list, "null": type(None)}
    if kinds and not any(isinstance(value, python[k]) and not (k in ("integer", "number") and
                                                              isinstance(value, bool))
                         for k in kinds if k in python):
        return False
    if "enum" in node and value not in node["enum"]:
        return False
    if node.get("format") == "date-time" and isinstance(value, str):
        return re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value) is not None
    return True


def fits(example, pattern):
    """Whether an example (when it is text) matches a pattern."""
    import re

    try:
        return not isinstance(example, str) or re.search(pattern, example) is not None
    except re.error:
        return True


# Members that hold a secret wherever the spec has them.
SECRET_NAMES = {
    "password", "client_secret", "clientSecret", "secret", "sharedSecret", "privateKey",
    "private_key", "passCode", "answer", "apiToken", "token", "securityAnswer",
    "refresh_token", "access_token", "authorization",
}


def secret(name, schema):
    """Whether a property holds a secret: a string the spec marks `writeOnly` or that has
    a secret's name."""
    if schema.get("type") not in ("string", ["string", "null"]):
        return False
    return schema.get("writeOnly") is True or name in SECRET_NAMES


def or_null(schema):
    """The schema, or null."""
    if isinstance(schema.get("type"), str):
        schema = dict(schema, type=[schema["type"], "null"])
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = schema["enum"] + [None]
        return schema
    if isinstance(schema.get("type"), list):
        return schema if "null" in schema["type"] else dict(schema, type=schema["type"] + ["null"])
    return {"anyOf": [schema, {"type": "null"}]}


def words(name):
    """A camelCase or snake_case name in words: `groupId` → `Group id`."""
    out = []
    for i, c in enumerate(name.replace("_", " ").replace("-", " ")):
        if c.isupper() and i > 0 and not name[i - 1].isupper() and name[i - 1] != " ":
            out.append(" ")
        out.append(c.lower() if i > 0 and c.isupper() and not _acronym(name, i) else c)
    text = "".join(out).strip()
    return text[:1].upper() + text[1:] if text else name


def _acronym(name, i):
    """Whether the capital at `i` belongs to a run of capitals (`URL`, `SAML`)."""
    prev = i > 0 and name[i - 1].isupper()
    nxt = i + 1 < len(name) and name[i + 1].isupper()
    return prev or nxt
