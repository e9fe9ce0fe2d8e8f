import { Module } from '@nestjs/common';

/** The Featurebase-compatible dialect, mounted under `/featurebase` (routes `/featurebase/v2/webhooks`). */
@Module({})
export class FeaturebaseModule {}
