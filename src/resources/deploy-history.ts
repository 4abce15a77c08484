/**
 * A certificate's own deploy records as evidence that it already serves a resource
 * (DescribeHostDeployRecord, then DescribeHostDeployRecordDetail): the one way to see what no
 * binding check reports (lighthouse), and how `CertificateNotDeployInstance` ("already bound, or
 * a domain mismatch") is told apart.
 */
import { asResource, type DeployGroup } from '../planning/deploy-plan.js'
import type { DeployTarget } from '../settings/deploy-targets.js'
import type { ResourceApi } from '../tencent/resources.js'
import { resourceKey } from './resource-types.js'

/** How many of the certificate's newest deploy records of a type are read. */
const HISTORY = 20

/** Whether an item of the records deployed the certificate to `target` successfully; the
 * records are read once per type and region. */
export class DeployHistory {
  private served?: Promise<Set<string>>

  constructor(
    private readonly api: ResourceApi,
    private readonly certificateId: string,
    private readonly group: DeployGroup
  ) {}

  async shows(target: DeployTarget): Promise<boolean> {
    this.served ??= this.read()
    return (await this.served).has(resourceKey(asResource(target)))
  }

  private async read(): Promise<Set<string>> {
    const { type, region } = this.group
    const served = new Set<string>()
    for (const id of await this.api.deployRecords(this.certificateId, type, HISTORY)) {
      const record = await this.api.deployRecord(id, type)
      for (const item of record.items)
        if (item.status === 1 && (item.certId || this.certificateId) === this.certificateId)
          served.add(resourceKey({ ...item, region: item.region ?? region }))
    }
    return served
  }
}
