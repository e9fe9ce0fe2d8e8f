import { inSpan, SPAN } from '@hookyard/observability';
import { type BatchItemResult, type Published } from './events.service';

/** Publishes one event in a `hookyard.ingest` span naming it (`hookyard.event_id`). */
export function traceIngest(publish: () => Promise<Published>): Promise<Published> {
  return inSpan(SPAN.ingest, {}, publish, (published) => ({
    attributes: { 'hookyard.event_id': published.id },
  }));
}

/** Publishes a batch in one `hookyard.ingest` span naming the events it accepted (`hookyard.event_ids`). */
export function traceIngestBatch(
  publish: () => Promise<BatchItemResult[]>,
): Promise<BatchItemResult[]> {
  return inSpan(SPAN.ingest, {}, publish, (results) => ({
    attributes: { 'hookyard.event_ids': results.flatMap((r) => ('id' in r ? [r.id] : [])) },
  }));
}
