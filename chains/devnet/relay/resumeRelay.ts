import { killProcessGroup } from '../anvil.ts'
import { isPortFree, isProcessAlive } from '../localProcess.ts'
import { readManifest, writeManifest } from '../manifest.ts'
import { readRelayConfig, relayAnswers } from './spawnRelay.ts'
import { startEthereumRelay } from './startEthereumRelay.ts'

/**
 * Starts the recorded relay again when it is not running or builds on an Ethereum URL the manifest
 * no longer has (the node restarted on another port), on its old port when free; a node that came
 * back from its state automines, so mining is handed to the builder again either way. Returns
 * whether a relay was started.
 */
export async function resumeRelay(p: { stateDir: string; log: (line: string) => void }): Promise<boolean> {
  const manifest = readManifest(p.stateDir)
  const entry = manifest?.relay
  if (!manifest || !entry) return false
  const running = readRelayConfig(p.stateDir)
  if ((await relayAnswers(entry)) && running?.rpcUrl === manifest.chains.ethereum.rpcUrl) return false
  if (isProcessAlive(entry.pid)) await killProcessGroup(entry.pid)
  const oldPort = Number(new URL(entry.url).port)
  const started = await startEthereumRelay({
    manifest,
    stateDir: p.stateDir,
    blockMs: entry.blockMs,
    ...((await isPortFree(oldPort)) ? { port: oldPort } : {}),
  })
  // Re-read: only the relay entry changes.
  const latest = readManifest(p.stateDir) ?? manifest
  writeManifest(p.stateDir, { ...latest, relay: started })
  p.log(
    `relay: pid ${started.pid} at ${started.url}${started.url === entry.url ? '' : ` (was ${entry.url})`}, a block every ${started.blockMs} ms`,
  )
  return true
}
