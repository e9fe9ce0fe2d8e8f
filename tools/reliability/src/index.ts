export {
  BAD_INPUTS,
  type BadInput,
  CATALOGUE,
  CATALOGUE_IDS,
  type CatalogueGroup,
  type CatalogueRow,
  type TestTitle,
  whereTested,
} from './catalogue';
export {
  type ExpectedDelivery,
  type Figures,
  deliveryKey,
  figures,
  maxConcurrentAttemptsPerId,
  percentile,
} from './figures';
export { GZIP_BOMB_INFLATED_BYTES, gzipBomb } from './gzip-bomb';
export { Ledger } from './ledger';
export { type LedgerEntry } from './ledger-entry';
export {
  type Mode,
  type ModeName,
  type ParsedPath,
  acknowledges,
  parsePath,
  plannedStatus,
} from './modes';
export { type Receiver, type ReceiverOptions, startReceiver } from './receiver';
export {
  type ReceiverProcess,
  RECEIVER_MAIN,
  type SpawnOptions,
  spawnReceiver,
} from './receiver-process';
export { type Certificate, selfSignedCertificate } from './tls-certificate';
