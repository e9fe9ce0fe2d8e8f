import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type HookyardConfig } from '@hookyard/config';

export const HOOKYARD_CONFIG = Symbol('HOOKYARD_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HookyardConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: HOOKYARD_CONFIG, useValue: config }],
      exports: [HOOKYARD_CONFIG],
    };
  }
}
