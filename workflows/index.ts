// The workflow bundle's entry: every workflow type a worker registers.
export { portfolioWorkflow } from './portfolioWorkflow.ts'
export { preflightWorkflow } from './preflightWorkflow.ts'
export { rebalanceWorkflow } from './rebalanceWorkflow.ts'
export { buyBackWorkflow, optionSettlementWorkflow, rollWorkflow } from './rollWorkflow.ts'
export { settlementWorkflow } from './settlementWorkflow.ts'
export { transferWorkflow } from './transferWorkflow.ts'
