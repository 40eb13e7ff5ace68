import { parseArgs } from 'node:util'
import { InvalidInputError } from '../../agent/errors.ts'
import { loadConfig } from '../../temporal/config.ts'
import { ensureTemporal, localServerStatus, stopTemporal } from '../../temporal/server.ts'
import { progress } from '../runtime.ts'

/** Exit code of `keel temporal status` when no server runs (as `systemctl status` does), so scripts can test it. */
export const notRunningExitCode = 3

/**
 * `keel temporal start | stop | status [--json]`: keel's local dev server of this state dir
 * (`<stateDir>/temporal/server.json`). With TEMPORAL_ADDRESS set there is nothing local to manage.
 */
export async function temporalCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } })
  const config = loadConfig()
  const remote = config.temporal.address
  if (action !== 'start' && action !== 'stop' && action !== 'status')
    throw new InvalidInputError({
      what: 'arguments of keel temporal',
      issues: [{ path: 'temporal', message: 'expected start, stop or status' }],
    })
  if (remote !== undefined) {
    const line = `TEMPORAL_ADDRESS=${remote} is a service keel does not run; unset it to manage the local dev server`
    if (action === 'status') {
      print(
        values.json,
        { status: 'remote', address: remote, namespace: config.temporal.namespace },
        `remote: ${remote} namespace ${config.temporal.namespace} (${line})`,
      )
      return 0
    }
    console.error(`keel: ${line}`)
    return 2
  }
  if (action === 'start') {
    const t = await ensureTemporal({ config, log: progress })
    const verb = t.origin === 'started' ? 'started' : 'already running'
    print(
      values.json,
      { status: 'running', address: t.address, pid: t.pid, uiUrl: t.uiUrl },
      `${verb}: ${t.address} pid ${t.pid}${t.uiUrl ? `, UI ${t.uiUrl}` : ''}`,
    )
    return 0
  }
  if (action === 'stop') {
    const r = await stopTemporal({ config, log: progress })
    if (r.status === 'stopped') print(values.json, r, `stopped: dev server pid ${r.pid}`)
    else print(values.json, r, `not running (${r.reason})`)
    return 0
  }
  const s = await localServerStatus(config)
  if (s.status === 'not-running') {
    print(values.json, { status: s.status, reason: s.reason }, `not running (${s.reason})`)
    return notRunningExitCode
  }
  const { status, address, pid, namespace, uiUrl } = s
  print(
    values.json,
    { status, address, pid, namespace, uiUrl },
    `running: ${address} pid ${pid} namespace ${namespace}${uiUrl ? `, UI ${uiUrl}` : ', headless'}`,
  )
  return 0
}

function print(json: boolean | undefined, value: object, line: string): void {
  console.log(json ? JSON.stringify(value) : line)
}
