import { type ModeName } from './modes';

/** One request the receiver saw, written once its body has been read (`slow`: once answered). */
export interface LedgerEntry {
  /** 1, 2, … in arrival order since start or the last reset. */
  readonly seq: number;
  /** When the request head arrived, ms since the epoch. */
  readonly receivedAt: number;
  readonly method: string;
  /** The request target, query included. */
  readonly path: string;
  /** The path without the query: one endpoint. */
  readonly endpoint: string;
  /** The mode that answered; every path of the HTTPS server is `tls-selfsigned`. */
  readonly mode: ModeName | 'tls-selfsigned';
  readonly tls: boolean;
  readonly webhookId: string | null;
  readonly webhookTimestamp: string | null;
  /** The `webhook-signature` header as sent. */
  readonly signature: string | null;
  /** Hex SHA-256 of the body bytes; null when the mode cut the connection before reading it. */
  readonly bodySha256: string | null;
  readonly bodyBytes: number;
  /** Verified with `standardwebhooks`; null when no secret is known for the endpoint. */
  readonly signatureValid: boolean | null;
  /** Why verification failed (the library's message), else null. */
  readonly signatureError: string | null;
  /** 1-based attempt number of this webhook-id at this endpoint. */
  readonly attempt: number;
  /** Requests in flight for this endpoint and webhook-id when this one arrived, itself included. */
  readonly concurrent: number;
  /** The status sent, 0 when none was (hang, slow headers, resets). */
  readonly status: number;
  /** A complete small 2xx answer: a correct sender counts this attempt as delivered. */
  readonly acked: boolean;
}
