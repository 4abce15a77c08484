/**
 * PEM text in, clean PEM blocks out. Line-based and linear in the input: no regular expression
 * here can backtrack, so hostile input costs at most one pass. Messages name lines and labels,
 * never content: the text may hold a private key.
 */
import { resolve as resolvePath } from 'node:path'
import { InputError } from '../settings/input-error.js'

export interface PemHeader {
  name: string
  value: string
}

export interface PemBlock {
  /** What follows `BEGIN ` on the boundary line, e.g. `CERTIFICATE`. */
  label: string
  /** RFC 1421 headers before the body, e.g. `Proc-Type: 4,ENCRYPTED`. */
  headers: PemHeader[]
  /** The base64 body with all whitespace removed. */
  body: string
  /** 1-based line of the BEGIN boundary. */
  line: number
}

/** Malformed PEM. The message holds line numbers and labels only; callers wrap it in InputError. */
export class PemError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PemError'
  }
}

const DASHES = '-----'
const BEGIN = '-----BEGIN '
const END = '-----END '
const LINE_WIDTH = 64
/** Labels longer than this, or with other characters, are not quoted back (they may be content). */
const QUOTABLE_LABEL = /^[A-Z0-9 ]{1,40}$/
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/

/** A label as it may appear in a message: itself when it looks like one, a description otherwise. */
export function describeLabel(label: string): string {
  return QUOTABLE_LABEL.test(label) ? label : '(unrecognised label)'
}

/** True when `text` is non-empty strict base64 (no whitespace, correct padding). */
export function isStrictBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && BASE64_BODY.test(text)
}

type Segment = { kind: 'begin' | 'end'; label: string } | { kind: 'text'; text: string }

/**
 * Splits one line into boundary markers and the text around them, so that a PEM whose line
 * breaks became spaces (a common accident with pasted secrets) still scans.
 */
function splitLine(line: string, lineNo: number): Segment[] {
  const segments: Segment[] = []
  let textStart = 0
  let pos = 0
  for (;;) {
    const at = line.indexOf(DASHES, pos)
    if (at < 0) break
    const kind = line.startsWith(BEGIN, at) ? 'begin' : line.startsWith(END, at) ? 'end' : null
    if (!kind) {
      pos = at + 1
      continue
    }
    const labelStart = at + (kind === 'begin' ? BEGIN.length : END.length)
    const close = line.indexOf(DASHES, labelStart)
    if (close < 0) throw new PemError(`line ${lineNo}: malformed ${kind.toUpperCase()} line`)
    segments.push({ kind: 'text', text: line.slice(textStart, at) })
    segments.push({ kind, label: line.slice(labelStart, close).trim() })
    pos = textStart = close + DASHES.length
  }
  segments.push({ kind: 'text', text: line.slice(textStart) })
  return segments
}

interface OpenBlock {
  label: string
  line: number
  headers: PemHeader[]
  bodyParts: string[]
}

/** Adds a text segment inside a block: a header line while no body has been seen, else base64. */
function addBlockText(block: OpenBlock, raw: string, lineNo: number): void {
  const text = raw.trim()
  if (text === '') return
  const colon = text.indexOf(':')
  if (colon > 0 && block.bodyParts.length === 0) {
    block.headers.push({ name: text.slice(0, colon).trim(), value: text.slice(colon + 1).trim() })
    return
  }
  const compact = text.replace(/\s+/g, '')
  if (!BASE64_LINE.test(compact)) {
    throw new PemError(
      `line ${lineNo} is not base64 (inside the block begun on line ${block.line})`
    )
  }
  block.bodyParts.push(compact)
}

function closeBlock(block: OpenBlock, label: string, lineNo: number): PemBlock {
  if (label !== block.label) {
    throw new PemError(
      `line ${lineNo}: END ${describeLabel(label)} does not match ` +
        `BEGIN ${describeLabel(block.label)} on line ${block.line}`
    )
  }
  const body = block.bodyParts.join('')
  if (body === '') throw new PemError(`the block begun on line ${block.line} is empty`)
  if (!isStrictBase64(body)) {
    throw new PemError(
      `the block begun on line ${block.line} is not valid base64 (bad length or padding)`
    )
  }
  return { label, headers: block.headers, body, line: block.line }
}

/** Text outside blocks is dropped, unless it is a boundary that lost its dashes. */
function checkOutsideText(text: string, lineNo: number): void {
  if (text.includes('-----BEGIN') || text.includes('-----END')) {
    throw new PemError(`line ${lineNo}: malformed boundary line`)
  }
}

/**
 * Every PEM block in `text`, in order. CRLF/CR line ends, surrounding whitespace, a byte order
 * mark and text between blocks (`Bag Attributes`, `subject=` lines, comments) are dropped.
 * Throws PemError on a BEGIN without END, an END without BEGIN, mismatched labels, a BEGIN
 * inside a block or a body that is not base64.
 */
export function scanPem(text: string): PemBlock[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
  const blocks: PemBlock[] = []
  let open: OpenBlock | null = null
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1
    for (const segment of splitLine(lines[index], lineNo)) {
      if (segment.kind === 'text') {
        if (open) addBlockText(open, segment.text, lineNo)
        else checkOutsideText(segment.text, lineNo)
      } else if (segment.kind === 'begin') {
        if (open) {
          throw new PemError(`line ${lineNo}: BEGIN inside the block begun on line ${open.line}`)
        }
        if (segment.label === '') throw new PemError(`line ${lineNo}: BEGIN without a label`)
        open = { label: segment.label, line: lineNo, headers: [], bodyParts: [] }
      } else {
        if (!open) throw new PemError(`line ${lineNo}: END without BEGIN`)
        blocks.push(closeBlock(open, segment.label, lineNo))
        open = null
      }
    }
  }
  if (open) {
    throw new PemError(
      `the block begun on line ${open.line} (${describeLabel(open.label)}) has no END line`
    )
  }
  return blocks
}

/** The value of a header, matched case-insensitively. */
export function headerValue(block: PemBlock, name: string): string | undefined {
  const wanted = name.toLowerCase()
  return block.headers.find(header => header.name.toLowerCase() === wanted)?.value
}

/** One block as PEM: 64-character lines, LF, one trailing newline. */
export function encodePem(
  block: Pick<PemBlock, 'label' | 'body'> & { headers?: PemHeader[] }
): string {
  const lines = [`${BEGIN}${block.label}${DASHES}`]
  const headers = block.headers ?? []
  for (const header of headers) lines.push(`${header.name}: ${header.value}`)
  if (headers.length > 0) lines.push('')
  for (let at = 0; at < block.body.length; at += LINE_WIDTH) {
    lines.push(block.body.slice(at, at + LINE_WIDTH))
  }
  lines.push(`${END}${block.label}${DASHES}`)
  return lines.join('\n') + '\n'
}

/** DER bytes as a PEM block. */
export function derToPem(label: string, der: Uint8Array): string {
  return encodePem({ label, body: Buffer.from(der).toString('base64') })
}

export interface ResolveOptions {
  /** Relative paths are resolved against this directory (GITHUB_WORKSPACE). */
  workspace: string
  readFile: (path: string) => Buffer
  exists: (path: string) => boolean
  /** Whether the path is a directory (for the message); absent: never said. */
  isDirectory?: (path: string) => boolean
  /** Default 1 MiB. */
  maxBytes?: number
}

const MIB = 1024 * 1024
const MAX_PATH_LENGTH = 4096

function sizeName(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`
}

/** Decodes file bytes: UTF-16 when a byte order mark says so (Windows editors), else UTF-8. */
function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return bytes.subarray(2).toString('utf16le')
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le')
  }
  return bytes.toString('utf8')
}

function looksLikePath(value: string): boolean {
  return value !== '' && value.length <= MAX_PATH_LENGTH && !/[\0\n\r]/.test(value)
}

function fileExists(options: ResolveOptions, path: string): boolean {
  try {
    return options.exists(path)
  } catch {
    return false
  }
}

function readPemFile(input: string, path: string, options: ResolveOptions, max: number): string {
  let bytes: Buffer
  try {
    bytes = options.readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | null)?.code
    throw new InputError(
      input,
      `names the file ${path}, which could not be read${code ? ` (${code})` : ''}`
    )
  }
  if (bytes.length > max) {
    throw new InputError(input, `is larger than ${sizeName(max)} (file ${path})`)
  }
  const text = decodeText(bytes)
  if (!text.includes('-----BEGIN')) {
    throw new InputError(
      input,
      `names the file ${path}, which holds no PEM block (-----BEGIN ...); ` +
        'a DER file can be converted with openssl (e.g. openssl x509 -inform der -in cert.der)'
    )
  }
  return text
}

/** The PEM text inside strict base64 (whitespace allowed), or undefined. */
function decodeBase64Pem(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '')
  if (!isStrictBase64(compact)) return undefined
  const text = Buffer.from(compact, 'base64').toString('utf8')
  return text.includes('-----BEGIN') ? text : undefined
}

/**
 * The PEM text an input names: the value itself when it holds `-----BEGIN`, else the file at
 * that path (relative to the workspace; `~` is not expanded), else the decoded value when it is
 * base64 of PEM text. Throws InputError otherwise; messages never quote the value or the file.
 */
export function resolvePemInput(
  input: 'cert' | 'key',
  value: string,
  options: ResolveOptions
): string {
  const max = options.maxBytes ?? MIB
  if (Buffer.byteLength(value, 'utf8') > max) {
    throw new InputError(input, `is larger than ${sizeName(max)}`)
  }
  if (value.includes('-----BEGIN')) return value
  const trimmed = value.trim()
  if (looksLikePath(trimmed)) {
    const path = resolvePath(options.workspace, trimmed)
    if (fileExists(options, path)) return readPemFile(input, path, options, max)
  }
  const decoded = decodeBase64Pem(trimmed)
  if (decoded !== undefined) return decoded
  if (looksLikePath(trimmed) && !looksLikeData(trimmed)) {
    const path = resolvePath(options.workspace, trimmed)
    const tilde = trimmed.startsWith('~') ? ' (~ is not expanded: give an absolute path)' : ''
    if (isDirectory(options, path))
      throw new InputError(input, `names ${path}, which is a directory`)
    throw new InputError(
      input,
      `is not PEM text nor base64 of it, and no such file: ${path}${tilde}`
    )
  }
  throw new InputError(input, 'is neither PEM text, a readable file, nor base64 of PEM text')
}

/** Base64, or a long run of its characters (a DER key, a cut-off secret), is data, never quoted
 * as a path: only what looks like a path is named in the message. */
function looksLikeData(value: string): boolean {
  const compact = value.replace(/\s+/g, '')
  return isStrictBase64(compact) || (compact.length >= 64 && /^[A-Za-z0-9+/=_-]+$/.test(compact))
}

function isDirectory(options: ResolveOptions, path: string): boolean {
  try {
    return options.isDirectory?.(path) ?? false
  } catch {
    return false
  }
}
