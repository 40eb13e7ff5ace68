import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { DevnetError } from '../errors.ts'
import { killProcessGroup } from './anvil.ts'
import { findFreePort } from './localProcess.ts'

// tsx resolves from the project root whatever directory keel was started in.
const projectRoot = fileURLToPath(new URL('../../', import.meta.url))

/** A devnet stand-in run as its own process: a tsx entry that reads its JSON config and serves `GET /health` with its pid. */
export type ServiceSpec<C extends { port: number }> = {
  /** For errors: "the devnet relay", "RFQ maker maker-a". */
  name: string
  /** The process entry (a .ts file run with `node --import tsx`). */
  mainPath: string
  config: C
  /** Where this config is written and where the process's output goes: next to the manifest. */
  configPath: string
  logPath: string
  startTimeoutMs: number
}

/**
 * Starts a service as a detached process (its own process group, like the anvil nodes), on
 * `config.port` when it binds, else on ports the OS picks (another devnet may take a picked port
 * first), and waits until it answers as itself. Returns the config it runs with and its pid.
 */
export async function spawnService<C extends { port: number }>(spec: ServiceSpec<C>, attempts = 3): Promise<{ config: C; pid: number }> {
  let config = spec.config
  for (let attempt = 1; ; attempt++) {
    const started = await spawnOnce({ ...spec, config })
    if (started.status === 'up') return { config, pid: started.pid }
    if (attempt >= attempts) throw new DevnetError(`${spec.name} did not start`, { metaMessages: [`its output: ${spec.logPath}`] })
    config = { ...config, port: await findFreePort() }
  }
}

/** One start: 'exited' when the process died before answering (a port taken); throws when it hangs. */
async function spawnOnce<C extends { port: number }>(spec: ServiceSpec<C>): Promise<{ status: 'up'; pid: number } | { status: 'exited' }> {
  mkdirSync(dirname(spec.configPath), { recursive: true })
  writeFileSync(spec.configPath, `${JSON.stringify(spec.config, null, 2)}\n`)
  const out = openSync(spec.logPath, 'a')
  let child: ReturnType<typeof spawn>
  try {
    child = spawn(process.execPath, ['--import', 'tsx', spec.mainPath, spec.configPath], {
      cwd: projectRoot,
      detached: true,
      stdio: ['ignore', out, out],
    })
  } finally {
    closeSync(out)
  }
  child.unref()
  const pid = child.pid
  if (pid === undefined) throw new DevnetError(`${spec.name} did not start`)
  const deadline = performance.now() + spec.startTimeoutMs
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return { status: 'exited' }
    // Its own pid in the answer: a service of another devnet on the same port does not count.
    if (await serviceAnswers({ url: `http://127.0.0.1:${spec.config.port}/`, pid })) return { status: 'up', pid }
    await sleep(100)
  }
  await killProcessGroup(pid)
  throw new DevnetError(`${spec.name} did not answer on port ${spec.config.port}`, { metaMessages: [`its output: ${spec.logPath}`] })
}

/** Whether the service process `pid` answers its health check at `url`. */
export async function serviceAnswers(p: { url: string; pid: number }): Promise<boolean> {
  try {
    const res = await fetch(new URL('health', p.url), { signal: AbortSignal.timeout(2_000) })
    if (!res.ok) return false
    const body = (await res.json()) as { pid?: unknown }
    return body.pid === p.pid
  } catch {
    return false
  }
}
