import {
  Injectable,
  type PipeTransform,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { isObjectId } from '@hookyard/webhook-core';
import { ApiError, ErrorCode, type FieldError } from './api-error';

/** class-validator rules whose failure has a code of its own. */
const FIELD_CODES: Readonly<Record<string, ErrorCode>> = {
  whitelistValidation: ErrorCode.PROPERTY_NOT_ALLOWED,
  isDefined: ErrorCode.FIELD_REQUIRED,
};

function flatten(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      path,
      message,
      code: FIELD_CODES[rule] ?? ErrorCode.VALIDATION_FAILED,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** The global pipe: DTO classes only, unknown properties refused, errors naming each field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      const notAllowed = fieldErrors.find((e) => e.code === ErrorCode.PROPERTY_NOT_ALLOWED);
      return ApiError.validation(
        fieldErrors,
        notAllowed ? ErrorCode.PROPERTY_NOT_ALLOWED : ErrorCode.VALIDATION_FAILED,
      );
    },
  });
}

/** Path ids are 24-hex ObjectIds; anything else is a 400, never a 500. */
@Injectable()
export class ObjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isObjectId(value)) {
      throw ApiError.validation(
        [{ path: 'id', message: 'must be a 24-character hex id' }],
        ErrorCode.ID_INVALID,
      );
    }
    return value;
  }
}
