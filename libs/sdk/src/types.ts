/**
 * The API's request and response shapes under the names the SDK speaks, all taken from the generated
 * layer (so from `apps/api/openapi.json`), never written by hand.
 */
import type * as api from './generated';

export type Endpoint = api.EndpointDto;
export type CreatedEndpoint = api.CreatedEndpointDto;
export type CreateEndpoint = api.CreateEndpointDtoWritable;
export type UpdateEndpoint = api.UpdateEndpointDtoWritable;
export type EndpointStatus = Endpoint['status'];
export type EndpointSecret = api.SecretDto;
export type RotateSecret = api.RotateSecretDtoWritable;
export type Attempt = api.AttemptDto;
export type Delivery = api.DeliveryDto;
export type EndpointStats = api.EndpointStatsDto;
export type StatsBucket = api.StatsBucketDto;
export type TestSend = api.TestSendDto;
export type TestSendResult = api.TestSendResultDto;
export type Recover = api.RecoverDto;
export type Recovered = api.RecoveredDto;
export type Retried = api.RetriedDto;
export type PublishEvent = api.PublishEventDto;
export type PublishedEvent = api.PublishedEventDto;
export type BatchEvent = api.BatchEventDto;
export type PublishedBatch = api.PublishedBatchDto;
export type BatchItemResult = api.BatchItemResultDto;
export type Event = api.EventDto;
export type CreateApiKey = api.CreateApiKeyDto;
export type CreatedApiKey = api.CreatedApiKeyDto;
export type ApiKey = api.ApiKeyDto;
export type Permission = CreateApiKey['permissions'][number];
export type Whoami = api.WhoamiDto;
export type WhoamiPortal = api.WhoamiPortalDto;
export type CreatePortalSession = api.CreatePortalSessionDto;
export type CreatedPortalSession = api.CreatedPortalSessionDto;
/** A live session as listed: never its token. */
export type PortalSession = api.PortalSessionDto;
export type ListPortalSessionsQuery = NonNullable<api.PortalSessionsControllerListData['query']>;
export type PortalPermission = CreatePortalSession['permissions'][number];
export type PortalTheme = api.PortalThemeResponseDto;
export type Organization = api.OrganizationDto;
export type UpdateOrganization = api.UpdateOrganizationDto;
/** An organization as an operator sees it (`hy.organizations`): its uid and every setting. */
export type AdminOrganization = api.AdminOrganizationDto;
export type AdminOrganizationSettings = api.OrganizationSettingsDto;
export type CreateAdminOrganization = api.CreateOrganizationDto;
export type UpsertAdminOrganization = api.UpsertOrganizationDto;
export type UpdateAdminOrganization = api.UpdateOrganizationAdminDto;
export type CreateOperatorKey = api.CreateOperatorKeyDto;
/** What an operator key may be granted: every permission, the operator-only ones included. */
export type OperatorPermission = CreateOperatorKey['permissions'][number];

/** The filters and page size of `endpoints.list`. */
export type ListEndpointsQuery = NonNullable<api.EndpointsControllerListData['query']>;
/** The page size and start of `endpoints.listAttempts`. */
export type ListAttemptsQuery = NonNullable<api.DeliveryLogControllerAttemptsData['query']>;
/** The page size and start of `deliveries.listAttempts`. */
export type ListDeliveryAttemptsQuery = NonNullable<
  api.DeliveryLogControllerDeliveryAttemptsData['query']
>;
/** The filters (status, creation time, topic) and page size of `endpoints.listDeliveries`. */
export type ListDeliveriesQuery = NonNullable<
  api.DeliveryLogControllerEndpointDeliveriesData['query']
>;
/** The page size and start of `organizations.list`, and the `uid` to look for. */
export type ListOrganizationsQuery = NonNullable<api.OrganizationsAdminControllerListData['query']>;
/** The range and bucket width of `endpoints.stats`. */
export type EndpointStatsQuery = NonNullable<api.DeliveryLogControllerStatsData['query']>;
