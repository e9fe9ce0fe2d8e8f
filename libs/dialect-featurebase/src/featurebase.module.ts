import { Module } from '@nestjs/common';
import { type DialectRegistration } from '@hookyard/api';
import { FeaturebaseErrorFilter } from './featurebase-error.filter';
import { FeaturebaseVersionInterceptor } from './featurebase-version.interceptor';
import { FeaturebaseWebhooksController } from './featurebase-webhooks.controller';
import { FeaturebaseWebhooksService } from './featurebase-webhooks.service';

/** The Featurebase-compatible dialect, mounted under `/featurebase` (routes `/featurebase/v2/webhooks`). */
@Module({
  controllers: [FeaturebaseWebhooksController],
  providers: [FeaturebaseWebhooksService, FeaturebaseVersionInterceptor],
})
export class FeaturebaseModule {}

/** What the app mounts: the module, and the Featurebase error shape for every path under `/featurebase/`. */
export const FEATUREBASE_DIALECT: DialectRegistration = {
  module: FeaturebaseModule,
  dialect: {
    name: 'featurebase',
    mountPath: '/featurebase/',
    errorFilter: new FeaturebaseErrorFilter(),
  },
};
