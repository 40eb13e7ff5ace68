import { describe, expect, test } from 'vitest'
import { link, type RolesContractName, rolesArtifact } from './artifacts.ts'

const names: RolesContractName[] = ['Roles', 'Integrity', 'Packer', 'MultiSendUnwrapper']
const integrity = '0x6a6Af4b16458Bc39817e4019fB02BD3b26d41049'
const packer = '0x61C5B1bE435391fDd7BC6703F3740C0d11728a8C'

describe('rolesArtifact', () => {
  test('gives every committed artifact a deployed size within EIP-170 (24,576 bytes)', () => {
    const sizes = Object.fromEntries(names.map((n) => [n, rolesArtifact(n).deployedBytecodeSize]))
    // What `npm run roles:build` prints: Roles fits only because Integrity and Packer are linked, not inlined.
    expect(sizes).toEqual({ Roles: 24_401, Integrity: 5_637, Packer: 2_138, MultiSendUnwrapper: 2_096 })
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(24_576)
  })

  test('gives Roles link references to exactly Integrity and Packer, and the others none', () => {
    const refs = rolesArtifact('Roles').linkReferences
    expect(Object.entries(refs).map(([file, libs]) => [file, Object.keys(libs)])).toEqual([
      ['contracts/Integrity.sol', ['Integrity']],
      ['contracts/packers/Packer.sol', ['Packer']],
    ])
    for (const spots of Object.values(refs).flatMap((libs) => Object.values(libs))) for (const spot of spots) expect(spot.length).toBe(20)
    for (const n of names.filter((n) => n !== 'Roles')) expect(rolesArtifact(n).linkReferences).toEqual({})
  })
})

describe('link', () => {
  test('writes each library address over its placeholders and leaves the rest of the bytecode alone', () => {
    const roles = rolesArtifact('Roles')
    const linked = link(roles, { Integrity: integrity, Packer: packer })
    expect(linked.length).toBe(roles.bytecode.length)
    expect(linked).not.toContain('__$')
    const at = (file: string, lib: string) => {
      const { start, length } = roles.linkReferences[file]![lib]![0]!
      return `0x${linked.slice(2 + start * 2, 2 + (start + length) * 2)}`
    }
    expect(at('contracts/Integrity.sol', 'Integrity')).toBe(integrity.toLowerCase())
    expect(at('contracts/packers/Packer.sol', 'Packer')).toBe(packer.toLowerCase())
    expect(linked.replaceAll(integrity.slice(2).toLowerCase(), '').replaceAll(packer.slice(2).toLowerCase(), '')).toBe(
      roles.bytecode.replace(/__\$[0-9a-f]{34}\$__/g, ''),
    )
  })

  test('throws when a library Roles needs has no address', () => {
    expect(() => link(rolesArtifact('Roles'), { Integrity: integrity })).toThrow('needs library Packer linked')
  })

  test('returns a library-free artifact unchanged', () => {
    expect(link(rolesArtifact('Packer'))).toBe(rolesArtifact('Packer').bytecode)
  })
})
