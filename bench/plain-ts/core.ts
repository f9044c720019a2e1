// A plain TypeScript implementation of the core's per-item rules (call id, base URL, webhook,
// request building, response interpretation, Retry-After, redaction), written only to measure
// what the WebAssembly boundary costs. It lives in bench/ and is used by nothing else: the
// product uses the Rust core (crates/huskyvoice-core). bench/plain-ts/bench.mjs checks that it
// answers exactly like the WASM core on a set of cases before it is timed.
//
// Mirrors crates/huskyvoice-core/src/{call_id,base_url,webhook,request,interpret,
// response_body,http_date,redact,input,error}.rs and the JSON shapes of huskyvoice-core's JS API.

export type Via = 'rest' | 'webhook';
export type CoreErrorCode = 'INVALID_CALL_ID' | 'INVALID_BASE_URL' | 'INVALID_WEBHOOK' | 'INVALID_OPTIONS';

export interface CancelRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export type BuildResult =
  | { ok: true; request: CancelRequest }
  | { ok: false; error: { code: CoreErrorCode; message: string } };

export interface CancelResult {
  outcome: string;
  callId: string;
  callStatus?: string;
  message: string;
  httpStatus: number | null;
  retryable: boolean;
  retryAfterMs?: number;
}

class CoreError extends Error {
  code: CoreErrorCode;
  constructor(code: CoreErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const DEFAULT_BASE_URL = 'https://api.huskyvoice.ai';
const MAX_CALL_ID_LEN = 128;
const MAX_TOKEN_LEN = 256;
const MESSAGE_LIMIT = 300;
const MAX_RETRY_AFTER_MS = 86_400_000;
const MARK = '…(redacted)';

// ---------------------------------------------------------------------------------------------
// character classes (Rust's char methods)

const isAsciiAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiGraphic = (c: number): boolean => c >= 0x21 && c <= 0x7e;
const isControl = (c: number): boolean => c <= 0x1f || (c >= 0x7f && c <= 0x9f);
const isAsciiWhitespace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isAsciiHex = (c: number): boolean => isAsciiDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

// Unicode White_Space, what Rust's str::trim removes (JS's trim also removes U+FEFF).
const WS = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
function rustTrim(s: string): string {
  // Fast path: nothing to trim at either end (the common case).
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  if (s.length === 0 || (a > 32 && a < 127 && b > 32 && b < 127)) return s;
  return s.replace(WS, '');
}

function trimAsciiWhitespace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isAsciiWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isAsciiWhitespace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

/** UTF-8 length of a string. */
function byteLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
  }
  return n;
}

/** `s.get(..n)` in Rust: the first n bytes if n falls on a char boundary, else undefined. */
function bytePrefix(s: string, n: number): string | undefined {
  let ascii = s.length >= n;
  for (let i = 0; ascii && i < n; i++) if (s.charCodeAt(i) >= 0x80) ascii = false;
  if (ascii) return s.slice(0, n);
  let bytes = 0;
  let i = 0;
  while (i < s.length && bytes < n) {
    const c = s.charCodeAt(i);
    if (c < 0x80) { bytes += 1; i += 1; } else if (c < 0x800) { bytes += 2; i += 1; } else if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; i += 2; } else { bytes += 3; i += 1; }
  }
  if (bytes < n) return undefined; // shorter than n bytes
  return bytes === n ? s.slice(0, i) : undefined;
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/** error.rs describe_char */
function describeChar(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c === 32) return 'a space';
  if (c === 9) return 'a tab';
  if (c === 10 || c === 13) return 'a line break';
  if (isAsciiGraphic(c)) return `'${ch}'`;
  if (isControl(c)) return `the control character U+${hex4(c)}`;
  return `'${ch}' (U+${hex4(c)}, not ASCII)`;
}

/** error.rs number_text */
function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a >= 1e15) return `${sign}${Math.trunc(a / 1e15)}e15+`;
  const milli = Math.round(a * 1000);
  const whole = Math.floor(milli / 1000);
  const frac = milli % 1000;
  if (frac === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/** The first code point (with its 0-based char index) for which `bad` is true. */
function findBad(s: string, bad: (c: number) => boolean): [number, string] | null {
  let index = 0;
  for (const ch of s) {
    if (bad(ch.codePointAt(0)!)) return [index, ch];
    index++;
  }
  return null;
}

/** Takes `limit` chars, controls shown as U+FFFD, `…` when cut. */
function shown(s: string, limit: number): string {
  let out = '';
  let count = 0;
  for (const ch of s) {
    if (count === limit) return out + '…';
    out += isControl(ch.codePointAt(0)!) ? '\uFFFD' : ch;
    count++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// call ids

function isIdChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 95 || c === 45;
}

function validateId(input: string): string {
  const id = trimAsciiWhitespace(input);
  if (id.length === 0) {
    throw new CoreError('INVALID_CALL_ID', 'Call ID is empty. Provide the id HuskyVoice returned when the call was scheduled, e.g. call_abc_123.');
  }
  // Fast path: every UTF-16 unit allowed (then the id is ASCII and lengths agree).
  let clean = true;
  for (let i = 0; i < id.length; i++) {
    if (!isIdChar(id.charCodeAt(i))) { clean = false; break; }
  }
  if (!clean) {
    const [index, ch] = findBad(id, (c) => !isIdChar(c))!;
    throw new CoreError('INVALID_CALL_ID', `Call ID "${shown(id, 40)}" has ${describeChar(ch)} at position ${index + 1}. A call id may contain only ASCII letters, digits, '_' and '-' (e.g. call_abc_123); remove or replace that character.`);
  }
  if (id.length > MAX_CALL_ID_LEN) {
    throw new CoreError('INVALID_CALL_ID', `Call ID is ${id.length} characters long; the maximum is ${MAX_CALL_ID_LEN}. Check that the field holds a single call id, not a list or a whole record.`);
  }
  return id;
}

function encodePathSegment(segment: string): string {
  let plain = true;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (!(isAsciiAlnum(c) || c === 45 || c === 95 || c === 46 || c === 126)) { plain = false; break; }
  }
  if (plain) return segment;
  let out = '';
  for (const b of new TextEncoder().encode(segment)) {
    out += isAsciiAlnum(b) || b === 45 || b === 95 || b === 46 || b === 126
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// base URL

const baseErr = (m: string) => new CoreError('INVALID_BASE_URL', m);

function parseBaseUrl(input: string | undefined): string {
  if (input === undefined) return DEFAULT_BASE_URL;
  const s = rustTrim(input);
  if (s === '') return DEFAULT_BASE_URL;
  return parseNonEmpty(s);
}

function parseNonEmpty(input: string): string {
  const lowerPrefix = asciiLower(bytePrefix(input, 8) ?? input);
  let scheme: string;
  let rest: string;
  if (lowerPrefix.startsWith('https://')) { scheme = 'https'; rest = input.slice(8); } else if (lowerPrefix.startsWith('http://')) { scheme = 'http'; rest = input.slice(7); } else {
    throw baseErr(`Base URL "${shown(input, 60)}" must start with https:// (for example ${DEFAULT_BASE_URL}).`);
  }
  let q = -1;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 63 || c === 35) { q = i; break; }
  }
  if (q >= 0) {
    throw baseErr(`Base URL must not contain a query or fragment (${describeChar(rest[q]!)} found); give only the scheme, host, optional port and path, e.g. ${DEFAULT_BASE_URL}.`);
  }
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash) : '';
  if (authority.includes('@')) {
    throw baseErr("Base URL must not contain a user name or password before '@'; put the API key in the credential instead.");
  }
  const [rawHost, port] = splitHostPort(authority);
  const host = asciiLower(rawHost);
  if (scheme === 'http' && !isLoopback(host)) {
    throw baseErr(`Base URL uses plain http:// for host "${host}". Use https:// (plain http is only allowed for localhost, 127.0.0.0/8 and [::1]).`);
  }
  const prefix = normalisePath(path);
  return `${scheme}://${host}${port !== undefined ? `:${port}` : ''}${prefix}`;
}

function splitHostPort(authority: string): [string, string | undefined] {
  let host: string;
  let port: string | undefined;
  if (authority.startsWith('[')) {
    const rest = authority.slice(1);
    const end = rest.indexOf(']');
    if (end < 0) throw baseErr("Base URL has an IPv6 address without its closing ']'.");
    host = authority.slice(0, end + 2);
    const after = rest.slice(end + 1);
    if (after === '') port = undefined;
    else if (after.startsWith(':')) port = after.slice(1);
    else throw baseErr("Base URL has text after the IPv6 address; expected ':' and a port.");
    const inner = rest.slice(0, end);
    if (inner === '' || findBad(inner, (c) => !(isAsciiHex(c) || c === 58 || c === 46)) !== null) {
      throw baseErr("Base URL has an invalid IPv6 address between '[' and ']'.");
    }
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) { host = authority.slice(0, colon); port = authority.slice(colon + 1); } else { host = authority; port = undefined; }
  }
  if (host === '') throw baseErr(`Base URL has no host name; expected something like ${DEFAULT_BASE_URL}.`);
  if (!host.startsWith('[')) {
    let clean = true;
    for (let i = 0; clean && i < host.length; i++) {
      const c = host.charCodeAt(i);
      clean = isAsciiAlnum(c) || c === 45 || c === 46;
    }
    const bad = clean ? null : findBad(host, (c) => !(isAsciiAlnum(c) || c === 45 || c === 46));
    if (bad) {
      throw baseErr(`Base URL host "${shown(host, 60)}" has ${describeChar(bad[1])} at position ${bad[0] + 1}; a host may contain only letters, digits, '-' and '.'.`);
    }
  }
  if (port !== undefined) {
    let valid = port !== '' && port.length <= 5;
    let n = 0;
    for (let i = 0; valid && i < port.length; i++) {
      const c = port.charCodeAt(i);
      valid = isAsciiDigit(c);
      n = n * 10 + c - 48;
    }
    valid = valid && n >= 1 && n <= 65535;
    if (!valid) throw baseErr(`Base URL port "${shown(port, 60)}" is not a number from 1 to 65535.`);
  }
  return [host, port];
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '[::1]') return true;
  if (!host.startsWith('127.')) return false;
  const octets = host.split('.');
  if (octets.length !== 4) return false;
  for (const o of octets) {
    if (o.length === 0 || o.length > 3) return false;
    let n = 0;
    for (let i = 0; i < o.length; i++) {
      const c = o.charCodeAt(i);
      if (!isAsciiDigit(c)) return false;
      n = n * 10 + c - 48;
    }
    if (n > 255) return false;
  }
  return true;
}

function normalisePath(path: string): string {
  if (path === '') return path;
  const bad = findBad(path, (c) => !(isAsciiAlnum(c) || c === 47 || c === 45 || c === 95 || c === 46 || c === 126));
  if (bad) {
    throw baseErr(`Base URL path "${shown(path, 60)}" has ${describeChar(bad[1])} at position ${bad[0] + 1}; use only letters, digits, '/', '-', '_', '.' and '~'.`);
  }
  if (path.split('/').some((seg) => seg === '.' || seg === '..')) {
    throw baseErr("Base URL path must not contain '.' or '..' segments.");
  }
  let p = path.replace(/\/+$/, '');
  if (p.endsWith('/v1')) p = p.slice(0, -3).replace(/\/+$/, '');
  if (p.includes('//')) throw baseErr("Base URL path must not contain empty segments ('//').");
  return p;
}

// ---------------------------------------------------------------------------------------------
// webhook

const hookErr = (m: string) => new CoreError('INVALID_WEBHOOK', m);

function parseWebhook(input: string): { base: string | undefined; token: string } {
  const s = rustTrim(input);
  if (s === '') {
    throw hookErr('Webhook is empty. Paste the inbound webhook URL from HuskyVoice (https://api.huskyvoice.ai/v1/hooks/…) or just its secret token.');
  }
  const lower = asciiLower(bytePrefix(s, 8) ?? s);
  if (!(lower.startsWith('https://') || lower.startsWith('http://'))) {
    if (s.includes('/')) {
      throw hookErr('Webhook looks like a URL without https:// in front. Paste the whole inbound webhook URL starting with https://, or just the token.');
    }
    return { base: undefined, token: validateToken(s, 'Webhook token') };
  }
  const trimmed = s.replace(/\/+$/, '');
  const marker = '/v1/hooks/';
  const at = trimmed.lastIndexOf(marker);
  if (at < 0) {
    throw hookErr('Webhook URL does not contain /v1/hooks/<token>. Copy the full inbound webhook URL from HuskyVoice, or paste just the token.');
  }
  let base: string;
  try {
    base = parseBaseUrl(trimmed.slice(0, at));
  } catch (e) {
    throw hookErr(`Webhook URL: ${(e as Error).message.replace('Base URL', 'its address')}`);
  }
  return { base, token: validateToken(trimmed.slice(at + marker.length), 'Webhook URL token (the part after /v1/hooks/)') };
}

function validateToken(token: string, what: string): string {
  if (token === '') throw hookErr(`${what} is empty; copy the whole inbound webhook URL from HuskyVoice.`);
  const bad = findBad(token, (c) => !(isAsciiAlnum(c) || c === 45 || c === 95 || c === 46 || c === 126));
  if (bad) {
    throw hookErr(`${what} has ${describeChar(bad[1])} at position ${bad[0] + 1}; a token contains only ASCII letters, digits, '-', '_', '.' and '~'. Copy it again without extra characters.`);
  }
  if (token.length > MAX_TOKEN_LEN) {
    throw hookErr(`${what} is ${token.length} characters long; the maximum is ${MAX_TOKEN_LEN}. Check that only the webhook URL or its token was pasted.`);
  }
  return token;
}

// ---------------------------------------------------------------------------------------------
// redaction

export function redactedForm(secret: string): string {
  let count = 0;
  for (const _ of secret) { if (++count >= 8) break; }
  if (count < 8) return MARK;
  const first = secret.indexOf('_');
  if (first >= 0) {
    const second = secret.indexOf('_', first + 1);
    if (second >= 0) {
      const p0 = secret.slice(0, first);
      const p1 = secret.slice(first + 1, second);
      const p2 = secret.slice(second + 1);
      if ((p1 === 'live' || p1 === 'test') && byteLen(p0) <= 4 && byteLen(p2) >= 4) return `${p0}_${p1}_${MARK}`;
    }
  }
  return `${Array.from(secret).slice(0, 2).join('')}${MARK}`;
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0) return text;
  const list = secrets.map((s) => rustTrim(s)).filter((s) => s !== '');
  list.sort((a, b) => byteLen(b) - byteLen(a));
  let out = text;
  for (let i = 0; i < list.length; i++) {
    const secret = list[i]!;
    if (i > 0 && list[i - 1] === secret) continue;
    if (out.includes(secret)) out = out.split(secret).join(redactedForm(secret));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// building requests (input.rs + request.rs)

type Json = unknown;

function describe(v: Json): string {
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return `the number ${numberText(v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  return 'an object';
}

function textField(name: string, v: Json, code: CoreErrorCode, hint: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw new CoreError(code, `${name} must be text, but got ${describe(v)}. ${hint}`);
}

function validateApiKey(raw: string): string {
  let key = rustTrim(raw);
  if (byteLen(key) > 7 && asciiLower(key.slice(0, 7)) === 'bearer ') key = key.slice(7).replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/, '');
  if (key === '') {
    throw new CoreError('INVALID_OPTIONS', 'API key is empty. Paste the key from HuskyVoice (it starts with sk_live_ or sk_test_) into the credential.');
  }
  const bad = findBad(key, (c) => !isAsciiGraphic(c));
  if (bad) {
    throw new CoreError('INVALID_OPTIONS', `API key has ${describeChar(bad[1])} at position ${bad[0] + 1}; a key contains only visible ASCII characters. Copy it again without spaces or line breaks.`);
  }
  if (key.length > 512) {
    throw new CoreError('INVALID_OPTIONS', `API key is ${key.length} characters long; that is not a HuskyVoice key. Copy only the key.`);
  }
  return key;
}

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function buildOne(o: Json, context: string): CancelRequest {
  if (!isPlainObject(o)) {
    throw new CoreError('INVALID_OPTIONS', `${context}: options must be an object such as { via: 'rest', callId: 'call_abc_123' }`);
  }
  let via: Via | undefined;
  const v = o.via;
  if (typeof v === 'string') {
    if (v !== 'rest' && v !== 'webhook') {
      throw new CoreError('INVALID_OPTIONS', `Option "via" is "${Array.from(v).slice(0, 40).join('')}"; use "rest" (API key) or "webhook" (inbound webhook).`);
    }
    via = v;
  } else if (v !== undefined && v !== null) {
    throw new CoreError('INVALID_OPTIONS', `Option "via" must be "rest" or "webhook", but got ${describe(v)}.`);
  }
  const rawId = o.callId;
  if (rawId === undefined || rawId === null) {
    throw new CoreError('INVALID_CALL_ID', 'Call ID is missing (null or not set) for this item, so there is no call id to cancel. Check that the field Call ID reads (e.g. {{ $json.call_id }}) exists on the item.');
  }
  if (typeof rawId !== 'string') {
    throw new CoreError('INVALID_CALL_ID', `Call ID must be text, but got ${describe(rawId)}. HuskyVoice call ids look like call_abc_123; if yours arrive as numbers, convert them with String().`);
  }
  const r = o.redact;
  let redact = false;
  if (typeof r === 'boolean') redact = r;
  else if (r !== undefined && r !== null) {
    throw new CoreError('INVALID_OPTIONS', `Option "redact" must be true or false, but got ${describe(r)}.`);
  }
  const baseUrl = textField('Base URL', o.baseUrl, 'INVALID_BASE_URL', 'Give a URL such as https://api.huskyvoice.ai.');
  const apiKey = textField('API key', o.apiKey, 'INVALID_OPTIONS', 'Paste the key from HuskyVoice.');
  const webhook = textField('Webhook', o.webhook, 'INVALID_WEBHOOK', 'Paste the inbound webhook URL or its token.');
  if (via === undefined) {
    throw new CoreError('INVALID_OPTIONS', 'Option "via" is missing: set it to "rest" (API key) or "webhook" (inbound webhook).');
  }
  const callId = validateId(rawId);
  if (via === 'rest') {
    if (webhook !== undefined) {
      throw new CoreError('INVALID_OPTIONS', 'Option "webhook" was given with via "rest". Use via "webhook" to cancel through the inbound webhook, or drop the webhook option.');
    }
    const base = parseBaseUrl(baseUrl);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (apiKey !== undefined) {
      const key = validateApiKey(apiKey);
      headers.Authorization = `Bearer ${redact ? redactedForm(key) : key}`;
    }
    return { method: 'POST', url: `${base}/v1/calls/${encodePathSegment(callId)}/cancel`, headers };
  }
  if (apiKey !== undefined) {
    throw new CoreError('INVALID_OPTIONS', 'Option "apiKey" was given with via "webhook". The inbound webhook authenticates with its token only: drop apiKey, or use via "rest".');
  }
  if (webhook === undefined) {
    throw new CoreError('INVALID_WEBHOOK', 'Option "webhook" is missing: give the inbound webhook URL from HuskyVoice or its token.');
  }
  const hook = parseWebhook(webhook);
  const explicit = baseUrl === undefined || rustTrim(baseUrl) === '' ? undefined : parseBaseUrl(baseUrl);
  let base: string;
  if (hook.base !== undefined && explicit !== undefined && hook.base !== explicit) {
    throw new CoreError('INVALID_OPTIONS', `The webhook URL points at ${hook.base} but the base URL is ${explicit}. Clear the base URL, or paste just the token so the base URL is used.`);
  } else base = hook.base ?? explicit ?? DEFAULT_BASE_URL;
  const token = redact ? redactedForm(hook.token) : hook.token;
  return {
    method: 'POST',
    url: `${base}/v1/hooks/${token}`,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: `{"action":"call.cancel","data":{"call_id":"${callId}"}}`,
  };
}

// ---------------------------------------------------------------------------------------------
// interpreting responses (response_body.rs, http_date.rs, interpret.rs)

const CALL_STATES = ['queued', 'pending', 'scheduled', 'initiated', 'ringing', 'answered', 'in_progress', 'completed', 'failed', 'disallowed', 'cancelled'];
const PRE_DIAL = ['queued', 'pending', 'scheduled'];
const LEADS = ['already', 'is', 'was', 'been', 'now', 'currently', 'status'];

/** call_state.rs state_named_in: a state word right after a lead word. */
function stateNamedIn(message: string): string | undefined {
  const words = message.split(/[^A-Za-z0-9_-]+/).filter((w) => w !== '');
  for (let i = 0; i + 1 < words.length; i++) {
    const lead = words[i];
    const next = words[i + 1];
    if (lead === undefined || next === undefined || !LEADS.includes(asciiLower(lead))) continue;
    const after = words[i + 2];
    if (asciiLower(next) === 'in' && after !== undefined && asciiLower(after) === 'progress') return 'in_progress';
    const state = normaliseState(next);
    if (state !== undefined) return state;
  }
  return undefined;
}

function normaliseState(s: string): string | undefined {
  if (s === 'cancelled') return s;
  let n = asciiLower(rustTrim(s)).replace(/[- ]/g, '_');
  if (n === 'canceled') n = 'cancelled';
  return CALL_STATES.includes(n) ? n : undefined;
}

function clip(s: string): string {
  let oneLine = '';
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isControl(c)) { plain = false; break; }
  }
  if (plain) oneLine = s;
  else for (const ch of s) oneLine += isControl(ch.codePointAt(0)!) ? ' ' : ch;
  const t = rustTrim(oneLine);
  if (t.length <= MESSAGE_LIMIT) return t; // UTF-16 length >= char count
  const chars = Array.from(t);
  return chars.length <= MESSAGE_LIMIT ? t : chars.slice(0, MESSAGE_LIMIT).join('') + '…';
}

interface BodyFacts {
  isJsonObject: boolean;
  state?: string;
  otherStatus?: string;
  callId?: string;
  success?: boolean;
  code?: string;
  message?: string;
}

function strAt(v: Json, path: string[]): string | undefined {
  let cur = v;
  for (const key of path) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = cur[key];
  }
  return typeof cur === 'string' ? cur : undefined;
}

function readBody(body: string): BodyFacts {
  const trimmed = rustTrim(body);
  if (trimmed === '') return { isJsonObject: false };
  let parsed: Json;
  let ok = true;
  try { parsed = JSON.parse(trimmed); } catch { ok = false; }
  if (ok) {
    if (isPlainObject(parsed)) return fromObject(parsed);
    if (typeof parsed === 'string') return { isJsonObject: false, message: clip(parsed) };
    return { isJsonObject: false };
  }
  const lower = asciiLower(bytePrefix(trimmed, 512) ?? trimmed);
  const isHtml = trimmed.startsWith('<') || lower.includes('<html') || lower.includes('<!doctype');
  return { isJsonObject: false, message: isHtml ? undefined : clip(trimmed) };
}

function fromObject(v: Record<string, Json>): BodyFacts {
  const status = strAt(v, ['status']) ?? strAt(v, ['data', 'status']) ?? strAt(v, ['error', 'status']);
  const state = status === undefined ? undefined : normaliseState(status);
  const message = strAt(v, ['error', 'message']) ?? strAt(v, ['message']) ?? strAt(v, ['detail'])
    ?? strAt(v, ['error']) ?? strAt(v, ['data', 'message']) ?? strAt(v, ['error_description']);
  const code = strAt(v, ['error', 'code']) ?? strAt(v, ['code']);
  return {
    isJsonObject: true,
    state,
    otherStatus: state === undefined && status !== undefined ? clip(status) : undefined,
    callId: strAt(v, ['call_id']) ?? strAt(v, ['data', 'call_id']),
    success: typeof v.success === 'boolean' ? v.success : undefined,
    code: code === undefined ? undefined : clip(code),
    message: message === undefined ? undefined : clip(message),
  };
}

function saysNotCancellable(f: BodyFacts): boolean {
  const code = asciiUpper(f.code ?? '');
  if (code.includes('NOT_CANCELLABLE') || code.includes('NOT_CANCELABLE')) return true;
  const msg = asciiLower(f.message ?? '');
  return ['no longer be cancel', 'cannot be cancel', "can't be cancel", 'not cancellable', 'not cancelable', 'not be cancelled']
    .some((p) => msg.includes(p));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const I64 = /^[+-]?[0-9]+$/;

function parseHttpDate(s: string): number | undefined {
  const parts = s.split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/).filter((p) => p !== '');
  let day: string;
  let month: string;
  let year: number;
  let time: string;
  if (parts.length === 6 && parts[0]!.endsWith(',') && parts[5] === 'GMT') {
    if (!I64.test(parts[3]!)) return undefined;
    [day, month, year, time] = [parts[1]!, parts[2]!, Number(parts[3]), parts[4]!];
  } else if (parts.length === 4 && parts[0]!.endsWith(',') && parts[3] === 'GMT') {
    const dmy = parts[1]!.split('-');
    if (dmy.length !== 3 || byteLen(dmy[2]!) !== 2 || !I64.test(dmy[2]!)) return undefined;
    const yy = Number(dmy[2]);
    [day, month, year, time] = [dmy[0]!, dmy[1]!, yy < 70 ? 2000 + yy : 1900 + yy, parts[2]!];
  } else if (parts.length === 5) {
    if (!I64.test(parts[4]!)) return undefined;
    [day, month, year, time] = [parts[2]!, parts[1]!, Number(parts[4]), parts[3]!];
  } else return undefined;
  if (!/^[0-9]{1,2}$/.test(day)) return undefined;
  const d = Number(day);
  const m = MONTHS.indexOf(month) + 1;
  if (m === 0) return undefined;
  const hms = time.split(':');
  if (hms.length !== 3 || !hms.every((x) => /^[0-9]{2}$/.test(x))) return undefined;
  const [h, mi, se] = hms.map(Number) as [number, number, number];
  if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || year < 1 || year > 9999) return undefined;
  return daysFromCivil(year, m, d) * 86_400 + h * 3600 + mi * 60 + se;
}

function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.trunc((y >= 0 ? y : y - 399) / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.trunc((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.trunc(yoe / 4) - Math.trunc(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const v = rustTrim(value);
  if (/^[0-9]+$/.test(v)) return Math.min(Number(v) * 1000, MAX_RETRY_AFTER_MS);
  const at = parseHttpDate(v);
  if (at === undefined) return undefined;
  const now = Number.isFinite(nowMs) ? nowMs : 0;
  return Math.ceil(Math.min(Math.max(at * 1000 - now, 0), MAX_RETRY_AFTER_MS));
}

function retryAfterHeader(headers: Json): string | undefined {
  if (!isPlainObject(headers)) return undefined;
  // serde_json's map is sorted by key: the first match in key order wins.
  let value: Json;
  let found = false;
  const keys = Object.keys(headers).filter((k) => asciiLower(k) === 'retry-after').sort();
  if (keys.length > 0) { value = headers[keys[0]!]; found = true; }
  if (!found) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  if (typeof first === 'number' && Number.isInteger(first) && first >= 0) return String(first);
  return undefined;
}

const badResp = (m: string) => new CoreError('INVALID_OPTIONS', m);

function interpretOne(r: Json, clockMs: number): CancelResult {
  if (!isPlainObject(r)) {
    throw badResp('interpretCancelResponse: expects an object { via, callId, statusCode, headers, body }');
  }
  let secrets: string[] = [];
  if (r.secrets !== undefined && r.secrets !== null) {
    if (!Array.isArray(r.secrets)) throw badResp('interpretCancelResponse: "secrets" must be an array of strings.');
    secrets = r.secrets.filter((s): s is string => typeof s === 'string');
  }
  const via = r.via;
  if (via !== 'rest' && via !== 'webhook') {
    throw badResp('interpretCancelResponse: "via" must be "rest" or "webhook" (the transport the request used).');
  }
  if (typeof r.callId !== 'string') {
    throw badResp('interpretCancelResponse: "callId" must be the call id the request was for.');
  }
  const rawCallId = r.callId;
  let status: number | undefined;
  const sc = r.statusCode;
  if (sc === undefined || sc === null || sc === 0) status = undefined;
  else if (typeof sc === 'number' && Number.isInteger(sc) && sc >= 100 && sc <= 599) status = sc;
  else {
    const shownValue = typeof sc === 'number' ? numberText(sc) : describe(sc);
    throw badResp(`interpretCancelResponse: "statusCode" must be an HTTP status from 100 to 599 (or 0/null when no response arrived); got ${shownValue}.`);
  }
  const te = r.transportError;
  let transport: 'timeout' | 'connection' | undefined;
  if (te === undefined || te === null) transport = undefined;
  else if (typeof te === 'string' && asciiLower(te) === 'timeout') transport = 'timeout';
  else transport = 'connection';
  if (status === undefined && transport === undefined) {
    throw badResp('interpretCancelResponse: give "statusCode" for a response, or "transportError" ("timeout" or "connection") when none arrived.');
  }
  let body = '';
  if (r.body !== undefined && r.body !== null) {
    if (typeof r.body !== 'string') {
      throw badResp(`interpretCancelResponse: "body" must be the raw response text; got ${describe(r.body)}. Read the response as text, not parsed JSON.`);
    }
    body = r.body;
  }
  const nowMs = typeof r.nowMs === 'number' ? r.nowMs : clockMs;
  const retryAfter = retryAfterHeader(r.headers);
  const callId = rustTrim(rawCallId);

  const finish = (outcome: string, httpStatus: number | null, callStatus: string | undefined, message: string): CancelResult => {
    const retryable = outcome === 'rate_limited' || outcome === 'server_error';
    const out: CancelResult = { outcome, callId } as CancelResult;
    if (callStatus !== undefined) out.callStatus = callStatus;
    out.message = redactSecrets(message, secrets);
    out.httpStatus = httpStatus;
    out.retryable = retryable;
    if (retryable && retryAfter !== undefined) {
      const ms = parseRetryAfter(retryAfter, nowMs);
      if (ms !== undefined) out.retryAfterMs = ms;
    }
    return out;
  };

  if (status === undefined) {
    const what = transport === 'timeout' ? 'the request timed out before HuskyVoice answered' : 'the connection failed or was closed before a response arrived';
    return finish('server_error', null, undefined, `No response from HuskyVoice for call ${callId}: ${what}. This is retried; if it keeps failing, check the Base URL and the network.`);
  }
  const f = readBody(body);
  // interpret.rs http(): the status and what the server said, in one parenthesis.
  const m = f.message === undefined ? undefined : f.message.replace(/\.+$/, '') || undefined;
  const c = f.code !== undefined && f.code !== m ? f.code : undefined;
  const http = c !== undefined && m !== undefined ? `(HTTP ${status}, ${c}: "${m}")`
    : m !== undefined ? `(HTTP ${status}: "${m}")`
      : c !== undefined ? `(HTTP ${status}, ${c})` : `(HTTP ${status})`;
  if (status >= 200 && status <= 299) {
    if (f.callId !== undefined && f.callId !== callId) {
      return finish('invalid_response', status, undefined, `HuskyVoice answered HTTP ${status} about call ${Array.from(f.callId).slice(0, 64).join('')} instead of ${callId}; call ${callId} is not confirmed cancelled.`);
    }
    if (f.state === 'cancelled' && f.success !== false) {
      return finish('cancelled', status, 'cancelled', `Call ${callId} is cancelled.`);
    }
    if (via === 'webhook') {
      return finish('accepted', status, f.state, `The inbound webhook accepted the cancel action for call ${callId} ${http}, but did not confirm the call is cancelled. Check the call's status in HuskyVoice if you need certainty.`);
    }
    const why = !f.isJsonObject ? 'the body is not a JSON object'
      : f.state !== undefined ? `it reports status "${f.state}", not "cancelled"`
        : f.otherStatus !== undefined ? `it reports an unknown status "${f.otherStatus}"` : 'it has no status';
    return finish('invalid_response', status, f.state, `HuskyVoice answered HTTP ${status} for call ${callId} but ${why}; the call is not confirmed cancelled.`);
  }
  if (status === 400 || status === 409 || status === 422) {
    const state = f.state ?? (f.message === undefined ? undefined : stateNamedIn(f.message));
    if (state === 'cancelled') return finish('cancelled', status, 'cancelled', `Call ${callId} is already cancelled ${http}.`);
    if (state !== undefined && PRE_DIAL.includes(state)) return finish('invalid_response', status, state, `HuskyVoice answered for call ${callId} ${http} while reporting it ${state}; the call is not confirmed cancelled. Try again.`);
    if (state !== undefined) return finish('not_cancellable', status, state, `Call ${callId} can no longer be cancelled: it is ${state}. Only queued calls can be cancelled.`);
    if (saysNotCancellable(f)) return finish('not_cancellable', status, undefined, `Call ${callId} can no longer be cancelled ${http}. Only queued calls can be cancelled.`);
    return finish('invalid_response', status, undefined, `HuskyVoice rejected the cancel request for call ${callId} ${http}.`);
  }
  if (status === 402) {
    return finish('quota_exceeded', status, undefined, `HuskyVoice refused the request because the account has no credit left ${http}. Add credits in the HuskyVoice dashboard, then run again.`);
  }
  if (status === 429) {
    const wait = retryAfter === undefined ? undefined : parseRetryAfter(retryAfter, nowMs);
    if ((f.code ?? '').toUpperCase().includes('QUOTA') || (wait !== undefined && wait > 300_000)) {
      return finish('quota_exceeded', status, undefined, `HuskyVoice's request quota is used up ${http}. It resets later (the daily quota at 00:00 UTC); run again then, or raise the plan's quota.`);
    }
  }
  if (status === 401) {
    return finish('unauthorized', status, undefined, via === 'rest'
      ? `HuskyVoice rejected the API key ${http}. Check the API key in the HuskyVoice API credential: it may be mistyped, revoked, or for another environment.`
      : `HuskyVoice rejected the inbound webhook token ${http}. Copy the inbound webhook URL again from HuskyVoice into the HuskyVoice Inbound Webhook credential.`);
  }
  if (status === 403) {
    return finish('forbidden', status, undefined, `HuskyVoice refused to cancel call ${callId} ${http}. The credential is valid but not allowed to cancel calls: give the API key the calls:cancel scope in HuskyVoice.`);
  }
  if (status === 404) {
    return finish('not_found', status, undefined, via === 'rest'
      ? `Call ${callId} was not found ${http}. Check the call id and that the call belongs to the account of this API key.`
      : `Call ${callId} was not found ${http}. Check the call id, and that the inbound webhook URL is current.`);
  }
  if (status === 429) return finish('rate_limited', status, undefined, `HuskyVoice is rate limiting requests ${http}.`);
  if (status >= 500) return finish('server_error', status, undefined, `HuskyVoice had a server error ${http}.`);
  return finish('invalid_response', status, undefined, `Unexpected answer from HuskyVoice for call ${callId} ${http}; the call's state is unknown. Check the Base URL (a proxy may be answering).`);
}

// ---------------------------------------------------------------------------------------------
// the same five functions as huskyvoice-core's JS API

export function validateCallId(input: unknown): string {
  if (typeof input === 'string') return validateId(input);
  if (input === undefined || input === null) {
    throw new CoreError('INVALID_CALL_ID', 'Call ID is missing (null or not set) for this item, so there is no call id to cancel. Check that the field Call ID reads (e.g. {{ $json.call_id }}) exists on the item.');
  }
  throw new CoreError('INVALID_CALL_ID', `Call ID must be text, but got ${describe(input)}. HuskyVoice call ids look like call_abc_123; if yours arrive as numbers, convert them with String().`);
}

export function buildCancelRequest(options: unknown): CancelRequest {
  return buildOne(options, 'buildCancelRequest');
}

export function buildCancelRequests(options: unknown): BuildResult[] {
  if (!Array.isArray(options)) throw new CoreError('INVALID_OPTIONS', 'buildCancelRequests: expects an array of options objects');
  const out: BuildResult[] = new Array(options.length);
  for (let i = 0; i < options.length; i++) {
    try {
      out[i] = { ok: true, request: buildOne(options[i], 'buildCancelRequest') };
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      out[i] = { ok: false, error: { code: e.code, message: e.message } };
    }
  }
  return out;
}

export function interpretCancelResponse(response: unknown): CancelResult {
  return interpretOne(response, Date.now());
}

export function interpretCancelResponses(responses: unknown): CancelResult[] {
  if (!Array.isArray(responses)) throw new CoreError('INVALID_OPTIONS', 'interpretCancelResponses: expects an array');
  const now = Date.now();
  const out: CancelResult[] = new Array(responses.length);
  for (let i = 0; i < responses.length; i++) {
    try {
      out[i] = interpretOne(responses[i], now);
    } catch (e) {
      if (e instanceof CoreError) e.message = `item ${i}: ${e.message}`;
      throw e;
    }
  }
  return out;
}
