import { DevnetError } from '../../errors.ts'
import { killProcessGroup } from '../anvil.ts'
import { findFreePort, isPortFree, isProcessAlive } from '../localProcess.ts'
import { readManifest, writeManifest } from '../manifest.ts'
import { rfqMakerSpecs } from './constants.ts'
import { type RfqMakerEntry, readRfqSection } from './deploy.ts'
import { makerAnswers, makerConfigOf, readMakerConfig, spawnMaker } from './spawnMaker.ts'

/**
 * Starts again every recorded RFQ maker that is not running, or that runs against a chain URL the
 * manifest no longer has (a chain restarted on another port), on its old port when that is free;
 * records the new pids and URLs and returns the ids of the makers it started.
 */
export async function resumeRfqMakers(p: { stateDir: string; log: (line: string) => void }): Promise<string[]> {
  const manifest = readManifest(p.stateDir)
  const rfq = manifest ? readRfqSection(manifest) : null
  if (!manifest || !rfq || rfq.makers.length === 0) return []
  const makers: RfqMakerEntry[] = []
  const restarted: string[] = []
  for (const entry of rfq.makers) {
    const spec = rfqMakerSpecs.find((s) => s.id === entry.id)
    if (!spec) throw new DevnetError(`the manifest records an RFQ maker ${entry.id} this keel does not know`)
    const oldPort = Number(new URL(entry.url).port)
    const wanted = makerConfigOf({ spec, manifest, rfq, port: oldPort })
    const running = readMakerConfig(p.stateDir, entry.id)
    if ((await makerAnswers(entry)) && running && JSON.stringify(running.chains) === JSON.stringify(wanted.chains)) {
      makers.push(entry)
      continue
    }
    // Hung, or quoting against a chain that moved: stop it before its replacement starts.
    if (isProcessAlive(entry.pid)) await killProcessGroup(entry.pid)
    const port = (await isPortFree(oldPort)) ? oldPort : await findFreePort()
    const started = await spawnMaker({ config: { ...wanted, port }, stateDir: p.stateDir })
    makers.push(started)
    restarted.push(started.id)
    p.log(`rfq: ${started.id} pid ${started.pid} at ${started.url}${started.url === entry.url ? '' : ` (was ${entry.url})`}`)
  }
  if (restarted.length === 0) return []
  // Re-read: only the makers change.
  const latest = readManifest(p.stateDir) ?? manifest
  writeManifest(p.stateDir, { ...latest, options: { ...latest.options, rfq: { ...rfq, makers } } })
  return restarted
}
