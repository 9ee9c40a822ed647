/**
 * Go `encoding/json` scalar formatting (Go 1.22 and later), so that our bytes equal a Go sender's.
 *
 * Strings: `"` and `\` escaped, `\b \f \n \r \t` short, other C0 controls as `\u00XX`, `<` `>` `&`
 * as `\u003c` `\u003e` `\u0026` (HTML-safe escaping is on in `json.Marshal`), U+2028/U+2029 as
 * `\u2028`/`\u2029`, DEL and everything else literal. Go writes invalid UTF-8 as `\ufffd`; a lone
 * UTF-16 surrogate is the JavaScript equivalent, so it gets the same escape.
 *
 * Floats: the shortest decimal that round-trips, in `strconv` `'f'` form when
 * 1e-6 <= |x| < 1e21 and in `'e'` form otherwise, with a negative exponent's leading zero removed
 * (`1e-7`, `1e+21`). Zero keeps its sign (`-0`). NaN and infinities are not JSON.
 */

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

const HEX = '0123456789abcdef';

function unicodeEscape(code: number): string {
  return `\\u${HEX[(code >> 12) & 15]}${HEX[(code >> 8) & 15]}${HEX[(code >> 4) & 15]}${HEX[code & 15]}`;
}

function needsEscape(code: number): boolean {
  return (
    code < 0x20 ||
    code === 0x22 ||
    code === 0x5c ||
    code === 0x3c ||
    code === 0x3e ||
    code === 0x26 ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

/** Writes `text` as a JSON string literal exactly as Go's `json.Marshal` does. */
export function quoteGoString(text: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!needsEscape(code)) continue;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    out += text.slice(start, i);
    if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += SHORT_ESCAPES[code] ?? unicodeEscape(code);
    start = i + 1;
  }
  return `${out}${text.slice(start)}"`;
}

/** Replaces lone UTF-16 surrogates with U+FFFD, as Go does with invalid UTF-8 and bad `\u` escapes. */
export function replaceLoneSurrogates(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Shortest round-trip decimal digits of a positive finite number, and the decimal exponent of the first digit. */
function shortestDigits(abs: number): { digits: string; exponent: number } {
  // Number#toString is specified to give the shortest round-tripping digits, closest to the value.
  const [mantissa = '', exponentText = '0'] = String(abs).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + Number(exponentText);
  const leadingZeros = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leadingZeros).replace(/0+$/, '');
  point -= leadingZeros;
  return { digits, exponent: point - 1 };
}

/**
 * Formats a float64 as Go's `encoding/json` writes it.
 * @throws RangeError for NaN and infinities, which Go refuses to encode as well.
 */
export function formatGoFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be written as JSON`);
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const { digits, exponent } = shortestDigits(abs);
  if (abs < 1e-6 || abs >= 1e21) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

// Non-ASCII runes r whose unicode.ToUpper(unicode.ToLower(r)) is an ASCII letter: Kelvin sign, long s, dotted and dotless I.
const FOLDS_TO_ASCII: Readonly<Record<string, string>> = { '\u212a': 'K', '\u017f': 'S', '\u0130': 'I', '\u0131': 'I' };

/**
 * Go's `foldName` (how `json.Unmarshal` matches keys case-insensitively), exact for every key that
 * can match an ASCII field name: ASCII letters upper-cased, the four non-ASCII runes that fold onto
 * ASCII letters mapped to them, every other rune kept (it can never equal an ASCII name).
 */
export function foldGoKey(key: string): string {
  return key.replace(/[a-z\u0080-\uffff]/g, (c) => (c <= 'z' ? c.toUpperCase() : (FOLDS_TO_ASCII[c] ?? c)));
}
