import { readFileSync } from 'node:fs'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { nonNegativeAmountString } from '../../../agent/money.ts'
import { addressSchema } from '../../schemas.ts'
import { chainKeys } from '../../types.ts'
import { devnetKeys } from '../devnetClients.ts'
import { createStandInContext, type StandInConfig } from './context.ts'
import { knobsPatchSchema, startAcrossStandIn } from './service.ts'

// The Across relayer and dataworker stand-in as its own process (`node --import tsx main.ts <config.json>`),
// started by the devnet and stopped with it through its recorded pid.

const configSchema = z.object({
  chains: z.array(
    z.object({
      key: z.enum(chainKeys),
      chainId: z.number().int().positive(),
      rpcUrl: z.url(),
      spokePool: addressSchema,
      usdc: addressSchema,
      weth: addressSchema,
      deployBlock: nonNegativeAmountString,
      priorityFeeWei: nonNegativeAmountString,
    }),
  ),
  fees: z.object({
    lpFeePct: nonNegativeAmountString,
    capitalFeePct: nonNegativeAmountString,
    gasFee: z.object({ USDC: nonNegativeAmountString, WETH: nonNegativeAmountString }),
  }),
  knobs: knobsPatchSchema.required(),
  statePath: z.string(),
  apiPort: z.number().int().positive(),
}) satisfies z.ZodType<StandInConfig, unknown>

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} across-relayer ${line}\n`)
const path = process.argv[2]
if (!path) {
  log('usage: main.ts <config.json>')
  process.exit(2)
}
const config = configSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
const ctx = createStandInContext({ config, account: privateKeyToAccount(devnetKeys().acrossRelayer), log })
const standIn = await startAcrossStandIn(ctx)
standIn.done.then(() => standIn.stop()).then(() => process.exit(0))
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`)
    standIn.stop().then(() => process.exit(0))
  })
}
