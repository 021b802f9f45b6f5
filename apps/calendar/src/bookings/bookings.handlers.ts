import { Injectable } from '@nestjs/common';
import {
  COMMANDS,
  type Booking,
  type BookingsActionRequest,
  type BookingsCreateRequest,
  type BookingsGetRequest,
  type BookingsListRequest,
  type BookingsUpdateRequest,
  type Page,
} from '@rocketlead/contracts';
import { CommandHandler } from '@rocketlead/messaging';
import { BookingsService } from './bookings.service';

@Injectable()
export class BookingsHandlers {
  constructor(private readonly bookings: BookingsService) {}

  @CommandHandler(COMMANDS.bookingsCreate)
  create(request: BookingsCreateRequest): Promise<Booking> {
    return this.bookings.create(request);
  }

  @CommandHandler(COMMANDS.bookingsGet)
  get(request: BookingsGetRequest): Promise<Booking> {
    return this.bookings.get(request);
  }

  @CommandHandler(COMMANDS.bookingsList)
  list(request: BookingsListRequest): Promise<Page<Booking>> {
    return this.bookings.list(request);
  }

  @CommandHandler(COMMANDS.bookingsUpdate)
  update(request: BookingsUpdateRequest): Promise<Booking> {
    return this.bookings.update(request);
  }

  @CommandHandler(COMMANDS.bookingsCancel)
  cancel(request: BookingsActionRequest): Promise<Booking> {
    return this.bookings.cancel(request);
  }

  @CommandHandler(COMMANDS.bookingsComplete)
  complete(request: BookingsActionRequest): Promise<Booking> {
    return this.bookings.complete(request);
  }

  @CommandHandler(COMMANDS.bookingsDelete)
  remove(request: BookingsActionRequest): Promise<Booking> {
    return this.bookings.remove(request);
  }
}
