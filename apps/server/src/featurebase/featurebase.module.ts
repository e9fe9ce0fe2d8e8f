import { Module } from '@nestjs/common';
import { FeaturebaseVersionInterceptor } from './featurebase-version.interceptor';
import { FeaturebaseWebhooksController } from './featurebase-webhooks.controller';
import { FeaturebaseWebhooksService } from './featurebase-webhooks.service';

/** The Featurebase-compatible dialect, mounted under `/featurebase` (routes `/featurebase/v2/webhooks`). */
@Module({
  controllers: [FeaturebaseWebhooksController],
  providers: [FeaturebaseWebhooksService, FeaturebaseVersionInterceptor],
})
export class FeaturebaseModule {}
