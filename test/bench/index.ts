import os from 'node:os'
import type { Benchmark } from './benchmark.ts'
import { benchmarks as optionPricing } from './optionPricing.ts'
import { benchmarks as reaction } from './reaction.ts'

// To add a benchmark: write `test/bench/<topic>.ts` exporting `benchmarks: Benchmark[]` and append it here.
const suites: readonly (readonly Benchmark[])[] = [optionPricing, reaction]

const cpu = os.cpus()[0]
console.log(
  `machine: ${cpu?.model ?? 'unknown CPU'} (${os.cpus().length} logical cores, one used), Node ${process.version}, ${os.platform()} ${os.arch()}`,
)
for (const suite of suites) {
  for (const b of suite) {
    console.log(`\n## ${b.name}`)
    await b.run()
  }
}
