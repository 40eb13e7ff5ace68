import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Abi, type Address, type Hex, isHex } from 'viem'
import { z } from 'zod'
import { DevnetError } from '../errors.ts'

export type Artifact = { abi: Abi; bytecode: Hex }

const artifactSchema = z.object({
  abi: z.array(z.looseObject({ type: z.string() })),
  // Unlinked bytecode carries `__$…$__` placeholders, so it is checked as hex only after linking.
  bytecode: z.string().regex(/^0x[0-9a-fA-F_$]+$/, 'expected non-empty bytecode'),
  linkReferences: z.record(z.string(), z.record(z.string(), z.array(z.object({ start: z.number(), length: z.number() })))).optional(),
})

type ParsedArtifact = z.infer<typeof artifactSchema>

function readArtifact(path: string, what: string): ParsedArtifact {
  const parsed = artifactSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.success) throw new DevnetError(`artifact ${what} is malformed`, { details: parsed.error.message })
  return parsed.data
}

/** Our own contracts, from the committed build in chains/devnet/artifacts (never compiled at run time). */
export function loadOwnArtifact(
  name: 'WETH9' | 'TestUSDC' | 'PriceFeed' | 'UsdcOFTAdapter' | 'DevnetGasPriceOracle' | 'DevnetNodeInterface',
): Artifact {
  const a = readArtifact(fileURLToPath(new URL(`./artifacts/${name}.json`, import.meta.url)), name)
  return { abi: a.abi as unknown as Abi, bytecode: a.bytecode as Hex }
}

const require = createRequire(import.meta.url)

/** Directory of an installed npm package (through its package.json, which the Uniswap and LayerZero packages export). */
export function packageDir(pkg: string): string {
  return dirname(require.resolve(`${pkg}/package.json`))
}

const published = {
  UniswapV3Factory: ['@uniswap/v3-core', 'UniswapV3Factory.sol/UniswapV3Factory'],
  UniswapV3Pool: ['@uniswap/v3-core', 'UniswapV3Pool.sol/UniswapV3Pool'],
  NonfungiblePositionManager: ['@uniswap/v3-periphery', 'NonfungiblePositionManager.sol/NonfungiblePositionManager'],
  NonfungibleTokenPositionDescriptor: [
    '@uniswap/v3-periphery',
    'NonfungibleTokenPositionDescriptor.sol/NonfungibleTokenPositionDescriptor',
  ],
  NFTDescriptor: ['@uniswap/v3-periphery', 'libraries/NFTDescriptor.sol/NFTDescriptor'],
  SwapRouter: ['@uniswap/v3-periphery', 'SwapRouter.sol/SwapRouter'],
  QuoterV2: ['@uniswap/v3-periphery', 'lens/QuoterV2.sol/QuoterV2'],
  EndpointV2: ['@layerzerolabs/lz-evm-protocol-v2', 'EndpointV2.sol/EndpointV2'],
  SimpleMessageLib: ['@layerzerolabs/lz-evm-protocol-v2', 'messagelib/SimpleMessageLib.sol/SimpleMessageLib'],
} as const

export type PublishedName = keyof typeof published

/** A protocol's contract from its published npm artifact; libraries are linked from `libraries`. */
export function loadPublishedArtifact(name: PublishedName, libraries: Record<string, Address> = {}): Artifact {
  const [pkg, file] = published[name]
  const a = readArtifact(join(packageDir(pkg), 'artifacts', 'contracts', `${file}.json`), name)
  let code = a.bytecode.slice(2)
  for (const refs of Object.values(a.linkReferences ?? {})) {
    for (const [lib, spots] of Object.entries(refs)) {
      const address = libraries[lib]
      if (!address) throw new DevnetError(`${name} needs library ${lib} linked`)
      for (const { start, length } of spots) {
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2)
      }
    }
  }
  const bytecode = `0x${code}` as const
  if (!isHex(bytecode)) throw new DevnetError(`${name} has unlinked libraries`)
  return { abi: a.abi as unknown as Abi, bytecode }
}

/** POOL_INIT_CODE_HASH as written in the installed periphery's PoolAddress.sol, which NPM and the router rely on. */
export function peripheryPoolInitCodeHash(): Hex {
  const source = readFileSync(join(packageDir('@uniswap/v3-periphery'), 'contracts', 'libraries', 'PoolAddress.sol'), 'utf8')
  const match = /POOL_INIT_CODE_HASH\s*=\s*(0x[0-9a-fA-F]{64})/.exec(source)
  if (!match?.[1]) throw new DevnetError('POOL_INIT_CODE_HASH not found in @uniswap/v3-periphery PoolAddress.sol')
  return match[1] as Hex
}
