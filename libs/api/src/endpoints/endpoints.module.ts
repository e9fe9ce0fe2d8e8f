import { Global, Module } from '@nestjs/common';
import { EndpointsService } from './endpoints.service';

/** The dialect-neutral endpoint use cases, shared by every dialect's controllers. */
@Global()
@Module({ providers: [EndpointsService], exports: [EndpointsService] })
export class EndpointsModule {}
