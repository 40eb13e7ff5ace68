import { defineConfig } from 'vitest/config'

// Two projects: `unit` is pure and fast (agent/, adapters' pure parts); `e2e` starts real
// anvil chains and a real Temporal server, so it runs files one at a time on this 2-core box.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['agent/**/*.test.ts', 'chains/**/*.test.ts', 'adapters/**/*.test.ts', 'temporal/**/*.test.ts', 'bin/**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts', '**/*.e2e.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
})
