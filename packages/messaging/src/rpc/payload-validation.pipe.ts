import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { RpcParamtype } from '@nestjs/microservices/enums/rpc-paramtype.enum';
import { DomainError, validateMessage, type MessageClass } from '@rocketlead/contracts';

const UNCHECKED: unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];

/**
 * Validates a handler's `@Payload()` against its class (the same class-validator definition ingress checks
 * the HTTP body with); a failure is a VALIDATION_FAILED reply naming each field. The payload reaches the
 * handler as it was sent (plain JSON), never rebuilt.
 */
@Injectable()
export class PayloadValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // Nest reports `@Payload()` as 'body' to pipes (older versions passed the numeric RPC type); only the
    // whole payload is a message, `@Ctx()` and `@Payload('field')` are not.
    const type = metadata.type as unknown;
    if ((type !== 'body' && type !== RpcParamtype.PAYLOAD) || metadata.data !== undefined) return value;
    const metatype = metadata.metatype;
    if (!metatype || UNCHECKED.includes(metatype)) return value;
    const errors = validateMessage(metatype as MessageClass, value);
    if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', 'Validation failed', { errors });
    return value;
  }
}
