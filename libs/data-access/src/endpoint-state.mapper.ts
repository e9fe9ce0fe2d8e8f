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

/** Writes a state machine result back onto the row (the caller saves it). */
export function applyEndpointState(row: EndpointEntity, state: EndpointState): EndpointEntity {
  row.status = state.status;
  row.statusReason = state.statusReason;
  row.avgResponseTime = state.health.avgResponseTime;
  row.lastResponseTime = state.health.lastResponseTime;
  row.consecutiveFailures = state.health.consecutiveFailures;
  row.errorsSinceLastSuccess = state.health.errorsSinceLastSuccess;
  row.lastSuccessAt = state.health.lastSuccessAt;
  row.failingSince = state.health.failingSince;
  row.sampleCount = state.health.sampleCount;
  row.lastStatusCode = state.lastStatus?.code ?? null;
  row.lastStatusMessage = state.lastStatus?.message ?? null;
  row.lastStatusAt = state.lastStatus?.timestamp ?? null;
  row.penaltyUntil = state.penaltyBox?.until ?? null;
  row.penaltyLevel = state.penaltyBox?.level ?? 0;
  row.pausedAt = state.pausedAt;
  row.suspendedAt = state.suspendedAt;
  return row;
}
