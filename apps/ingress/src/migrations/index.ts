import { IngressInit1795388759603 } from './1795388759603-IngressInit';
import { IdempotencyKeyPerCredential1795431489054 } from './1795431489054-IdempotencyKeyPerCredential';
import { IngressFormRateLimits1795492959395 } from './1795492959395-IngressFormRateLimits';
import { PublicRateLimits1795502414475 } from './1795502414475-PublicRateLimits';
import { DropFormRateLimitHits1795532883151 } from './1795532883151-DropFormRateLimitHits';

/** Every migration of the ingress schema, in order. Generated; never edit one that has landed. */
export const INGRESS_MIGRATIONS = [
  IngressInit1795388759603,
  IdempotencyKeyPerCredential1795431489054,
  IngressFormRateLimits1795492959395,
  PublicRateLimits1795502414475,
  DropFormRateLimitHits1795532883151,
];
