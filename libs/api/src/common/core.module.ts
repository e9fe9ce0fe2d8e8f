import { randomBytes } from 'node:crypto';
import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DueSignal, SecretCipher } from '@hookyard/data-access';
import { ObjectIdGenerator, TopicCatalogue } from '@hookyard/webhook-core';

export interface CoreDependencies {
  readonly dataSource: DataSource;
  readonly cipher: SecretCipher;
  readonly catalogue?: TopicCatalogue;
}

/**
 * The shared infrastructure every feature module injects: database, cipher, ids, topics, and the
 * signal that wakes workers when deliveries became due.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: CoreDependencies): DynamicModule {
    const providers = [
      { provide: DataSource, useValue: deps.dataSource },
      { provide: SecretCipher, useValue: deps.cipher },
      { provide: ObjectIdGenerator, useValue: new ObjectIdGenerator(randomBytes) },
      { provide: TopicCatalogue, useValue: deps.catalogue ?? new TopicCatalogue() },
      { provide: DueSignal, useValue: DueSignal.over(deps.dataSource, dueSignalFailed) },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}

const logger = new Logger('DueSignal');

function dueSignalFailed(error: unknown): void {
  logger.warn(
    `waking workers failed (they find the deliveries at their next poll): ${error instanceof Error ? error.message : String(error)}`,
  );
}
