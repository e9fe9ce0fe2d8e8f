import { type EndpointState } from '@hookyard/webhook-core';
import { type EndpointEntity } from './entities/endpoint.entity';

/** Reads the state machine's view of an endpoint row. */
export function endpointStateOf(row: EndpointEntity): EndpointState {
  return {
    status: row.status,
    statusReason: row.statusReason as EndpointState['statusReason'],
    health: {
      avgResponseTime: row.avgResponseTime,
      lastResponseTime: row.lastResponseTime,
      consecutiveFailures: row.consecutiveFailures,
      errorsSinceLastSuccess: row.errorsSinceLastSuccess,
      lastSuccessAt: row.lastSuccessAt,
      failingSince: row.failingSince,
      sampleCount: row.sampleCount,
    },
    lastStatus:
      row.lastStatusAt === null
        ? null
        : {
            code: row.lastStatusCode,
            message: row.lastStatusMessage ?? '',
            timestamp: row.lastStatusAt,
          },
    penaltyBox:
      row.penaltyUntil === null ? null : { until: row.penaltyUntil, level: row.penaltyLevel },
    pausedAt: row.pausedAt,
    suspendedAt: row.suspendedAt,
  };
}

/** The row columns that hold a state machine result. */
export function endpointStateColumns(state: EndpointState): Partial<EndpointEntity> {
  return {
    status: state.status,
    statusReason: state.statusReason,
    avgResponseTime: state.health.avgResponseTime,
    lastResponseTime: state.health.lastResponseTime,
    consecutiveFailures: state.health.consecutiveFailures,
    errorsSinceLastSuccess: state.health.errorsSinceLastSuccess,
    lastSuccessAt: state.health.lastSuccessAt,
    failingSince: state.health.failingSince,
    sampleCount: state.health.sampleCount,
    lastStatusCode: state.lastStatus?.code ?? null,
    lastStatusMessage: state.lastStatus?.message ?? null,
    lastStatusAt: state.lastStatus?.timestamp ?? null,
    penaltyUntil: state.penaltyBox?.until ?? null,
    penaltyLevel: state.penaltyBox?.level ?? 0,
    pausedAt: state.pausedAt,
    suspendedAt: state.suspendedAt,
  };
}

/** Writes a state machine result back onto the row (the caller saves it). */
export function applyEndpointState(row: EndpointEntity, state: EndpointState): EndpointEntity {
  return Object.assign(row, endpointStateColumns(state));
}
