/**
 * The subset of OData `$filter` that API Management documents for certificate lists:
 * `eq ne gt ge lt le` comparisons and `contains`, `startswith`, `endswith`, `substringof`,
 * combined with `and`, `or`, `not` and parentheses. String comparisons ignore case, as APIM's do.
 */

/** A `$filter` APIM would refuse. */
export class FilterError extends Error {
  override readonly name = "FilterError";
}

type Token =
  | { t: "ident"; v: string }
  | { t: "string"; v: string }
  | { t: "number"; v: number }
  | { t: "datetime"; v: string }
  | { t: "("; v: "(" }
  | { t: ")"; v: ")" }
  | { t: ","; v: "," };

type Value = string | number | boolean | null;
type FilterRow = Record<string, string | undefined>;
type Predicate = (row: FilterRow) => boolean;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c, v: c } as Token);
      i++;
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterError("unterminated string literal");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += text[i++];
      }
      out.push({ t: "string", v });
    } else if (/[-\d]/.test(c)) {
      const m = /^-?\d+(?:\.\d+)?(?:[T:-][\d:.TZ+-]*)?/.exec(text.slice(i))!;
      // A bare ISO timestamp (2024-01-01T00:00:00Z) is a date, not a number.
      if (/[T:]|^\d{4}-\d{2}-\d{2}/.test(m[0])) out.push({ t: "datetime", v: m[0] });
      else out.push({ t: "number", v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w.$]*/.exec(text.slice(i))!;
      i += m[0].length;
      if (m[0].toLowerCase() === "datetime" && text[i] === "'") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) throw new FilterError("unterminated datetime literal");
        out.push({ t: "datetime", v: text.slice(i + 1, end) });
        i = end + 1;
      } else {
        out.push({ t: "ident", v: m[0] });
      }
    } else {
      throw new FilterError(`unexpected character '${c}' at position ${i}`);
    }
  }
  return out;
}

const COMPARISONS = ["eq", "ne", "gt", "ge", "lt", "le"];
const FUNCTIONS = ["contains", "startswith", "endswith", "substringof"];

/** Compiles a `$filter` over the given (case-insensitive) field names. */
export function compileFilter(text: string, fields: readonly string[]): Predicate {
  return new FilterParser(text, fields).parse();
}

/** A field of the row, or a literal. */
type Operand = { field: string } | { value: Value };

const read = (o: Operand, row: FilterRow): Value => ("field" in o ? (row[o.field] ?? null) : o.value);

/**
 * A comparison as APIM makes it: `null` equals only `null`, dates compare as instants, strings
 * ignore case.
 */
function compare(a: Value, b: Value, op: string): boolean {
  if (a === null || b === null) {
    if (op === "eq") return a === b;
    if (op === "ne") return a !== b;
    return false;
  }
  let x: string | number = typeof a === "string" ? a : Number(a);
  let y: string | number = typeof b === "string" ? b : Number(b);
  const dx = typeof x === "string" && /^\d{4}-\d{2}-\d{2}/.test(x) ? Date.parse(x) : NaN;
  const dy = typeof y === "string" && /^\d{4}-\d{2}-\d{2}/.test(y) ? Date.parse(y) : NaN;
  if (!Number.isNaN(dx) && !Number.isNaN(dy)) {
    x = dx;
    y = dy;
  } else if (typeof x === "string" && typeof y === "string") {
    x = x.toLowerCase();
    y = y.toLowerCase();
  }
  switch (op) {
    case "eq":
      return x === y;
    case "ne":
      return x !== y;
    case "gt":
      return x > y;
    case "ge":
      return x >= y;
    case "lt":
      return x < y;
    default:
      return x <= y;
  }
}

/** `contains`, `startswith`, `endswith` or `substringof` of two operands, ignoring case. */
function stringFunction(fn: string, a: Operand, b: Operand): Predicate {
  // substringof('needle', field) has its arguments the other way round.
  const [hay, needle] = fn === "substringof" ? [b, a] : [a, b];
  return (row) => {
    const h = read(hay, row);
    const n = read(needle, row);
    if (typeof h !== "string" || typeof n !== "string") return false;
    const H = h.toLowerCase();
    const N = n.toLowerCase();
    if (fn === "startswith") return H.startsWith(N);
    if (fn === "endswith") return H.endsWith(N);
    return H.includes(N);
  };
}

/**
 * Recursive descent over the tokens, lowest precedence first:
 * `or` → `and` → `not` → a parenthesised expression, a function call or a comparison.
 */
class FilterParser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly fields: readonly string[],
  ) {
    this.tokens = tokenize(text);
  }

  parse(): Predicate {
    if (this.tokens.length === 0) throw new FilterError("empty $filter");
    const predicate = this.orExpr();
    if (this.pos !== this.tokens.length)
      throw new FilterError(`unexpected '${this.tokens[this.pos].v}' in $filter '${this.text}'`);
    return predicate;
  }

  private orExpr(): Predicate {
    let p = this.andExpr();
    while (this.isWord("or")) {
      this.pos++;
      const l = p;
      const r = this.andExpr();
      p = (row) => l(row) || r(row);
    }
    return p;
  }

  private andExpr(): Predicate {
    let p = this.unary();
    while (this.isWord("and")) {
      this.pos++;
      const l = p;
      const r = this.unary();
      p = (row) => l(row) && r(row);
    }
    return p;
  }

  private unary(): Predicate {
    if (this.isWord("not")) {
      this.pos++;
      const inner = this.unary();
      return (row) => !inner(row);
    }
    return this.primary();
  }

  private primary(): Predicate {
    const tok = this.tokens[this.pos];
    if (!tok) throw new FilterError(`incomplete $filter '${this.text}'`);
    if (tok.t === "(") {
      this.pos++;
      const inner = this.orExpr();
      this.expect(")");
      return inner;
    }
    if (
      tok.t === "ident" &&
      FUNCTIONS.includes(tok.v.toLowerCase()) &&
      this.tokens[this.pos + 1]?.t === "("
    ) {
      this.pos += 2;
      const a = this.operand();
      this.expect(",");
      const b = this.operand();
      this.expect(")");
      return stringFunction(tok.v.toLowerCase(), a, b);
    }
    const left = this.operand();
    const opTok = this.tokens[this.pos++];
    const op = opTok?.t === "ident" ? opTok.v.toLowerCase() : "";
    if (!COMPARISONS.includes(op))
      throw new FilterError(`expected a comparison operator in $filter '${this.text}'`);
    const right = this.operand();
    return (row) => compare(read(left, row), read(right, row), op);
  }

  private operand(): Operand {
    const tok = this.tokens[this.pos++];
    if (!tok) throw new FilterError(`incomplete $filter '${this.text}'`);
    // A datetime is a string here: compare() reads dates on both sides as instants.
    if (tok.t === "string" || tok.t === "number" || tok.t === "datetime") return { value: tok.v };
    if (tok.t === "ident") {
      const w = tok.v.toLowerCase();
      if (w === "true" || w === "false") return { value: w === "true" };
      if (w === "null") return { value: null };
      return { field: this.field(tok.v) };
    }
    throw new FilterError(`unexpected '${tok.v}' in $filter '${this.text}'`);
  }

  private field(name: string): string {
    const f = this.fields.find((x) => x.toLowerCase() === name.toLowerCase());
    if (!f)
      throw new FilterError(
        `'${name}' cannot be filtered on; supported fields are ${this.fields.join(", ")}`,
      );
    return f;
  }

  private isWord(w: string): boolean {
    const t = this.tokens[this.pos];
    return t?.t === "ident" && t.v.toLowerCase() === w;
  }

  private expect(t: Token["t"]): Token {
    const tok = this.tokens[this.pos++];
    if (!tok || tok.t !== t) throw new FilterError(`expected '${t}' in $filter '${this.text}'`);
    return tok;
  }
}
