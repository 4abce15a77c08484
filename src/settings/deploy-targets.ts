/**
 * Parsers of the resource inputs, pure: `deploy-to` (one `TYPE:INSTANCE[@REGION]` per line),
 * `replace` (`true`, `false`, or a list of types) and `replace-timeout` (seconds). A bad value
 * is an InputError that names the input, the offending entry and what the input accepts, raised
 * before any request.
 */
import { InputError } from './input-error.js'
import {
  DEPLOY_REGIONAL,
  DEPLOY_TYPES,
  INSTANCE_FORMATS,
  REGION,
  REPLACE_TYPES,
  canonicalInstance,
  type DeployType,
  type ReplaceType
} from '../resources/resource-types.js'

export interface DeployTarget {
  type: DeployType
  /** As written (a CDN entry keeps its billing switch: it is what Tencent is sent). */
  instance: string
  /** Set exactly for the types that need the common Region. */
  region: string | null
}

/** `replace`: off, every type the binding check finds, or only these types. */
export type ReplaceScope = false | 'all' | readonly ReplaceType[]

export const REPLACE_TIMEOUT_DEFAULT_S = 600
const TIMEOUT_MIN_S = 30
const TIMEOUT_MAX_S = 3600

const listOf = (values: readonly string[]): string => values.join(', ')

export function parseDeployTo(raw: string): DeployTarget[] {
  const targets: DeployTarget[] = []
  const seen = new Set<string>()
  const lines = raw.split(/\r?\n/)
  lines.forEach((text, index) => {
    const line = text.trim()
    if (line === '') return
    const target = parseTarget(line, `line ${index + 1} '${line}'`)
    const key = `${target.type}@${target.region ?? ''}@${canonicalInstance(target.type, target.instance)}`
    if (seen.has(key)) return
    seen.add(key)
    targets.push(target)
  })
  return targets
}

function parseTarget(line: string, where: string): DeployTarget {
  const fail = (problem: string): never => {
    throw new InputError('deploy-to', `${where}: ${problem}`)
  }
  const colon = line.indexOf(':')
  if (colon <= 0) fail(`write TYPE:INSTANCE[@REGION], one per line, e.g. cdn:www.example.com`)
  const type = line.slice(0, colon).trim().toLowerCase()
  if (!(DEPLOY_TYPES as readonly string[]).includes(type))
    fail(`unknown type '${type}'; the types are ${listOf(DEPLOY_TYPES)}`)
  const deployType = type as DeployType
  let instance = line.slice(colon + 1).trim()
  let region: string | null = null
  const at = instance.lastIndexOf('@')
  if (at >= 0) {
    region = instance.slice(at + 1).trim()
    instance = instance.slice(0, at).trim()
  }
  const { shape, example, pattern } = INSTANCE_FORMATS[deployType]
  const regional = DEPLOY_REGIONAL.has(type)
  const wanted = `${type} takes ${shape}${regional ? '@REGION' : ''}, e.g. ${type}:${example}${regional ? '@ap-guangzhou' : ''}`
  if (!pattern.test(instance)) fail(`not a ${type} instance; ${wanted}`)
  if (regional && (region === null || region === ''))
    fail(`${type} is regional: add @REGION; ${wanted}`)
  if (!regional && region !== null) fail(`${type} is not regional: remove '@${region}'; ${wanted}`)
  if (region !== null && !REGION.test(region))
    fail(`'${region}' is not a region id such as ap-guangzhou`)
  // cos and lighthouse name their region inside the instance too: the two must agree.
  if ((type === 'cos' || type === 'lighthouse') && instance.split('|')[0] !== region)
    fail(`the instance's region '${instance.split('|')[0]}' differs from @${region}`)
  return { type: deployType, instance, region }
}

export function parseReplace(raw: string): ReplaceScope {
  const value = raw.trim()
  if (value === '' || /^false$/i.test(value)) return false
  if (/^true$/i.test(value)) return 'all'
  const types: ReplaceType[] = []
  for (const item of value.split(/[\s,]+/).filter(s => s !== '')) {
    const type = item.toLowerCase()
    if (!(REPLACE_TYPES as readonly string[]).includes(type))
      throw new InputError(
        'replace',
        `'${item}' is not a resource type; give true, false, or a list of: ${listOf(REPLACE_TYPES)}`
      )
    if (!types.includes(type as ReplaceType)) types.push(type as ReplaceType)
  }
  return types
}

/** Seconds, a whole number from 30 to 3600; 600 when empty. */
export function parseReplaceTimeout(raw: string): number {
  const value = raw.trim()
  if (value === '') return REPLACE_TIMEOUT_DEFAULT_S
  const seconds = Number(value)
  if (!/^\d{1,5}$/.test(value) || seconds < TIMEOUT_MIN_S || seconds > TIMEOUT_MAX_S)
    throw new InputError(
      'replace-timeout',
      `must be a whole number of seconds from ${TIMEOUT_MIN_S} to ${TIMEOUT_MAX_S}; got '${raw}'`
    )
  return seconds
}

/** API 2.0 has no resource actions: refused before any request, naming the input. */
export function checkResourceInputsForApi(
  api: '2.0' | '3.0',
  replace: ReplaceScope,
  deployTo: readonly DeployTarget[]
): void {
  if (api !== '2.0') return
  if (replace !== false)
    throw new InputError(
      'replace',
      "needs api '3.0': API 2.0 cannot move resources between certificates"
    )
  if (deployTo.length > 0)
    throw new InputError(
      'deploy-to',
      "needs api '3.0': API 2.0 cannot deploy certificates to resources"
    )
}
