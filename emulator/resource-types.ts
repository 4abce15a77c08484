/**
 * The resource types of the SSL service's resource actions, from the SDK's request models: the
 * emulator keeps its own lists rather than the action's (src/resources/resource-types.ts), so that a type
 * the action gets wrong is refused here, as Tencent would refuse it.
 */

/** UpdateCertificateInstance.ResourceTypes; also the binding detail's response arrays. */
export const UPDATE_TYPES = [
  'clb',
  'cdn',
  'waf',
  'ddos',
  'live',
  'vod',
  'tke',
  'apigateway',
  'tcb',
  'teo',
  'tse',
  'cos',
  'tdmq',
  'mqtt',
  'gaap',
  'scf'
]
/** Types whose update needs ResourceTypesRegions. */
export const UPDATE_REGIONAL = new Set([
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

/** DeployCertificateInstance: each type, and how many `|` parts its InstanceIdList entry has. */
export const DEPLOY_PARTS: Record<string, [min: number, max: number]> = {
  clb: [2, 3],
  cdn: [1, 2],
  ddos: [3, 3],
  live: [1, 1],
  vod: [1, 1],
  waf: [1, 1],
  apigateway: [2, 2],
  teo: [1, 1],
  tke: [3, 3],
  cos: [3, 3],
  lighthouse: [3, 3],
  tse: [2, 2],
  tcb: [4, 4],
  mqtt: [2, 2]
}
/** Types whose deployment needs the common Region. */
export const DEPLOY_REGIONAL = new Set([
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

/** Every type a resource can be seeded with, and those that live in a region. */
export const KNOWN_TYPES = [...UPDATE_TYPES, 'lighthouse']
export const REGIONAL_TYPES: ReadonlySet<string> = new Set([...UPDATE_REGIONAL, 'lighthouse'])

/** Types the binding task's result counts (the detail alone reports tse, mqtt, scf, tdmq, gaap). */
export const COUNTED_TYPES = [
  'clb',
  'cdn',
  'waf',
  'live',
  'vod',
  'ddos',
  'tke',
  'apigateway',
  'tcb',
  'teo',
  'cos'
]

/**
 * The documented values of DescribeCertificateBindResourceTaskDetail's `ResourceTypes` filter
 * (page 400/97758): not mqtt, scf, tdmq or gaap, whose arrays the answer has all the same.
 */
export const DETAIL_FILTER_TYPES = [
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
  'tse',
  'tcb'
]
/** The regional types whose regions the detail's `Regions` filter applies to. */
export const DETAIL_REGION_TYPES = ['clb', 'tke', 'waf', 'apigateway', 'tcb', 'cos', 'tse']
/** DescribeHostDeployRecord's `ResourceType` values, as the SDK's request model documents them:
 * live and mqtt, which DeployCertificateInstance takes, are not among them and are refused. */
export const DEPLOY_RECORD_TYPES = [
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
]
