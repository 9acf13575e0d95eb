/**
 * The retention engine lives in services/riskEngine.ts (free of the Bot Framework, so CLIs and jobs share it); it is
 * re-exported here where the composition root and older callers look for it.
 */
export { type RiskAssessment, RiskEngine, type RiskSettings } from '../services/riskEngine';
