import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  COMMANDS,
  type Booking,
  BookingsActionCommand,
  BookingsCreateCommand,
  BookingsGetCommand,
  BookingsListCommand,
  BookingsUpdateCommand,
  type Page,
} from '@rocketlead/contracts';
import { BookingsService } from './bookings.service';

/** Command handlers, served by the command transport of @rocketlead/messaging. */
@Controller()
export class BookingsHandlers {
  constructor(private readonly bookings: BookingsService) {}

  @MessagePattern(COMMANDS.bookingsCreate)
  create(@Payload() command: BookingsCreateCommand): Promise<Booking> {
    return this.bookings.create(command);
  }

  @MessagePattern(COMMANDS.bookingsGet)
  get(@Payload() command: BookingsGetCommand): Promise<Booking> {
    return this.bookings.get(command);
  }

  @MessagePattern(COMMANDS.bookingsList)
  list(@Payload() command: BookingsListCommand): Promise<Page<Booking>> {
    return this.bookings.list(command);
  }

  @MessagePattern(COMMANDS.bookingsUpdate)
  update(@Payload() command: BookingsUpdateCommand): Promise<Booking> {
    return this.bookings.update(command);
  }

  @MessagePattern(COMMANDS.bookingsCancel)
  cancel(@Payload() command: BookingsActionCommand): Promise<Booking> {
    return this.bookings.cancel(command);
  }

  @MessagePattern(COMMANDS.bookingsComplete)
  complete(@Payload() command: BookingsActionCommand): Promise<Booking> {
    return this.bookings.complete(command);
  }

  @MessagePattern(COMMANDS.bookingsDelete)
  remove(@Payload() command: BookingsActionCommand): Promise<Booking> {
    return this.bookings.remove(command);
  }
}
