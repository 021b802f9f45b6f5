import { PageQuery, pageFields } from '../../http/page.query';

/** `?limit&cursor` of the delivery lists: webhook endpoints, an endpoint's attempts, a lead's deliveries. */
export class DeliveryPageQuery extends PageQuery {}

/** The page fields of a delivery list command: the default limit, and the cursor when one was sent. */
export const pageOf = pageFields;
