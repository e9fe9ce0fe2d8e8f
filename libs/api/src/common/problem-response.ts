import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from './dto/problem.dto';

/** The media type of every native error answer. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * Declares an error answer of a route (or of each route of a controller): its status, when it
 * happens, and its body, a problem document. A route's own declaration of a status wins over its
 * controller's and its guards'.
 */
export function ApiProblemResponse(
  status: number,
  description: string,
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string' } }>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ApiResponse({
      status,
      description,
      headers,
      content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
    }),
  );
}
