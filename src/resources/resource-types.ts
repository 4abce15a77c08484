/**
 * The cloud resource types Tencent SSL can move a certificate on (UpdateCertificateInstance) or
 * bind one to (DeployCertificateInstance), which of them are regional, and how each names one
 * resource in `InstanceIdList`. Pure data and string functions, shared by the input parsers, the
 * planners and the API decoders.
 */

/** Types `replace` accepts (UpdateCertificateInstance.ResourceTypes), in the contract's order. */
export const REPLACE_TYPES = [
  'cdn',
  'clb',
  'teo',
  'waf',
  'live',
  'vod',
  'ddos',
  'tke',
  'apigateway',
  'tcb',
  'cos',
  'tse',
  'mqtt',
  'scf',
  'tdmq',
  'gaap'
] as const
export type ReplaceType = (typeof REPLACE_TYPES)[number]

/** Types whose update needs `ResourceTypesRegions` (the SDK's list: regions come from the
 * binding check, never from the user). */
export const UPDATE_REGIONAL: ReadonlySet<string> = new Set([
  'clb',
  'tke',
  'apigateway',
  'waf',
  'tcb',
  'tse',
  'cos',
  'mqtt',
  'scf',
  'tdmq'
])

/** DescribeHostDeployRecord's `ResourceType` values, as the SDK's request model documents them.
 * Not live or mqtt: their deploy records are never asked for; the binding check decides. */
export const DEPLOY_RECORD_TYPES: ReadonlySet<string> = new Set([
  'clb',
  'cdn',
  'ddos',
  'waf',
  'apigateway',
  'teo',
  'tke',
  'cos',
  'lighthouse',
  'vod',
  'tcb',
  'tse'
])

/** Types `deploy-to` accepts (DeployCertificateInstance.ResourceType). */
export const DEPLOY_TYPES = [
  'clb',
  'cdn',
  'ddos',
  'live',
  'vod',
  'waf',
  'apigateway',
  'teo',
  'tke',
  'cos',
  'lighthouse',
  'tse',
  'tcb',
  'mqtt'
] as const
export type DeployType = (typeof DEPLOY_TYPES)[number]

/** Types whose deployment needs the common `Region` (X-TC-Region): one region per call. */
export const DEPLOY_REGIONAL: ReadonlySet<string> = new Set([
  'clb',
  'waf',
  'apigateway',
  'cos',
  'lighthouse',
  'tke',
  'tse',
  'tcb',
  'mqtt'
])

const DOMAIN = String.raw`(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+`
const ID = String.raw`[A-Za-z0-9][\w.-]*`
const REGION_TEXT = String.raw`[a-z]+(?:-[a-z0-9]+)+`
/** A Tencent region id: `ap-guangzhou`, `na-siliconvalley`, `ap-shanghai-fsi`. */
export const REGION = new RegExp(`^${REGION_TEXT}$`)

interface InstanceFormat {
  /** How the user writes it, for messages. */
  shape: string
  example: string
  pattern: RegExp
}

const format = (shape: string, example: string, ...parts: string[]): InstanceFormat => ({
  shape,
  example,
  pattern: new RegExp(`^${parts.join(String.raw`\|`)}$`, 'i')
})

/** `InstanceIdList` entries per deploy type (Tencent's DeployCertificateInstance reference). */
export const INSTANCE_FORMATS: Record<DeployType, InstanceFormat> = {
  clb: format(
    'LoadBalancerId|ListenerId[|Domain]',
    'lb-12345678|lbl-12345678',
    `lb-${ID}`,
    `lbl-${ID}(?:\\|${DOMAIN})?`
  ),
  cdn: format('Domain[|on or off]', 'www.example.com', `${DOMAIN}(?:\\|(?:on|off))?`),
  ddos: format(
    'InstanceId|Domain|VirtualPort',
    'bgpip-000001ms|www.example.com|443',
    ID,
    DOMAIN,
    '\\d{1,5}'
  ),
  live: format('Domain', 'live.example.com', DOMAIN),
  vod: format('Domain', 'vod.example.com', DOMAIN),
  waf: format('Domain', 'www.example.com', DOMAIN),
  teo: format('Domain', 'www.example.com', DOMAIN),
  apigateway: format('ServiceId|Domain', 'service-8sk7cqmd|api.example.com', ID, DOMAIN),
  tke: format('ClusterId|Namespace|SecretName', 'cls-42sa0ae0|default|www-tls', ID, ID, ID),
  cos: format(
    'Region|Bucket|Domain',
    'ap-hongkong|assets-1250000000|cdn.example.com',
    REGION_TEXT,
    ID,
    DOMAIN
  ),
  lighthouse: format(
    'Region|InstanceId|Domain',
    'ap-shanghai|lhins-abc123|www.example.com',
    REGION_TEXT,
    ID,
    DOMAIN
  ),
  tse: format(
    'GatewayId|CertificateId',
    'gateway-s1da9151|fa61bc05-cc54-4eea-c932-24de52577372',
    ID,
    ID
  ),
  tcb: format(
    'Type|Region|EnvId|Domain',
    'AccessService|ap-shanghai|env-4s5h0ymg|www.example.com',
    '(?:AccessService|HostService)',
    REGION_TEXT,
    ID,
    DOMAIN
  ),
  mqtt: format('InstanceId|CertId', 'mqtt-rdnwp7kb|gehs6jsx', ID, ID)
}

/**
 * The resource an `InstanceIdList` entry names, as the action reports it and compares it:
 * what the update records and the binding details can name too. A CDN domain without its
 * billing switch; a TSE gateway and an MQTT instance without the certificate id that their
 * deploy entry adds; domains lower-cased.
 */
export function canonicalInstance(type: string, instance: string): string {
  const parts = instance.split('|')
  switch (type) {
    case 'cdn':
    case 'tse':
    case 'mqtt':
      return type === 'cdn' ? parts[0].toLowerCase() : parts[0]
    case 'live':
    case 'vod':
    case 'waf':
    case 'teo':
    case 'scf':
      return instance.toLowerCase()
    default:
      return parts
        .map((part, i) => (i > 0 && part.includes('.') ? part.toLowerCase() : part))
        .join('|')
  }
}

/** Region, type and instance as one comparable key; `null` region for global types. */
export function resourceKey(r: { type: string; region: string | null; instance: string }): string {
  return `${r.type}@${r.region ?? ''}@${canonicalInstance(r.type, r.instance)}`
}
