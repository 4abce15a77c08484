/**
 * Readers of the resource answers (API 3.0), pure: the binding task's instance details
 * (DescribeCertificateBindResourceTaskDetail) and the per-resource items of update and deploy
 * records (DescribeHostUpdateRecordDetail, DescribeHostDeployRecordDetail). Each resource comes
 * out as {type, region, instance}, the instance named the way `InstanceIdList` names it (see
 * resource-types.ts), so that a binding detail, a record item and a deploy-to entry for the same
 * resource compare equal.
 */
import { canonicalInstance } from '../resources/resource-types.js'
import { isRecord, optionalArray, type Fields } from './read.js'
import { malformed } from './transport.js'

export interface BoundResource {
  type: string
  /** null for global types (cdn, teo, live, ...). */
  region: string | null
  instance: string
}

/** One type and region of a binding detail page, as counted by Tencent. */
interface Listed {
  key: string
  total: number | undefined
  listed: number
}

export interface DetailPage {
  resources: BoundResource[]
  /** Lookup errors Tencent reported per type and region. */
  problems: string[]
  listed: Listed[]
}

/** Response array of the binding detail → resource type. */
const DETAIL_ARRAYS: Record<string, string> = {
  CLB: 'clb',
  CDN: 'cdn',
  WAF: 'waf',
  DDOS: 'ddos',
  LIVE: 'live',
  VOD: 'vod',
  TKE: 'tke',
  APIGATEWAY: 'apigateway',
  TCB: 'tcb',
  TEO: 'teo',
  TSE: 'tse',
  COS: 'cos',
  TDMQ: 'tdmq',
  MQTT: 'mqtt',
  GAAP: 'gaap',
  SCF: 'scf'
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined

const records = (value: unknown): Fields[] => (optionalArray(value) ?? []).filter(isRecord)

/** The non-empty parts joined with `|`, or undefined when a required part is missing. */
function joined(...parts: (string | undefined)[]): string | undefined {
  return parts.every(p => p !== undefined) ? parts.join('|') : undefined
}

/** False when the item names another certificate than the one asked about. */
const carries = (certId: string, value: unknown): boolean => {
  const id = isRecord(value) ? text(value.CertId) : text(value)
  return id === undefined || id === certId
}

/** The instances of one type's InstanceList, named as InstanceIdList names them. */
function instancesOf(type: string, item: Fields, region: string | null, certId: string): string[] {
  const domain = text(item.Domain)
  switch (type) {
    case 'clb':
      return records(item.Listeners).flatMap(listener => {
        const base = joined(text(item.LoadBalancerId), text(listener.ListenerId))
        if (base === undefined) return []
        // With SNI each rule's domain carries its own certificate; without, the listener does.
        const rules = records(listener.Rules).filter(
          r => text(r.Domain) && carries(certId, r.Certificate)
        )
        if (listener.SniSwitch === 1 && rules.length > 0)
          return rules.map(rule => `${base}|${text(rule.Domain)}`)
        return carries(certId, listener.Certificate) ? [base] : []
      })
    case 'cdn':
    case 'waf':
    case 'live':
    case 'vod':
    case 'scf':
      return carries(certId, item.CertId ?? item.CertificateId) && domain ? [domain] : []
    case 'teo':
      return carries(certId, item.CertId) && text(item.Host) ? [text(item.Host) as string] : []
    case 'ddos':
      return listed(joined(text(item.InstanceId), domain, text(item.VirtualPort)))
    case 'apigateway':
      return listed(joined(text(item.ServiceId), domain))
    case 'tke':
      return records(item.NamespaceList).flatMap(ns =>
        records(ns.SecretList)
          .filter(secret => carries(certId, secret.CertId))
          .flatMap(secret => listed(joined(text(item.ClusterId), text(ns.Name), text(secret.Name))))
      )
    case 'cos':
      return listed(joined(text(item.Region) ?? region ?? undefined, text(item.Bucket), domain))
    case 'gaap':
      return records(item.ListenerList).flatMap(l =>
        listed(joined(text(item.InstanceId), text(l.ListenerId)))
      )
    case 'tse':
      return listed(text(item.GatewayId))
    default:
      return listed(text(item.InstanceId))
  }
}

const listed = (instance: string | undefined): string[] =>
  instance === undefined ? [] : [instance]

/** TCB lists environments, each with its access and hosting services. */
function tcbInstances(entry: Fields, region: string | null): string[] {
  return records(entry.Environments).flatMap(env => {
    const envId = isRecord(env.Environment) ? text(env.Environment.ID) : undefined
    return (['AccessService', 'HostService'] as const).flatMap(service => {
      const list = isRecord(env[service]) ? records((env[service] as Fields).InstanceList) : []
      return list.flatMap(i => listed(joined(service, region ?? undefined, envId, text(i.Domain))))
    })
  })
}

/** One page of DescribeCertificateBindResourceTaskDetail for certificate `certId`. */
export function decodeDetailPage(data: Fields, certId: string): DetailPage {
  const page: DetailPage = { resources: [], problems: [], listed: [] }
  for (const [field, type] of Object.entries(DETAIL_ARRAYS)) {
    for (const entry of records(data[field])) {
      const region = text(entry.Region) ?? null
      const where = region ? `${type} in ${region}` : type
      const error = text(entry.Error)
      if (error) page.problems.push(`${where}: ${error}`)
      const items = type === 'tcb' ? [] : records(entry.InstanceList)
      const instances =
        type === 'tcb'
          ? tcbInstances(entry, region)
          : items.flatMap(i => instancesOf(type, i, region, certId))
      for (const instance of instances)
        page.resources.push({ type, region, instance: canonicalInstance(type, instance) })
      const total = typeof entry.TotalCount === 'number' ? entry.TotalCount : undefined
      page.listed.push({ key: where, total, listed: items.length })
    }
  }
  return page
}

export interface RecordItem extends BoundResource {
  /** `Id`: what UpdateCertificateRecordRetry takes as DeployRecordDetailId. */
  detailId: number
  /** 0 pending, 1 success, 2 failed, 3 running, 4 rolled back, 5 rollback failed, 6 nothing to do. */
  status: number
  /** Tencent's ErrorMsg, '' when none. */
  error: string
  certId: string
  oldCertId: string
}

/** `\u4e0d...` sequences that some answers leave escaped, decoded. */
function unescaped(message: string): string {
  return message.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16))
  )
}

/** The resource an update or deploy record item names, for its type. */
export function instanceOfItem(type: string, item: Fields): string | undefined {
  const domain = optionalArray(item.Domains)
    ?.map(text)
    .find(d => d !== undefined)
  const id = text(item.InstanceId)
  switch (type) {
    case 'clb': {
      const base = joined(id, text(item.ListenerId))
      return base && item.SniSwitch === 1 && domain ? `${base}|${domain}` : base
    }
    case 'cdn':
    case 'live':
    case 'vod':
    case 'waf':
    case 'teo':
    case 'scf':
      return domain ?? id
    case 'ddos':
      return joined(id, domain, text(item.Port))
    case 'apigateway':
      return joined(id, domain)
    case 'tke':
      return joined(id, text(item.Namespace), text(item.SecretName))
    case 'cos':
      return joined(text(item.Region), text(item.Bucket), domain)
    case 'lighthouse':
      return joined(text(item.Region), id, domain)
    case 'tcb':
      return joined(text(item.TCBType), text(item.Region), text(item.EnvId), domain)
    case 'gaap':
      return joined(id, text(item.ListenerId))
    default:
      return id
  }
}

/** One item of an update record (`type` from the item) or a deploy record (`type` given). */
export function decodeRecordItem(
  action: string,
  value: unknown,
  requestId: string,
  fallbackType?: string
): RecordItem {
  const item = isRecord(value) ? value : {}
  const type = text(item.ResourceType)?.toLowerCase() ?? fallbackType
  if (typeof item.Id !== 'number' || typeof item.Status !== 'number' || type === undefined)
    throw malformed(action, 'a record item has no Id, Status or ResourceType', requestId)
  const instance = instanceOfItem(type, item) ?? `#${item.Id}`
  return {
    detailId: item.Id,
    type,
    region: text(item.Region) ?? null,
    instance: canonicalInstance(type, instance),
    status: item.Status,
    error: unescaped(text(item.ErrorMsg) ?? ''),
    certId: text(item.CertId) ?? '',
    oldCertId: text(item.OldCertId) ?? ''
  }
}
