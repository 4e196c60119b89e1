"""The OpenAPI description (api/openapi.json, served at /api/v1/openapi.json) against the
code and a real `polis serve`: it is served without credentials with an ETag and 304; it
is OpenAPI 3.0 whose every $ref resolves; its paths and methods are exactly the /api/v1
routes the C sources register (read from their `.pattern`/`.methods` initializers), with
the parameters and body constraints the sources declare; and live replies, successes and
errors, validate against the documented schemas with the small validator below."""

import glob
import hashlib
import json
import os
import re
import unittest

from harness import ROOT, PolisServer, finish, on_postgres, raw_exchange, signed_in

SPEC_FILE = os.path.join(ROOT, "api", "openapi.json")
SRC = os.path.join(ROOT, "src")
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Routes outside /api/v1 that the description covers too.
EXTRA_DOCUMENTED = ("/healthz", "/metrics")

SERVER = None
ADMIN = None
SPEC = None


def setUpModule():
    global SERVER, ADMIN, SPEC
    # A small body limit makes the 413 check cheap; a low per-account sign-in limit, the 429.
    SERVER = PolisServer(env={"POLIS_BODY_LIMIT": "4096", "POLIS_LOGIN_MAX_ACCOUNT": "3"}).start()
    ADMIN = signed_in(SERVER)
    r = SERVER.client().get("/api/v1/openapi.json")
    assert r.status == 200, r
    SPEC = r.json


def tearDownModule():
    finish(SERVER)


# ---- a small OpenAPI 3.0 schema validator ------------------------------------------------

def resolve(doc, ref):
    """The object a local $ref ("#/a/b") points at; KeyError when it does not resolve."""
    if not ref.startswith("#/"):
        raise KeyError(f"not a local reference: {ref}")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{ref} does not resolve (at {part!r})")
        node = node[part]
    return node


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


TYPE_CHECKS = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def validate(doc, schema, value, where="$"):
    """The list of ways value breaks schema (OpenAPI 3.0 subset: $ref, type, nullable,
    enum, required, properties, additionalProperties, items, pattern, min/maxLength,
    minimum/maximum); empty when it conforms."""
    schema = deref(doc, schema)
    if value is None:
        return [] if schema.get("nullable") or "type" not in schema and "enum" not in schema \
            else [f"{where}: null is not allowed"]
    problems = []
    kind = schema.get("type")
    if kind and not TYPE_CHECKS[kind](value):
        return [f"{where}: expected {kind}, got {type(value).__name__} {value!r:.60}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            problems.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{where}: longer than {schema['maxLength']}")
    if TYPE_CHECKS["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: missing required {name!r}")
        for name, member in value.items():
            if name in props:
                problems += validate(doc, props[name], member, f"{where}.{name}")
            elif schema.get("additionalProperties", True) is False:
                problems.append(f"{where}: undocumented member {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += validate(doc, schema["additionalProperties"], member,
                                     f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += validate(doc, schema["items"], item, f"{where}[{i}]")
    return problems


def operation(path, method):
    return SPEC["paths"][path][method.lower()]


def response_spec(path, method, status):
    """The documented response of an operation for status (dereferenced), or None."""
    r = operation(path, method)["responses"].get(str(status))
    return deref(SPEC, r) if r is not None else None


def check_reply(test, path, method, r):
    """Asserts the reply's status is documented for the operation and its JSON body (when the
    documentation gives one) validates; returns the parsed body or None."""
    spec = response_spec(path, method, r.status)
    test.assertIsNotNone(spec, f"{method} {path} answered {r.status}, which is not documented: "
                         f"{r.body[:300]!r}")
    content = spec.get("content", {})
    if "application/json" not in content:
        test.assertFalse(r.body, f"{method} {path} {r.status} should have no body")
        return None
    test.assertTrue((r.header("Content-Type") or "").startswith("application/json"), r)
    body = r.json
    problems = validate(SPEC, content["application/json"]["schema"], body)
    test.assertEqual(problems, [], f"{method} {path} {r.status}: {body!r:.600}")
    for name, h in spec.get("headers", {}).items():
        if deref(SPEC, h).get("required"):
            test.assertIsNotNone(r.header(name), f"{method} {path} {r.status} lacks {name}")
    return body


class ValidatorTest(unittest.TestCase):
    """The validator must reject what it claims to check, or the live checks prove nothing."""

    DOC = {"components": {"schemas": {
        "Thing": {"type": "object", "required": ["code", "n"], "additionalProperties": False,
                  "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                 "n": {"type": "integer", "minimum": 1, "maximum": 9},
                                 "tag": {"type": "string", "enum": ["a", "b"],
                                         "nullable": True},
                                 "list": {"type": "array",
                                          "items": {"$ref": "#/components/schemas/Leaf"}}}},
        "Leaf": {"type": "string", "maxLength": 3}}}}
    THING = {"$ref": "#/components/schemas/Thing"}

    def bad(self, value):
        return validate(self.DOC, self.THING, value)

    def test_conforming_value_passes(self):
        self.assertEqual(self.bad({"code": "KG", "n": 3, "tag": None, "list": ["ab"]}), [])

    def test_each_rule_is_enforced(self):
        cases = [None, [], {"n": 3}, {"code": "KG", "n": "3"}, {"code": "KG", "n": True},
                 {"code": "kg", "n": 3}, {"code": "KG", "n": 0}, {"code": "KG", "n": 10},
                 {"code": "KG", "n": 3, "tag": "c"}, {"code": "KG", "n": 3, "extra": 1},
                 {"code": "KG", "n": 3, "list": ["abcd"]}, {"code": "KG", "n": 3, "list": [1]},
                 {"code": None, "n": 3}]
        for value in cases:
            with self.subTest(value=value):
                self.assertNotEqual(self.bad(value), [])

    def test_unresolvable_ref_raises(self):
        with self.assertRaises(KeyError):
            validate(self.DOC, {"$ref": "#/components/schemas/Nope"}, 1)


# ---- reading the C sources ------------------------------------------------------------------

def strip_comments(text):
    """C text with comments blanked (offsets kept; string and character literals kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


STRING = r'"(?:[^"\\\n]|\\.)*"'


def mask_strings(text):
    """text with the inside of string literals replaced by 'x', so braces in them do not count."""
    return re.sub(STRING, lambda m: '"' + "x" * (len(m.group()) - 2) + '"', text)


def enclosing_braces(masked, pos):
    """(open, close) offsets of the innermost {...} around pos."""
    depth, i = 0, pos
    while i >= 0:
        if masked[i] == "}":
            depth += 1
        elif masked[i] == "{":
            if depth == 0:
                break
            depth -= 1
        i -= 1
    return i, matching_brace(masked, i)


def matching_brace(masked, open_pos):
    depth = 0
    for j in range(open_pos, len(masked)):
        if masked[j] == "{":
            depth += 1
        elif masked[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced braces")


class CSource:
    """One C file, comments stripped, with its object-like macros by position."""

    DEFINE = re.compile(r"^[ \t]*#[ \t]*(define|undef)[ \t]+(\w+)(?![\w(])[ \t]*((?:.*\\\n)*.*)$",
                        re.M)

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            self.text = strip_comments(f.read())
        self.masked = mask_strings(self.text)
        self.macro_events = [(m.start(), m.group(2),
                              m.group(3).replace("\\\n", " ").strip() if m.group(1) == "define"
                              else None)
                             for m in self.DEFINE.finditer(self.text)]

    def macro(self, name, pos):
        """The value of macro name in effect at pos in this file, or None."""
        value = None
        for at, n, v in self.macro_events:
            if at < pos and n == name:
                value = v
        return value


class Sources:
    """What the C sources under src/ declare: routes, parameter specs, constants."""

    def __init__(self):
        self.files = {p: CSource(p) for p in sorted(glob.glob(os.path.join(SRC, "**", "*.[ch]"),
                                                               recursive=True))}
        self.global_macros = {}
        self.strings = {}  # const char NAME[] = "..." "...";
        for f in self.files.values():
            if f.path.endswith(".h"):
                for _, name, value in f.macro_events:
                    if value is not None:
                        self.global_macros[name] = value
                # Constants of anonymous enums (enum { DOC_SHORT_MAX = 120, ... }) too.
                for block in re.finditer(r"\benum\s*\{([^}]*)\}", f.text):
                    for name, value in re.findall(r"\b([A-Z][A-Z0-9_]*)\s*=\s*(\d+)\b",
                                                  block.group(1)):
                        self.global_macros.setdefault(name, value)
            for m in re.finditer(r"\bconst\s+char\s+(\w+)\s*\[\s*\]\s*=\s*((?:" + STRING +
                                 r"\s*)+);", f.text):
                self.strings[m.group(1)] = self.concat(m.group(2))

    @staticmethod
    def concat(literals):
        # C escapes JSON lacks (\xHH, \ooo) are read as the character of that code.
        c_escape = re.compile(r"\\x([0-9A-Fa-f]{1,2})|\\([0-7]{1,3})")
        return "".join(json.loads(c_escape.sub(lambda e: "\\u%04x" % int(
            e.group(1) or e.group(2), 16 if e.group(1) else 8), s))
            for s in re.findall(STRING, literals))

    def expand(self, f, text, pos, depth=0):
        """text with the object-like macros of f (at pos) and of the headers expanded."""
        if depth > 8:
            return text

        def one(m):
            v = f.macro(m.group(), pos)
            if v is None:
                v = self.global_macros.get(m.group())
            return self.expand(f, v, pos, depth + 1) if v is not None else m.group()
        parts = re.split("(" + STRING + ")", text)
        return "".join(p if p.startswith('"') else re.sub(r"\b[A-Za-z_]\w*\b", one, p)
                       for p in parts)

    def string_value(self, f, expr, pos):
        """The value of a C string expression: adjacent literals, macros or const arrays."""
        expr = expr.strip()
        if re.fullmatch(r"\w+", expr) and expr in self.strings:
            return self.strings[expr]
        expanded = self.expand(f, expr, pos)
        if not re.fullmatch(r"\s*(?:" + STRING + r"\s*)+", expanded):
            raise ValueError(f"{f.path}: cannot evaluate string {expr!r}")
        return self.concat(expanded)

    def param_specs(self, f, name):
        """{param name: spec dict} of the static param_spec array name in f."""
        m = re.search(r"struct\s+param_spec\s+" + re.escape(name) + r"\s*\[\s*\]\s*=\s*\{",
                      f.text)
        if not m:
            raise ValueError(f"{f.path}: no param_spec array {name}")
        close = matching_brace(f.masked, m.end() - 1)
        body = self.expand(f, f.text[m.end():close], m.start())
        specs = {}
        for entry in re.finditer(r"\{([^{}]*)\}", mask_strings(body)):
            raw = body[entry.start(1):entry.end(1)]
            fields = dict(re.findall(r"\.(\w+)\s*=\s*(" + STRING + r"|[^,]+)", raw))
            if "name" not in fields:
                continue
            spec = {k: v.strip() for k, v in fields.items()}
            spec["name"] = json.loads(spec["name"])
            if "enum_values" in spec:
                spec["enum_values"] = self.string_value(f, spec["enum_values"], m.start())
            specs[spec["name"]] = spec
        return specs

    def routes(self):
        """[(pattern, method, {param: spec})] for every `.pattern = ...` initializer."""
        found = []
        for f in self.files.values():
            if not f.path.endswith(".c"):
                continue
            for m in re.finditer(r"\.pattern\s*=\s*", f.text):
                open_pos, close_pos = enclosing_braces(f.masked, m.start())
                end = m.end()
                while end < close_pos and f.masked[end] not in ",}":
                    end += 1
                pattern = self.string_value(f, f.text[m.end():end], m.start())
                init = f.masked[open_pos:close_pos]
                methods = re.search(r"\.methods\s*=\s*([\w\s|]+?)\s*[,}]", init + "}")
                if not methods:
                    raise ValueError(f"{f.path}: route {pattern} has no .methods")
                params = re.search(r"\.params\s*=\s*(\w+)", init)
                specs = self.param_specs(f, params.group(1)) if params else {}
                for bit in methods.group(1).split("|"):
                    bit = bit.strip()
                    if not bit.startswith("HTTP_"):
                        raise ValueError(f"{f.path}: route {pattern}: method {bit!r}")
                    found.append((pattern, bit[5:].lower(), specs))
        return found

    def file(self, relative):
        return self.files[os.path.join(SRC, relative)]


SOURCES = None


def sources():
    global SOURCES
    if SOURCES is None:
        SOURCES = Sources()
    return SOURCES


def documented_operations(spec):
    return {(path, method) for path, item in spec["paths"].items() for method in item
            if method in HTTP_METHODS}


def operation_parameters(path, method):
    """{(in, name): parameter} of an operation, path-item parameters included."""
    out = {}
    for p in SPEC["paths"][path].get("parameters", []) + operation(path, method).get(
            "parameters", []):
        p = deref(SPEC, p)
        out[(p["in"], p["name"])] = p
    return out


def meson_version():
    with open(os.path.join(ROOT, "meson.build"), encoding="utf-8") as f:
        return re.search(r"project\([^)]*?version\s*:\s*'([^']+)'", f.read(), re.S).group(1)


# ---- the document itself -------------------------------------------------------------------

class ServedTest(unittest.TestCase):
    def test_served_without_credentials_with_etag_and_cache(self):
        c = SERVER.client()
        r = c.get("/api/v1/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.header("Cache-Control"), "public, max-age=3600")
        digest = hashlib.sha256(r.body).hexdigest()
        self.assertEqual(r.header("ETag"), f'"{digest[:16]}"')
        with open(SPEC_FILE, "rb") as f:
            self.assertEqual(r.body, f.read(), "the binary serves a stale api/openapi.json")

    def test_if_none_match_gives_304_and_other_etags_200(self):
        c = SERVER.client()
        etag = c.get("/api/v1/openapi.json").header("ETag")
        r = c.get("/api/v1/openapi.json", headers={"If-None-Match": etag})
        self.assertEqual(r.status, 304, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("ETag"), etag)
        r = c.get("/api/v1/openapi.json", headers={"If-None-Match": '"0000000000000000"'})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body)

    def test_signed_in_clients_get_the_same_document(self):
        r = ADMIN.get("/api/v1/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, SPEC)


class DocumentTest(unittest.TestCase):
    def test_is_openapi_3_0_with_project_info(self):
        self.assertRegex(SPEC["openapi"], r"^3\.0\.\d+$")
        self.assertEqual(SPEC["info"]["title"], "Polis")
        self.assertEqual(SPEC["info"]["version"], meson_version())
        self.assertEqual(SPEC["servers"], [{"url": "/"}])
        self.assertIn("X-CSRF-Token", SPEC["info"]["description"])
        schemes = SPEC["components"]["securitySchemes"]
        self.assertEqual(schemes["cookieAuth"]["type"], "apiKey")
        self.assertEqual(schemes["cookieAuth"]["in"], "cookie")
        self.assertEqual(schemes["cookieAuth"]["name"], "polis_session")
        self.assertEqual(schemes["bearerAuth"]["type"], "http")
        self.assertEqual(schemes["bearerAuth"]["scheme"], "bearer")

    def test_every_ref_resolves_and_every_component_is_used(self):
        refs = []

        def walk(node):
            if isinstance(node, dict):
                if "$ref" in node:
                    refs.append(node["$ref"])
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(SPEC)
        self.assertGreater(len(refs), 100)
        for ref in set(refs):
            with self.subTest(ref=ref):
                resolve(SPEC, ref)
        for kind in ("schemas", "parameters", "responses"):
            for name in SPEC["components"][kind]:
                with self.subTest(component=f"{kind}/{name}"):
                    self.assertIn(f"#/components/{kind}/{name}", refs, "unused component")

    def test_operations_are_well_formed(self):
        ids = set()
        for path, method in documented_operations(SPEC):
            with self.subTest(op=f"{method.upper()} {path}"):
                op = operation(path, method)
                self.assertNotIn(op["operationId"], ids)
                ids.add(op["operationId"])
                self.assertTrue(any(s.startswith("2") for s in op["responses"]), "no success")
                in_path = set(re.findall(r"\{(\w+)\}", path))
                params = operation_parameters(path, method)
                self.assertEqual({n for (where, n) in params if where == "path"}, in_path)
                for p in params.values():
                    self.assertIn("schema", p)
                    if p["in"] == "path":
                        self.assertTrue(p["required"])
                public = op.get("security") == []
                if not public and path.startswith("/api/v1/"):
                    self.assertIn("401", op["responses"])
                if method in ("post", "patch", "put", "delete") and not public:
                    self.assertIn(("header", "X-CSRF-Token"), params, "writes name X-CSRF-Token")
                    self.assertIn("403", op["responses"])
                if "requestBody" in op:
                    self.assertIn("415", op["responses"])
                    self.assertIn("413", op["responses"])

    def test_standard_responses(self):
        responses = SPEC["components"]["responses"]
        by_status = {}
        for path, method in documented_operations(SPEC):
            for status, r in operation(path, method)["responses"].items():
                if "$ref" in r:
                    by_status.setdefault(status, set()).add(r["$ref"])
        for status in ("400", "401", "403", "404", "409", "413", "415", "422", "429"):
            with self.subTest(status=status):
                self.assertEqual(len(by_status.get(status, ())), 1, by_status.get(status))
                r = resolve(SPEC, next(iter(by_status[status])))
                self.assertEqual(r["content"]["application/json"]["schema"],
                                 {"$ref": "#/components/schemas/Error"})
        retry = deref(SPEC, responses["TooManyRequests"])["headers"]["Retry-After"]
        self.assertTrue(retry["required"])

    def test_error_codes_are_those_the_code_can_send(self):
        err = sources().file("core/err.c").text
        table = set(re.findall(r'\[P_\w+\]\s*=\s*\{\s*\d+\s*,\s*"(\w+)"', err)) - {"ok"}
        extra = {json.loads(s) for f in sources().files.values()
                 for s in re.findall(r"p_error_code\([^,]+,\s*(" + STRING + r")\)", f.text)}
        literals = set(re.findall(r'"(\w+)"', err)) & {"invalid_field", "internal_error"}
        resp = sources().file("http/response.c").text
        literals |= set(re.findall(r'\\"code\\":\\"(\w+)\\"', resp))
        code_enum = SPEC["components"]["schemas"]["Error"]["properties"]["error"]["properties"][
            "code"]["enum"]
        self.assertGreaterEqual(len(table), 10)
        self.assertEqual(set(code_enum), table | extra | literals)


# ---- drift between the sources and the description -------------------------------------------

class DriftTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.routes = [(p, m, s) for p, m, s in sources().routes()
                      if p.startswith("/api/v1/") or p in EXTRA_DOCUMENTED]

    def test_scanner_sees_routes_of_every_registration_style(self):
        ops = {(p, m) for p, m, _ in self.routes}
        # A plain array (auth/api.c), arrays built with a path macro (framework/api.c) and
        # compound literals (web/system.c).
        for expected in [("/api/v1/session", "post"), ("/api/v1/tokens/{id}", "delete"),
                         ("/api/v1/framework/lines-of-action/{code}", "patch"),
                         ("/api/v1/countries", "get"), ("/healthz", "get"),
                         ("/api/v1/openapi.json", "get")]:
            self.assertIn(expected, ops)
        self.assertEqual(len(ops), len(self.routes), "a route is registered twice")

    def test_every_registered_route_is_documented(self):
        missing = sorted({(p, m) for p, m, _ in self.routes} - documented_operations(SPEC))
        self.assertEqual(missing, [], "routes the server has but api/openapi.json lacks")

    def test_every_documented_route_is_registered(self):
        stale = sorted(documented_operations(SPEC) - {(p, m) for p, m, _ in self.routes})
        self.assertEqual(stale, [], "routes api/openapi.json documents but no source registers")

    # Declared parameters an operation does not use: GET /tokens and DELETE /tokens/{id}
    # share one param_spec list (id for the path, all for the list).
    UNUSED_DECLARED = {("/api/v1/tokens", "get"): {"id"}, ("/api/v1/tokens/{id}", "delete"): {"all"}}

    def test_parameters_match_the_declarations(self):
        documented_ops = documented_operations(SPEC)
        for path, method, specs in self.routes:
            if (path, method) not in documented_ops:
                continue  # test_every_registered_route_is_documented names it
            with self.subTest(op=f"{method.upper()} {path}"):
                documented = {n: p for (where, n), p in operation_parameters(path, method).items()
                              if where in ("path", "query")}
                unused = self.UNUSED_DECLARED.get((path, method), set())
                self.assertEqual(set(documented), set(specs) - unused)
                for name, p in documented.items():
                    self.check_parameter(specs[name], deref(SPEC, p["schema"]))

    def check_parameter(self, spec, schema):
        kind = spec["type"]
        if kind == "PARAM_INT":
            self.assertEqual(schema["type"], "integer")
            self.assertEqual(schema.get("minimum"), int(spec["min"]))
            if spec["max"] == "INT64_MAX":
                self.assertNotIn("maximum", schema)
            else:
                self.assertEqual(schema.get("maximum"), int(spec["max"]))
            return
        self.assertEqual(schema["type"], "string")
        if kind == "PARAM_ENUM":
            self.assertEqual(schema["enum"], spec["enum_values"].split("|"))
            return
        max_len = int(spec.get("max_len", "0")) or 200
        self.assertEqual(schema.get("maxLength"), max_len)
        expected_pattern = {"PARAM_CODE": "^[A-Za-z0-9_-]+$", "PARAM_CURSOR": "^[A-Za-z0-9_=-]+$",
                            "PARAM_TIME": "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
                                          "(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$"}.get(kind)
        if expected_pattern:
            self.assertEqual(schema.get("pattern"), expected_pattern)

    # framework/service.c field tables -> the record, create and patch schemas they govern.
    FIELD_TABLES = {"described_fields": ("LineOfAction", "Priority", "Principle"),
                    "focus_fields": ("FocusArea",), "org_fields": ("Organisation",),
                    "country_fields": ("Country",)}

    def field_table(self, f, name):
        m = re.search(r"struct\s+field\s+" + name + r"\s*\[\s*\]\s*=\s*\{", f.text)
        close = matching_brace(f.masked, m.end() - 1)
        body, masked = f.text[m.end():close], f.masked[m.end():close]
        fields = []
        for entry in re.finditer(r"\{([^{}]*)\}", masked):
            raw = body[entry.start(1):entry.end(1)]
            d = {k: v.strip() for k, v in re.findall(r"\.(\w+)\s*=\s*(" + STRING + r"|[^,]+)",
                                                      raw)}
            if "name" in d:
                d["name"] = json.loads(d["name"])
                fields.append(d)
        return fields

    def test_framework_bodies_match_the_field_tables(self):
        f = sources().file("framework/service.c")
        position_max = int(f.macro("POSITION_MAX", len(f.text)))
        schemas = SPEC["components"]["schemas"]
        for table, kinds in self.FIELD_TABLES.items():
            fields = self.field_table(f, table)
            self.assertGreaterEqual(len(fields), 4)
            names = [fd["name"] for fd in fields]
            required = sorted(fd["name"] for fd in fields if fd.get("required") == "true")
            for kind in kinds:
                with self.subTest(kind=kind):
                    record = schemas[kind]
                    self.assertLessEqual(set(names), set(record["properties"]))
                    self.assertEqual(sorted(schemas[kind + "Create"].get("required", [])),
                                     required)
                    self.assertNotIn("required", schemas[kind + "Patch"])
                    for body in (kind + "Create", kind + "Patch"):
                        props = schemas[body]["properties"]
                        self.assertEqual(sorted(props), sorted(names), body)
                        self.assertIs(schemas[body]["additionalProperties"], False)
                        for fd in fields:
                            self.check_field(fd, deref(SPEC, props[fd["name"]]), position_max,
                                             f)

    def check_field(self, fd, schema, position_max, f):
        kind = fd["type"]
        if kind == "F_INT":
            self.assertEqual((schema["type"], schema["minimum"], schema["maximum"]),
                             ("integer", 0, position_max))
            return
        self.assertEqual(schema["type"], "string", fd["name"])
        if kind == "F_CODE":
            self.assertEqual(schema["pattern"], "^[A-Z0-9][A-Z0-9-]{0,15}$")
        elif kind == "F_COUNTRY_CODE":
            self.assertEqual(schema["pattern"], "^[A-Z]{2}$")
        elif kind == "F_TEXT":
            self.assertEqual(schema["maxLength"], int(fd["max_chars"]), fd["name"])
        elif kind == "F_ENUM":
            self.assertEqual(schema["enum"], sources().strings[fd["enum_values"]].split("|"))
        elif kind == "F_REF":
            self.assertTrue(schema.get("nullable") or fd.get("required") == "true", fd["name"])
        self.assertEqual(bool(schema.get("nullable")), fd.get("required") != "true", fd["name"])

    def test_account_bodies_match_the_handlers(self):
        f = sources().file("auth/api.c")
        # Members each body accepts: the allowed[] lists, found inside the function that
        # owns them.
        owners = {"SessionCreate": ("session_create_handler", "allowed"),
                  "UserCreate": ("users_create_handler", "allowed"),
                  "UserPatch": ("read_patch", "admin_fields"),
                  "AccountPatch": ("read_patch", "self_fields"),
                  "TokenCreate": ("tokens_create_handler", "allowed")}
        max_chars = {k: int(v) for k, v in re.findall(
            r'api_get_string\(\s*body\s*,\s*"(\w+)"\s*,\s*(\d+)', f.text)}
        password_min = int(sources().global_macros["PASSWORD_MIN_CHARS"])
        roles = sources().strings["USERS_ROLES"].split("|")
        schemas = SPEC["components"]["schemas"]
        self.assertEqual(schemas["Role"]["enum"], roles)
        for schema_name, (function, array) in owners.items():
            with self.subTest(body=schema_name):
                start = re.search(r"\n\w[^\n]*\b" + function + r"\(", f.text).start()
                end = f.text.find("\n}", start)
                lst = re.search(array + r"\[\]\s*=\s*\{([^}]*)\}", f.text[start:end])
                allowed = [json.loads(s) for s in re.findall(STRING, lst.group(1))]
                schema = schemas[schema_name]
                self.assertEqual(sorted(schema["properties"]), sorted(allowed))
                self.assertIs(schema["additionalProperties"], False)
                for name in allowed:
                    prop = deref(SPEC, schema["properties"][name])
                    if name in max_chars and "maxLength" in prop:
                        self.assertEqual(prop["maxLength"], max_chars[name], name)
                    elif name in max_chars:
                        longest = max(len(v) for v in prop["enum"])
                        self.assertLessEqual(longest, max_chars[name], name)
                    if name == "password" and schema_name != "SessionCreate":
                        self.assertEqual(prop["minLength"], password_min)


# ---- live replies against the documented schemas -------------------------------------------

def fill(path, values=None):
    values = dict({"code": "ZZ", "login": "nobody", "id": "999999", "lang": "en"},
                  **(values or {}))
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def json_success(path, method):
    """(status, schema) of an operation's JSON success reply, or (None, None)."""
    for status, r in operation(path, method)["responses"].items():
        r = deref(SPEC, r)
        if status.startswith("2") and "application/json" in r.get("content", {}):
            return status, r["content"]["application/json"]["schema"]
    return None, None


class LiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = ADMIN.post("/api/v1/tokens", {"name": "openapi test"})
        assert r.status == 201, r
        r = ADMIN.post("/api/v1/open311/keys", {"name": "openapi test"})
        assert r.status == 201, r
        # The demo has no concerns; three make the list's second page.
        for i in range(3):
            r = ADMIN.post("/api/v1/concerns", {"service_code": "water",
                                                "description": f"OA concern {i}",
                                                "contact": {"phone": "+996 555 000"}})
            assert r.status == 201, r

    def get_ops(self):
        ops = sorted(p for p, m in documented_operations(SPEC) if m == "get")
        if on_postgres():  # these search with FTS5 until their queries have PostgreSQL twins
            ops = [p for p in ops
                   if not p.startswith(("/api/v1/activities", "/api/v1/library/search"))]
        return ops

    def test_every_get_collection_validates(self):
        checked = 0
        for path in self.get_ops():
            if "{" in path or json_success(path, "get")[0] is None:
                continue
            schema = deref(SPEC, json_success(path, "get")[1])
            # A required query parameter (the search's q) takes its documented example.
            required = "&".join(f"{p['name']}={p['example']}"
                                for p in operation_parameters(path, "get").values()
                                if p["in"] == "query" and p.get("required"))
            queries = ["?" + required if required else ""]
            if ("query", "limit") in operation_parameters(path, "get"):
                queries.append(("?" + required + "&" if required else "?") + "limit=2")
            for query in queries:
                with self.subTest(path=path + query):
                    r = ADMIN.get(path + query)
                    self.assertEqual(r.status, 200, r)
                    body = check_reply(self, path, "get", r)
                    checked += 1
                    if "items" in schema.get("properties", {}):
                        self.assertTrue(body["items"], "an empty list proves nothing")
                        if "limit=2" in query:
                            self.assertEqual(len(body["items"]), 2)
                        if "limit=2" in query and "next" in schema["properties"]:
                            self.assertIsNotNone(body["next"])
                            r = ADMIN.get(f"{path}?limit=2&cursor={body['next']}")
                            check_reply(self, path, "get", r)
        self.assertGreaterEqual(checked, 15)

    # The member of a list item that fills the path parameter, where it is named otherwise.
    RECORD_KEYS = {"/api/v1/concerns/{code}": "tracking_code"}

    def test_every_get_record_validates(self):
        checked = 0
        for path in self.get_ops():
            names = re.findall(r"\{(\w+)\}", path)
            parent = path.rsplit("/", 1)[0]
            if len(names) != 1 or "{" in parent or "get" not in SPEC["paths"].get(parent, {}):
                continue
            with self.subTest(path=path):
                items = ADMIN.get(parent).json["items"]
                self.assertTrue(items)
                key = items[0][self.RECORD_KEYS.get(path, names[0])]
                r = ADMIN.get(fill(path, {names[0]: str(key)}))
                self.assertEqual(r.status, 200, r)
                check_reply(self, path, "get", r)
                checked += 1
        self.assertGreaterEqual(checked, 7)

    def test_small_lists_answer_304_as_documented(self):
        for path in self.get_ops():
            if "304" not in operation(path, "get")["responses"] or "{" in path:
                continue
            with self.subTest(path=path):
                etag = ADMIN.get(path).header("ETag")
                self.assertTrue(etag)
                r = ADMIN.get(path, headers={"If-None-Match": etag})
                self.assertEqual(r.status, 304, r)
                check_reply(self, path, "get", r)

    def create_and_patch(self, collection, body, patch, key="code"):
        req = SPEC["paths"][collection]["post"]["requestBody"]["content"]["application/json"]
        self.assertEqual(validate(SPEC, req["schema"], body), [], "test body breaks the schema")
        r = ADMIN.post(collection, body)
        self.assertEqual(r.status, 201, r)
        created = check_reply(self, collection, "post", r)
        self.assertEqual(r.header("Location"), f"{collection}/{body[key]}")
        item = collection + "/{" + key + "}"
        req = SPEC["paths"][item]["patch"]["requestBody"]["content"]["application/json"]
        self.assertEqual(validate(SPEC, req["schema"], patch), [])
        r = ADMIN.patch(fill(item, {key: body[key]}), patch)
        self.assertEqual(r.status, 200, r)
        check_reply(self, item, "patch", r)
        # A member the body schema does not declare is refused, as additionalProperties says.
        r = ADMIN.patch(fill(item, {key: body[key]}), dict(patch, surplus=1))
        self.assertEqual(r.status, 400, r)
        self.assertEqual(check_reply(self, item, "patch", r)["error"]["field"], "surplus")
        return created

    def test_writes_validate(self):
        cases = [
            ("/api/v1/framework/lines-of-action", {"code": "OA-LINE", "name": "Line"},
             {"name_ru": None, "position": 7}),
            ("/api/v1/framework/priorities", {"code": "OA-PRIO", "name": "Priority",
                                              "description": "d"}, {"description": None}),
            ("/api/v1/framework/focus-areas", {"code": "OA-FOCUS", "name": "Focus",
                                               "priority": "OA-PRIO"}, {"position": 0}),
            ("/api/v1/framework/principles", {"code": "OA-PRIN", "name": "Principle"},
             {"code": "OA-PRIN", "name": "Principle 2"}),
            ("/api/v1/organisations", {"code": "OA-ORG", "name": "Org", "kind": "national",
                                       "country": "KG"}, {"parent": "SPMU"}),
            ("/api/v1/countries", {"code": "QA", "name": "Qatar", "status": "partner"},
             {"name_ru": "Катар"}),
        ]
        for collection, body, patch in cases:
            with self.subTest(collection=collection):
                self.create_and_patch(collection, body, patch)
        with self.subTest(collection="/api/v1/users"):
            self.create_and_patch("/api/v1/users", {"login": "oa.user", "role": "librarian",
                                                    "password": "a long enough password"},
                                  {"display_name": "OA", "disabled": False}, key="login")

    def test_library_replies_validate(self):
        if on_postgres():
            self.skipTest("the library's search and similar documents use FTS5 until their "
                          "PostgreSQL twins")
        docs, item = "/api/v1/documents", "/api/v1/documents/{id}"
        body = {"title": "OA guide", "series": "OA Series", "volume": 1, "year": 2020,
                "published": "2020-05", "authoring_unit": "SPMU", "priorities": ["THB"]}
        req = SPEC["paths"][docs]["post"]["requestBody"]["content"]["application/json"]
        self.assertEqual(validate(SPEC, req["schema"], body), [])
        r = ADMIN.post(docs, body)
        self.assertEqual(r.status, 201, r)
        doc = check_reply(self, docs, "post", r)
        path = f"{docs}/{doc['id']}"
        self.assertEqual(r.header("Location"), path)
        check_reply(self, item, "patch", ADMIN.patch(path, {"subtitle": None, "volume": 2}))
        r = ADMIN.request("PUT", path + "/editions/ru", {"title": "Руководство OA"})
        self.assertEqual(check_reply(self, item + "/editions/{lang}", "put", r)["editions"][0]
                         ["lang"], "ru")
        check_reply(self, item + "/similar", "get", ADMIN.get("/api/v1/documents/6/similar"))
        search = "/api/v1/library/search"
        r = ADMIN.get(search + "?q=%D0%BF%D0%BE%D0%BB%D0%B8%D1%86%D0%B8%D1%8F&lang=ru")
        self.assertTrue(check_reply(self, search, "get", r)["items"])
        errors = [("GET", search, search + "?q=%22open", None, 400),
                  ("GET", item + "/similar", docs + "/999999/similar", None, 404),
                  ("PUT", item + "/editions/{lang}", path + "/editions/fr", {}, 422),
                  ("PATCH", item, path, {"volume": "x"}, 400),
                  ("PATCH", item, path, {"year": 1800}, 422),
                  ("DELETE", item + "/editions/{lang}", path + "/editions/en", None, 404)]
        for method, spec_path, url, payload, status in errors:
            with self.subTest(case=f"{method} {url} -> {status}"):
                r = ADMIN.request(method, url, payload)
                self.assertEqual(r.status, status, r)
                check_reply(self, spec_path, method, r)
        r = ADMIN.delete(path + "/editions/ru")
        self.assertEqual(r.status, 204, r)
        check_reply(self, item + "/editions/{lang}", "delete", r)
        r = ADMIN.delete(path)
        self.assertEqual(r.status, 204, r)
        check_reply(self, item, "delete", r)

    def test_concern_replies_validate(self):
        concerns, item = "/api/v1/concerns", "/api/v1/concerns/{code}"
        public, public_item = "/api/v1/public/concerns", "/api/v1/public/concerns/{code}"
        body = {"service_code": "youth", "description": "OA: a citizen's concern",
                "lat": 42.87, "long": 74.59, "contact": {"name": "A", "phone": "1"},
                "client_id": "oa-public-1"}
        req = SPEC["paths"][public]["post"]["requestBody"]["content"]["application/json"]
        self.assertEqual(validate(SPEC, req["schema"], body), [])
        citizen = SERVER.client()
        r = citizen.post(public, body)
        self.assertEqual(r.status, 201, r)
        code = check_reply(self, public, "post", r)["tracking_code"]
        # The citizen has no session: the Location is the path they can read.
        self.assertEqual(r.header("Location"), f"{public}/{code}")
        r = citizen.post(public, body)
        self.assertEqual(r.status, 200, r)
        check_reply(self, public, "post", r)
        step = {"status": "referred", "agency": "Water board", "public": True, "note": "sent"}
        req = SPEC["paths"][item + "/events"]["post"]["requestBody"]["content"][
            "application/json"]
        self.assertEqual(validate(SPEC, req["schema"], step), [])
        r = ADMIN.post(f"{concerns}/{code}/events", step)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(check_reply(self, item + "/events", "post", r)["agency"], "Water board")
        r = ADMIN.post(f"{concerns}/{code}/events", {"note": "internal"})
        check_reply(self, item + "/events", "post", r)
        r = citizen.get(f"{public}/{code.lower()}")
        self.assertEqual(len(check_reply(self, public_item, "get", r)["events"]), 2)
        errors = [(ADMIN, "POST", concerns, concerns,
                   {"service_code": "nope", "description": "x"}, 404),
                  (ADMIN, "POST", concerns, concerns,
                   {"service_code": "water", "description": "x", "lat": 91, "long": 0}, 400),
                  (ADMIN, "POST", item + "/events", f"{concerns}/{code}/events",
                   {"status": "received"}, 422),
                  (ADMIN, "GET", item, f"{concerns}/0000000000", None, 404),
                  (citizen, "POST", public, public,
                   {"service_code": "water", "description": "x", "site": "S1"}, 400),
                  (citizen, "POST", public, public, {"service_code": "water"}, 422),
                  (citizen, "GET", public_item, f"{public}/0000000000", None, 404)]
        for client, method, spec_path, url, payload, status in errors:
            with self.subTest(case=f"{method} {url} -> {status}"):
                r = client.request(method, url, payload)
                self.assertEqual(r.status, status, r)
                check_reply(self, spec_path, method, r)
        citizen.close()

    def test_account_and_tokens_validate(self):
        r = ADMIN.patch("/api/v1/account", {"lang": "en"})
        check_reply(self, "/api/v1/account", "patch", r)
        self.assertEqual(r.status, 200)
        r = ADMIN.post("/api/v1/tokens", {"name": "short-lived"})
        self.assertEqual(r.status, 201, r)
        token = check_reply(self, "/api/v1/tokens", "post", r)
        by_token = SERVER.client()
        by_token.token = token["token"]
        r = by_token.get("/api/v1/session")
        self.assertEqual(check_reply(self, "/api/v1/session", "get", r)["via"], "token")
        r = by_token.delete("/api/v1/session")
        self.assertEqual(r.status, 400, r)
        check_reply(self, "/api/v1/session", "delete", r)
        r = ADMIN.delete(f"/api/v1/tokens/{token['id']}")
        self.assertEqual(r.status, 204, r)
        check_reply(self, "/api/v1/tokens/{id}", "delete", r)

    def test_errors_validate(self):
        officer = signed_in(SERVER, "officer.bishkek")
        anonymous = SERVER.client()
        cases = [
            (ADMIN, "GET", "/api/v1/organisations", "/api/v1/organisations?limit=0", None, 400),
            (ADMIN, "GET", "/api/v1/audit", "/api/v1/audit?from=yesterday", None, 400),
            (anonymous, "GET", "/api/v1/users", "/api/v1/users", None, 401),
            (officer, "GET", "/api/v1/audit", "/api/v1/audit", None, 403),
            (officer, "POST", "/api/v1/countries", "/api/v1/countries",
             {"code": "QB", "name": "x", "status": "partner"}, 403),
            (ADMIN, "GET", "/api/v1/countries/{code}", "/api/v1/countries/ZZ", None, 404),
            (ADMIN, "GET", "/api/v1/users/{login}", "/api/v1/users/nobody", None, 404),
            (ADMIN, "POST", "/api/v1/countries", "/api/v1/countries",
             {"code": "KG", "name": "x", "status": "partner"}, 409),
            (ADMIN, "POST", "/api/v1/countries", "/api/v1/countries",
             {"code": "kg", "name": "x", "status": "partner"}, 422),
            (ADMIN, "POST", "/api/v1/users", "/api/v1/users",
             {"login": "oa.short", "role": "librarian", "password": "short"}, 422),
        ]
        for client, method, path, url, body, status in cases:
            with self.subTest(case=f"{method} {url} -> {status}"):
                r = client.request(method, url, body)
                self.assertEqual(r.status, status, r)
                check_reply(self, path, method, r)
        r = anonymous.get("/api/v1/account")
        self.assertEqual(r.status, 401)
        self.assertEqual(check_reply(self, "/api/v1/account", "get", r)["error"]["code"],
                         "unauthenticated")
        self.assertTrue(r.header("WWW-Authenticate"))
        r = ADMIN.request("POST", "/api/v1/countries", "code=QC", raw=True,
                          content_type="text/plain")
        self.assertEqual(r.status, 415, r)
        check_reply(self, "/api/v1/countries", "post", r)
        # Over the 4096-byte limit the server answers at once and closes the connection,
        # so this one goes over its own socket.
        big = json.dumps({"code": "OA-BIG", "name": "x" * 5000, "kind": "national"}).encode()
        cookies = "; ".join(f"{k}={v}" for k, v in ADMIN.cookies.items())
        head = (f"POST /api/v1/organisations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: {cookies}\r\nX-CSRF-Token: {ADMIN.csrf}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(big)}\r\n\r\n")
        r = raw_exchange(SERVER.port, head.encode(), [big], method="POST")
        self.assertIsNotNone(r)
        self.assertEqual(r.status, 413, r)
        check_reply(self, "/api/v1/organisations", "post", r)
        # A CSRF failure is a documented 403 with its own code.
        r = ADMIN.patch("/api/v1/account", {"lang": "en"}, csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(check_reply(self, "/api/v1/account", "patch", r)["error"]["code"],
                         "csrf")
        officer.close()

    def test_throttled_sign_in_is_documented_429(self):
        c = SERVER.client()
        statuses = []
        for _ in range(6):
            r = c.post("/api/v1/session", {"login": "oa.nobody", "password": "wrong password"})
            statuses.append(r.status)
            check_reply(self, "/api/v1/session", "post", r)
        self.assertEqual(statuses[0], 401)
        self.assertEqual(statuses[-1], 429)
        self.assertRegex(r.header("Retry-After"), r"^\d+$")

    # Operations that answer an unknown key without credentials with their own 404 (naming
    # the field), not the router's; /metrics below shows they were routed.
    ANSWERS_404 = {"/api/v1/public/concerns/{code}"}

    def test_every_documented_operation_is_routed(self):
        """Each documented operation reaches a route of that method and pattern: without
        credentials it answers a documented status, and /metrics then counts it under its
        pattern (requests no route takes are counted as unmatched)."""
        c = SERVER.client()
        ops = sorted(documented_operations(SPEC))
        for path, method in ops:
            with self.subTest(op=f"{method.upper()} {path}"):
                body = {} if method in ("post", "put", "patch") else None
                r = c.request(method.upper(), fill(path), body)
                if path in self.ANSWERS_404:
                    self.assertEqual(r.status, 404, r)
                    self.assertTrue(r.json["error"].get("field"), "the handler's own 404")
                else:
                    self.assertNotIn(r.status, (404, 405), r)
                if path != "/metrics":
                    check_reply(self, path, method, r)
        metrics = c.get("/metrics").text
        seen = set()
        for methods, route in re.findall(r'polis_http_requests_total\{method="([^"]+)",'
                                         r'route="([^"]+)"', metrics):
            for m in methods.split("|"):
                seen.add((route, m.lower()))
        self.assertEqual(sorted(set(ops) - seen), [])


if __name__ == "__main__":
    unittest.main()
