import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { killProcessGroup, resolveAnvilBinary } from './anvil.ts'
import { findFreePort, isProcessAlive } from './localProcess.ts'

describe('resolveAnvilBinary', () => {
  test('points at the platform package binary, not the npx wrapper', () => {
    const bin = resolveAnvilBinary()
    expect(existsSync(bin)).toBe(true)
    expect(bin).toMatch(/@foundry-rs[\\/]anvil-[a-z0-9]+-[a-z0-9]+[\\/]bin[\\/]anvil(\.exe)?$/)
  })
})

describe('killProcessGroup', () => {
  // Live (non-zombie) members of a process group, as ps lists them.
  const liveMembers = (pgid: number): string[] => {
    let out = ''
    try {
      out = execFileSync('ps', ['-o', 'pid=,stat=', '-g', String(pgid)], { encoding: 'utf8' })
    } catch {
      return []
    }
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/\sZ/.test(l))
  }

  test('ends every process of a detached group, grandchildren included', async () => {
    const child = spawn('sh', ['-c', 'sleep 60 & sleep 60'], { detached: true, stdio: 'ignore' })
    const pid = child.pid
    if (pid === undefined) throw new Error('spawn failed')
    const exited = new Promise((resolve) => child.once('exit', resolve))
    expect(isProcessAlive(pid)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(liveMembers(pid).length).toBeGreaterThanOrEqual(2)
    await killProcessGroup(pid)
    await exited
    expect(isProcessAlive(pid)).toBe(false)
    expect(liveMembers(pid)).toEqual([])
  })
})

describe('findFreePort', () => {
  test('returns a port in the unprivileged range', async () => {
    const port = await findFreePort()
    expect(port).toBeGreaterThan(1023)
    expect(port).toBeLessThan(65536)
  })
})
