/**
 * How resources look in answers: the binding task's counts (DescribeCertificateBindResourceTaskResult)
 * and instance details (…TaskDetail, one response array per type, each type's own instance
 * shape), and the items of update and deploy records. Shapes follow the SDK's response models.
 */
import type { RecordItem } from './resource-records.js'
import { COUNTED_TYPES, REGIONAL_TYPES, UPDATE_TYPES } from './resource-types.js'
import type { StoredResource } from './resources.js'

type Fields = Record<string, unknown>

/** Where a type-level binding without a resource is counted. */
const DEFAULT_REGION = 'ap-guangzhou'
/** Detail times: ISO UTC with microseconds, as Tencent writes them in record items. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z')

/** Types bound without a resource behind them (`bind`, seeded `boundTo`). */
const bareTypes = (boundTo: string[], resources: StoredResource[]): string[] =>
  boundTo.filter(type => !resources.some(r => r.type === type))

/** BindResourceResult of a settled binding task. */
export function bindResourceCounts(boundTo: string[], resources: StoredResource[]): Fields[] {
  const bare = bareTypes(boundTo, resources)
  return COUNTED_TYPES.map(type => {
    const counts = new Map<string, number>()
    for (const r of resources.filter(r => r.type === type))
      counts.set(r.region ?? '', (counts.get(r.region ?? '') ?? 0) + 1)
    const regionOfBare = REGIONAL_TYPES.has(type) ? DEFAULT_REGION : ''
    if (bare.includes(type)) counts.set(regionOfBare, (counts.get(regionOfBare) ?? 0) + 1)
    if (counts.size === 0) counts.set(regionOfBare, 0)
    return {
      ResourceType: type,
      BindResourceRegionResult: [...counts].map(([Region, TotalCount]) => ({ Region, TotalCount }))
    }
  })
}

const parts = (r: StoredResource): string[] => r.instance.split('|')

/** Groups `list` by `keyOf`, keeping first-seen order. */
function groupBy<T>(list: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>()
  for (const item of list) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item])
  return [...groups.values()]
}

/** One type's top-level instances, in its own shape (a CLB with its listeners, a TKE cluster
 * with its namespaces, ...). */
function instances(
  type: string,
  list: StoredResource[],
  certId: string,
  region: string | null
): Fields[] {
  const cert = (domains: string[]) => ({
    CertId: certId,
    DnsNames: domains,
    SSLMode: 'UNIDIRECTIONAL'
  })
  switch (type) {
    case 'clb':
      return groupBy(list, r => parts(r)[0]).map(lb => ({
        LoadBalancerId: parts(lb[0])[0],
        LoadBalancerName: `${parts(lb[0])[0]}-name`,
        Forward: 1,
        Listeners: groupBy(lb, r => parts(r)[1]).map(listener => {
          const sni = listener.some(r => parts(r).length > 2)
          return {
            ListenerId: parts(listener[0])[1],
            ListenerName: `${parts(listener[0])[1]}-name`,
            SniSwitch: sni ? 1 : 0,
            Protocol: 'HTTPS',
            Certificate: sni ? null : cert(listener[0].domains),
            Rules: sni
              ? listener.map((r, i) => ({
                  LocationId: `loc-${i + 1}`,
                  Domain: parts(r)[2],
                  IsMatch: true,
                  Certificate: cert([parts(r)[2]]),
                  NoMatchDomains: [],
                  Url: '/'
                }))
              : [],
            NoMatchDomains: []
          }
        })
      }))
    case 'cdn':
      return list.map(r => ({
        Domain: r.instance,
        CertId: certId,
        Status: 'online',
        HttpsBillingSwitch: 'on'
      }))
    case 'waf':
      return list.map(r => ({ Domain: r.instance, CertId: certId, Keepalive: 0 }))
    case 'live':
      return list.map(r => ({ Domain: r.instance, CertId: certId, Status: 1 }))
    case 'vod':
      return list.map(r => ({ Domain: r.instance, CertId: certId }))
    case 'teo':
      return list.map(r => ({
        Host: r.instance,
        CertId: certId,
        ZoneId: 'zone-emulator',
        Status: 'deployed',
        Algorithm: 'RSA 2048'
      }))
    case 'ddos':
      return list.map(r => {
        const [InstanceId, Domain, VirtualPort] = parts(r)
        return { Domain, InstanceId, Protocol: 'https', CertId: certId, VirtualPort }
      })
    case 'apigateway':
      return list.map(r => {
        const [ServiceId, Domain] = parts(r)
        return {
          ServiceId,
          ServiceName: `${ServiceId}-name`,
          Domain,
          CertId: certId,
          Protocol: 'https'
        }
      })
    case 'tke':
      return groupBy(list, r => parts(r)[0]).map(cluster => ({
        ClusterId: parts(cluster[0])[0],
        ClusterName: `${parts(cluster[0])[0]}-name`,
        ClusterType: 'MANAGED_CLUSTER',
        ClusterVersion: '1.30.0',
        NamespaceList: groupBy(cluster, r => parts(r)[1]).map(ns => ({
          Name: parts(ns[0])[1],
          SecretList: ns.map(r => ({
            Name: parts(r)[2],
            CertId: certId,
            IngressList: [],
            NoMatchDomains: []
          }))
        }))
      }))
    case 'cos':
      return list.map(r => {
        const [, Bucket, Domain] = parts(r)
        return { Domain, CertId: certId, Status: 'ENABLED', Bucket, Region: region }
      })
    case 'tse':
      return list.map(r => ({
        GatewayId: r.instance,
        GatewayName: `${r.instance}-name`,
        CertificateList: [
          {
            Id: `gwcert-${r.instance}`,
            Name: 'tls',
            BindDomains: r.domains,
            CertSource: 'ssl',
            CertId: certId
          }
        ]
      }))
    case 'gaap':
      return groupBy(list, r => parts(r)[0]).map(ga => ({
        InstanceId: parts(ga[0])[0],
        InstanceName: `${parts(ga[0])[0]}-name`,
        ListenerList: ga.map(r => ({
          ListenerStatus: 'RUNNING',
          ListenerId: parts(r)[1],
          ListenerName: `${parts(r)[1]}-name`,
          NoMatchDomains: [],
          CertIdList: [certId],
          Protocol: 'HTTPS'
        }))
      }))
    case 'scf':
      return list.map(r => ({
        CertificateId: certId,
        Protocol: 'https',
        Domain: r.instance,
        Region: region
      }))
    case 'mqtt':
      return list.map(r => ({
        InstanceId: r.instance,
        InstanceName: `${r.instance}-name`,
        InstanceStatus: 'RUNNING',
        NoMatchDomains: [],
        ServerCertIdList: [certId],
        CaCertIdList: []
      }))
    default:
      return list.map(r => ({
        InstanceId: r.instance,
        InstanceName: `${r.instance}-name`,
        InstanceStatus: 'RUNNING',
        CertId: certId,
        CaCertId: '',
        NoMatchDomains: []
      }))
  }
}

/** TCB: environments, each with the domains of its access and hosting services. */
function tcbEnvironments(list: StoredResource[]): Fields[] {
  return groupBy(list, r => parts(r)[2]).map(env => {
    const service = (name: string) => {
      const domains = env.filter(r => parts(r)[0] === name).map(r => parts(r)[3])
      return {
        InstanceList: domains.map(Domain => ({ Domain, Status: 1, OldCertificateId: '' })),
        TotalCount: domains.length
      }
    }
    return {
      Environment: {
        ID: parts(env[0])[2],
        Source: 'miniapp',
        Name: parts(env[0])[2],
        Status: 'NORMAL'
      },
      AccessService: service('AccessService'),
      HostService: service('HostService')
    }
  })
}

export interface DetailQuery {
  limit: number
  offset: number
  types?: string[]
  regions?: string[]
}

/** The response arrays of DescribeCertificateBindResourceTaskDetail for one settled task. */
export function bindingDetailArrays(
  certId: string,
  boundTo: string[],
  resources: StoredResource[],
  query: DetailQuery
): Fields {
  const bare = bareTypes(boundTo, resources)
  const out: Fields = {}
  for (const type of UPDATE_TYPES) {
    const entries: Fields[] = []
    if (!query.types?.length || query.types.includes(type)) {
      const ofType = resources.filter(r => r.type === type)
      const byRegion = groupBy(ofType, r => r.region ?? '')
      for (const list of byRegion) {
        const region = list[0].region
        if (region && query.regions?.length && !query.regions.includes(region)) continue
        const all = type === 'tcb' ? tcbEnvironments(list) : instances(type, list, certId, region)
        const page = all.slice(query.offset, query.offset + query.limit)
        const listed =
          type === 'tcb' ? { Environments: page } : { InstanceList: page, TotalCount: all.length }
        entries.push({ ...(region ? { Region: region } : {}), ...listed, Error: '' })
      }
      // A bare type: counted, but Tencent's detail would name instances the emulator has not got.
      if (bare.includes(type)) {
        const listed = type === 'tcb' ? { Environments: [] } : { InstanceList: [], TotalCount: 1 }
        entries.push({
          ...(REGIONAL_TYPES.has(type) ? { Region: DEFAULT_REGION } : {}),
          ...listed,
          Error: ''
        })
      }
    }
    out[type.toUpperCase()] = entries
  }
  return out
}

/** Fields a record item takes from its resource, per type. */
function resourceFields(r: StoredResource): Fields {
  const p = parts(r)
  switch (r.type) {
    case 'clb':
      return {
        InstanceId: p[0],
        ListenerId: p[1],
        ListenerName: `${p[1]}-name`,
        SniSwitch: p[2] ? 1 : 0,
        Domains: p[2] ? [p[2]] : r.domains,
        Protocol: 'HTTPS',
        Url: '/'
      }
    case 'ddos':
      return { InstanceId: p[0], Domains: [p[1]], Port: Number(p[2]) }
    case 'apigateway':
      return { InstanceId: p[0], Domains: [p[1]] }
    case 'tke':
      return { InstanceId: p[0], Namespace: p[1], SecretName: p[2] }
    case 'cos':
      return { Bucket: p[1], Domains: [p[2]] }
    case 'lighthouse':
      return { InstanceId: p[1], Domains: [p[2]] }
    case 'tcb':
      return { TCBType: p[0], EnvId: p[2], Domains: [p[3]] }
    case 'gaap':
      return { InstanceId: p[0], ListenerId: p[1] }
    case 'cdn':
    case 'live':
    case 'vod':
    case 'waf':
    case 'teo':
    case 'scf':
      return { InstanceId: r.instance, Domains: [r.instance] }
    default:
      return { InstanceId: r.instance, Domains: r.domains }
  }
}

/** An UpdateRecordDetail (update and rollback records). */
export function updateItem(item: RecordItem): Fields {
  const r = item.resource
  return {
    Id: item.id,
    CertId: item.certId,
    OldCertId: item.oldCertId,
    Domains: r.domains,
    ResourceType: r.type,
    Region: r.region ?? '',
    Status: item.status,
    ErrorMsg: item.error || null,
    CreateTime: microTime(item.createdAt),
    UpdateTime: microTime(item.updatedAt),
    InstanceId: null,
    InstanceName: null,
    ListenerId: null,
    ListenerName: null,
    Protocol: null,
    SniSwitch: null,
    Bucket: null,
    Port: null,
    Namespace: null,
    SecretName: null,
    EnvId: '',
    TCBType: '',
    Url: '',
    Algorithm: 'RSA 2048',
    OldAlgorithm: 'RSA 2048',
    InstanceStatus: '',
    ListenerStatus: '',
    ...resourceFields(r)
  }
}

/** A DeployRecordDetail (deploy records: no ResourceType, `Url` a list). */
export function deployItem(item: RecordItem): Fields {
  const { ResourceType: _type, Url, ...fields } = updateItem(item)
  return { ...fields, Url: Url ? [Url] : [] }
}

/** The five counters of a record answer. */
export function recordCounts(items: RecordItem[]): Fields {
  const count = (status: number) => items.filter(i => i.status === status).length
  return {
    TotalCount: items.length,
    SuccessTotalCount: count(1),
    FailedTotalCount: count(2),
    RunningTotalCount: count(3),
    PendingTotalCount: count(0)
  }
}
