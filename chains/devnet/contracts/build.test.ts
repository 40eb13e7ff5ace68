import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { artifactsDir, compileContracts, renderArtifact } from './build.ts'

describe('compileContracts', () => {
  // The committed files came from an earlier run, so one fresh compile that matches them byte for
  // byte shows the build is reproducible and that the artifacts are current.
  test('reproduces the committed artifacts byte for byte when compiled afresh', () => {
    const compiled = compileContracts()
    expect(compiled.map((a) => a.contractName)).toEqual([
      'DevnetGasPriceOracle',
      'DevnetNodeInterface',
      'PriceFeed',
      'TestUSDC',
      'UsdcOFTAdapter',
      'WETH9',
    ])
    for (const artifact of compiled) {
      expect(readFileSync(`${artifactsDir}${artifact.contractName}.json`, 'utf8'), artifact.contractName).toBe(renderArtifact(artifact))
    }
  })
})
