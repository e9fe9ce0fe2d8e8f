import { randomBytes } from 'node:crypto';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretCipher } from '@hookyard/data-access';
import { ObjectIdGenerator, TopicCatalogue } from '@hookyard/webhook-core';

export interface CoreDependencies {
  readonly dataSource: DataSource;
  readonly cipher: SecretCipher;
  readonly catalogue?: TopicCatalogue;
}

/** The shared infrastructure every feature module injects: database, cipher, ids, topics. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: CoreDependencies): DynamicModule {
    const providers = [
      { provide: DataSource, useValue: deps.dataSource },
      { provide: SecretCipher, useValue: deps.cipher },
      { provide: ObjectIdGenerator, useValue: new ObjectIdGenerator(randomBytes) },
      { provide: TopicCatalogue, useValue: deps.catalogue ?? new TopicCatalogue() },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
