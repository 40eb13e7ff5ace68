import { type ChainKey, chainKeys } from '../types.ts'
import { killProcessGroup } from './anvil.ts'
import { devnetBridges } from './bridges.ts'
import { createDevnetClients, type DevnetClients, devnetAccounts } from './devnetClients.ts'
import { isProcessAlive } from './localProcess.ts'
import { readManifest, writeManifest } from './manifest.ts'

/**
 * Starts again the off-chain stand-ins of every deployed bridge whose processes are not all
 * running (after `keel devnet down`, a reboot, a crash), from the section recorded in the
 * manifest, and records their new pids. Returns the ids of the bridges it restarted.
 */
export async function resumeBridgeServices(p: { stateDir: string; log: (line: string) => void }): Promise<string[]> {
  const manifest = readManifest(p.stateDir)
  if (!manifest?.bridges) return []
  const stale = devnetBridges.filter((b) => {
    const section = manifest.bridges?.[b.id]
    return section !== undefined && !section.services.every(isProcessAlive)
  })
  if (stale.length === 0) return []
  const clients = Object.fromEntries(
    chainKeys.map((k) => [k, createDevnetClients({ key: k, rpcUrl: manifest.chains[k].rpcUrl })]),
  ) as Record<ChainKey, DevnetClients>
  const ctx = { manifest, clients, accounts: devnetAccounts(), stateDir: p.stateDir, log: p.log }
  const bridges = { ...manifest.bridges }
  for (const bridge of stale) {
    const { services, ...section } = bridges[bridge.id]!
    // Half a set of stand-ins is no set: stop what is left, then start them all.
    await Promise.all(services.filter(isProcessAlive).map((pid) => killProcessGroup(pid)))
    const pids = await bridge.startServices({ ...ctx, section })
    bridges[bridge.id] = { ...section, services: pids }
    p.log(`${bridge.id}: ${pids.length} stand-in process(es) started again`)
  }
  writeManifest(p.stateDir, { ...(readManifest(p.stateDir) ?? manifest), bridges })
  return stale.map((b) => b.id)
}
