export interface MessagingOptions {
  serviceName: string;
  natsUrl: string;
  namespace: string;
  /** Queue group for command handlers; defaults to the service name. */
  queueGroup?: string;
}
