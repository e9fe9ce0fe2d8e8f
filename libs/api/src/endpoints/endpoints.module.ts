import { Global, Module } from '@nestjs/common';
import { TestSendService } from '../delivery-log/test-send.service';
import { EndpointsService } from './endpoints.service';

/** The dialect-neutral endpoint use cases and test sends, shared by every dialect's controllers. */
@Global()
@Module({
  providers: [EndpointsService, TestSendService],
  exports: [EndpointsService, TestSendService],
})
export class EndpointsModule {}
