import type { Prng } from '../random/prng.ts'
import type { PathModel } from './types.ts'

/**
 * Simulates one spot path of `steps` steps of `dtYears` from `spot0` under `model`, in log space
 * (exact for GBM). Returns steps+1 spots. The regime model starts calm.
 */
export function simulatePath(params: { model: PathModel; spot0: number; steps: number; dtYears: number; prng: Prng }): Float64Array {
  const { model, spot0, steps, dtYears: dt, prng } = params
  const out = new Float64Array(steps + 1)
  out[0] = spot0
  let logS = Math.log(spot0)
  const sqrtDt = Math.sqrt(dt)
  if (model.id === 'gbm') {
    const drift = (model.drift - 0.5 * model.vol * model.vol) * dt
    for (let i = 1; i <= steps; i++) {
      logS += drift + model.vol * sqrtDt * prng.nextNormal()
      out[i] = Math.exp(logS)
    }
    return out
  }
  if (model.id === 'jump') {
    // Compensator κ = E[J − 1] keeps E[S_t] = S_0·e^{drift·t}.
    const kappa = Math.exp(model.jumpMean + 0.5 * model.jumpVol * model.jumpVol) - 1
    const drift = (model.drift - 0.5 * model.vol * model.vol - model.jumpsPerYear * kappa) * dt
    for (let i = 1; i <= steps; i++) {
      logS += drift + model.vol * sqrtDt * prng.nextNormal()
      const jumps = prng.nextPoisson(model.jumpsPerYear * dt)
      for (let j = 0; j < jumps; j++) logS += model.jumpMean + model.jumpVol * prng.nextNormal()
      out[i] = Math.exp(logS)
    }
    return out
  }
  const leaveCalm = 1 - Math.exp(-model.calmToStressPerYear * dt)
  const leaveStress = 1 - Math.exp(-model.stressToCalmPerYear * dt)
  let stressed = false
  for (let i = 1; i <= steps; i++) {
    const vol = stressed ? model.stressVol : model.calmVol
    logS += (model.drift - 0.5 * vol * vol) * dt + vol * sqrtDt * prng.nextNormal()
    out[i] = Math.exp(logS)
    if (prng.nextFloat() < (stressed ? leaveStress : leaveCalm)) stressed = !stressed
  }
  return out
}

/** Long-run annual variance of a model: what a fair implied vol is squared. */
export function modelVariance(model: PathModel): number {
  if (model.id === 'gbm') return model.vol * model.vol
  if (model.id === 'jump') {
    // Var of the log-jump compound Poisson per year plus diffusion.
    return model.vol * model.vol + model.jumpsPerYear * (model.jumpMean * model.jumpMean + model.jumpVol * model.jumpVol)
  }
  const calmShare = model.stressToCalmPerYear / (model.calmToStressPerYear + model.stressToCalmPerYear)
  return calmShare * model.calmVol * model.calmVol + (1 - calmShare) * model.stressVol * model.stressVol
}
