import { readFileSync } from 'node:fs'
import { type Abi, type Address, type Hex, isHex } from 'viem'
import { DevnetError } from '../../errors.ts'

/** The Gamma contracts keel deploys and calls, as built by `build.ts` from the pinned commit. */
export type GammaContractName =
  | 'AddressBook'
  | 'Controller'
  | 'MarginCalculator'
  | 'MarginPool'
  | 'MarginVault'
  | 'Oracle'
  | 'Otoken'
  | 'OtokenFactory'
  | 'Whitelist'
  | 'ChainLinkPricer'

type ArtifactFile = {
  abi: Abi
  bytecode: string
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>
  source: { repository: string; commit: string }
}

const cache = new Map<GammaContractName, ArtifactFile>()
const read = (name: GammaContractName): ArtifactFile => {
  let a = cache.get(name)
  if (!a) {
    a = JSON.parse(readFileSync(new URL(`./artifacts/${name}.json`, import.meta.url), 'utf8')) as ArtifactFile
    cache.set(name, a)
  }
  return a
}

/** A Gamma contract's ABI (typed loosely: Gamma publishes no typed ABIs, keel's adapter declares the parts it calls). */
export const gammaAbi = (name: GammaContractName): Abi => read(name).abi

/** Deployable bytecode of a Gamma contract, with its libraries linked (the Controller links MarginVault). */
export function gammaBytecode(name: GammaContractName, libraries: Partial<Record<string, Address>> = {}): Hex {
  const a = read(name)
  let code = a.bytecode.slice(2)
  for (const refs of Object.values(a.linkReferences)) {
    for (const [lib, spots] of Object.entries(refs)) {
      const address = libraries[lib]
      if (!address) throw new DevnetError(`Gamma ${name} needs library ${lib} linked`)
      for (const { start, length } of spots)
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2)
    }
  }
  const bytecode = `0x${code}` as const
  if (!isHex(bytecode)) throw new DevnetError(`Gamma ${name} has unlinked libraries`)
  return bytecode
}
