import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { type Address, getAddress, isAddress } from 'viem'
import { parse as parseYaml } from 'yaml'
import { InvalidInputError } from '../../agent/errors.ts'
import { parseMandate } from '../../agent/mandate/schema.ts'
import { allowancesFromMandate } from '../../agent/permissions/allowances.ts'
import type { AllowanceSetting } from '../../agent/permissions/types.ts'
import { readRoleTargets } from '../../chains/devnet/roles/readRole.ts'
import { writeSafeTransactionProposal } from '../../chains/devnet/safe/safeTx.ts'
import { execAsOwners } from '../../chains/devnet/treasurySafe.ts'
import { createChainClients } from '../../chains/transport.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { type ChainEnvironment, loadChainEnvironment } from '../../temporal/chainEnvironment.ts'
import { loadConfig } from '../../temporal/config.ts'
import { devnetAllowances, planRole, type RolePlan } from '../../temporal/permissions.ts'
import { progress } from '../runtime.ts'

/**
 * `keel permissions diff|apply`: compiles what every adapter declares into keel's Zodiac Roles
 * role on each chain's treasury Safe, reads the role as it is on chain (from the modifier's
 * events), and shows what would change. `apply` on the devnet has the devnet's owners sign and
 * execute it as one Safe transaction, then checks that nothing is left to change; on real chains
 * it writes, per chain, the Safe transaction for the owners to sign (it never signs there).
 */
export async function permissionsCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      chains: { type: 'string' },
      mandate: { type: 'string' },
      'eth-price-ceiling-usd': { type: 'string' },
      otoken: { type: 'string', multiple: true },
      'from-block': { type: 'string' },
      'multisend-call-only': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    },
  })
  const [action] = positionals
  const issues: { path: string; message: string }[] = []
  if (positionals.length !== 1 || (action !== 'diff' && action !== 'apply'))
    issues.push({ path: 'permissions', message: `expected diff or apply, got ${JSON.stringify(positionals.join(' '))}` })
  const chains = (values.chains?.split(',').map((s) => s.trim()) ?? [...chainKeys]) as ChainKey[]
  for (const c of chains)
    if (!chainKeys.includes(c)) issues.push({ path: 'chains', message: `unknown chain ${JSON.stringify(c)} (${chainKeys.join(', ')})` })
  const otokens = (values.otoken ?? []).map((o) => {
    if (!isAddress(o, { strict: false })) issues.push({ path: 'otoken', message: `not an address: ${JSON.stringify(o)}` })
    return o as Address
  })
  const config = loadConfig()
  const environment = loadChainEnvironment({ stateDir: config.stateDir })
  const live = environment.network === 'live'
  if (live && !values.mandate) issues.push({ path: 'mandate', message: 'required on real chains: the allowances come from its caps' })
  if (values.mandate && !values['eth-price-ceiling-usd'])
    issues.push({ path: 'eth-price-ceiling-usd', message: 'required with --mandate: the USDC swap allowance prices ETH at this ceiling' })
  if (live && action === 'apply' && !values['multisend-call-only'])
    issues.push({ path: 'multisend-call-only', message: "required on real chains: the Safe's MultiSendCallOnly that batches the calls" })
  for (const c of chains)
    if (!environment.treasuries?.[c])
      issues.push({
        path: c,
        message: 'no Safe treasury configured there (KEEL_SAFE_<CHAIN>, KEEL_ROLES_<CHAIN>, KEEL_ROLE_KEY; on the devnet: a Safe devnet)',
      })
  if (issues.length > 0) throw new InvalidInputError({ what: 'arguments of keel permissions', issues })

  const safes = Object.fromEntries(Object.entries(environment.treasuries ?? {}).map(([k, t]) => [k, t.safe])) as Record<ChainKey, Address>
  const allowancesFor = allowanceSource(environment, values.mandate, values['eth-price-ceiling-usd'])
  const plans: { chain: ChainKey; plan: RolePlan }[] = []
  for (const chain of chains)
    plans.push({ chain, plan: await planChain({ environment, chain, safes, allowancesFor, otokens, fromBlock: values['from-block'] }) })

  if (values.json)
    console.log(
      JSON.stringify(
        plans.map(({ chain, plan }) => ({ chain, changes: plan.diff.changes, calls: plan.diff.calls })),
        null,
        2,
      ),
    )
  else for (const { chain, plan } of plans) printPlan(chain, plan)
  if (action === 'diff') return plans.some((p) => p.plan.diff.calls.length > 0) ? 1 : 0

  for (const { chain, plan } of plans) {
    if (plan.diff.calls.length === 0) continue
    const calls = plan.diff.calls.map((c, i) => ({
      to: c.to,
      data: c.data,
      description: plan.diff.changes[i]?.text ?? 'Roles configuration',
    }))
    if (!live && environment.devnetManifest) {
      const done = await execAsOwners({ manifest: environment.devnetManifest, chain, calls, label: "keel's role" })
      progress(`${chain}: applied by the devnet's owners in Safe transaction ${done.safeTxHash} (tx ${done.txHash})`)
      const after = await planChain({ environment, chain, safes, allowancesFor, otokens, fromBlock: values['from-block'] })
      if (after.diff.calls.length > 0)
        throw new InvalidInputError({
          what: 'role after apply',
          issues: [{ path: chain, message: `${after.diff.changes.length} change(s) remain` }],
        })
    } else {
      const c = environment.chains[chain]!
      const { publicClient } = createChainClients({ key: chain, rpcUrls: c.rpcUrls })
      const proposal = await writeSafeTransactionProposal({
        publicClient,
        chainId: c.chainId,
        safe: safes[chain],
        calls,
        multiSendCallOnly: getAddress(values['multisend-call-only']!),
        name: "keel's role",
        description: `${plan.diff.changes.length} change(s) to keel's Zodiac Roles role`,
      })
      const dir = values.out ?? '.'
      mkdirSync(dir, { recursive: true })
      const path = join(dir, `keel-role-${chain}-${proposal.nonce}.json`)
      writeFileSync(path, `${JSON.stringify(proposal, null, 2)}\n`)
      progress(`${chain}: Safe transaction ${proposal.safeTxHash} written to ${path} for the owners to sign`)
    }
  }
  return 0
}

function allowanceSource(environment: ChainEnvironment, mandatePath: string | undefined, ceilingUsd: string | undefined) {
  if (!mandatePath)
    return (chain: ChainKey, safe: Address): AllowanceSetting[] =>
      devnetAllowances({ chain, safe, initialEthPriceUsd: environment.devnetManifest?.params.initialEthPriceUsd ?? 3000 })
  const mandate = parseMandate(parseYaml(readFileSync(mandatePath, 'utf8')), mandatePath)
  const ceiling = Number(ceilingUsd)
  if (!Number.isFinite(ceiling) || ceiling <= 0)
    throw new InvalidInputError({
      what: 'arguments of keel permissions',
      issues: [{ path: 'eth-price-ceiling-usd', message: 'a positive USD price' }],
    })
  const ethPriceCeilingUsdc = BigInt(Math.ceil(ceiling)) * 10n ** 6n
  return (chain: ChainKey): AllowanceSetting[] => allowancesFromMandate({ mandate, chain, ethPriceCeilingUsdc })
}

async function planChain(p: {
  environment: ChainEnvironment
  chain: ChainKey
  safes: Record<ChainKey, Address>
  allowancesFor: (chain: ChainKey, safe: Address) => AllowanceSetting[]
  otokens: readonly Address[]
  fromBlock: string | undefined
}): Promise<RolePlan> {
  const treasury = p.environment.treasuries![p.chain]!
  const c = p.environment.chains[p.chain]!
  const { publicClient } = createChainClients({ key: p.chain, rpcUrls: c.rpcUrls })
  const deployBlock = p.environment.devnetManifest?.safes?.chains[p.chain].deployBlock
  const current = await readRoleTargets({
    publicClient,
    roles: treasury.roles,
    roleKey: treasury.roleKey,
    fromBlock: BigInt(p.fromBlock ?? deployBlock ?? '0'),
  })
  return planRole({
    environment: p.environment,
    chain: p.chain,
    safes: p.safes,
    rolesMod: treasury.roles,
    roleName: treasury.roleKey,
    allowances: p.allowancesFor(p.chain, treasury.safe),
    otokens: p.otokens,
    current: { targets: current.role.targets, allowances: current.allowances },
  })
}

function printPlan(chain: ChainKey, plan: RolePlan): void {
  const { changes, calls } = plan.diff
  console.log(
    `${chain}: ${plan.declarations.length} declared call shape(s); ${changes.length === 0 ? 'the role on chain matches them' : `${changes.length} change(s), ${calls.length} Roles call(s)`}`,
  )
  for (const ch of changes) console.log(`  ${ch.kind.padEnd(26)} ${ch.text}`)
}
