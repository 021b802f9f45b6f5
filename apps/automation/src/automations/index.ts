import type { Provider, Type } from '@nestjs/common';

// The automations API: CRUD, runs (read), sandbox settings, dry-run entry point. Filled by the API work.
export const API_CONTROLLERS: Type[] = [];
export const API_PROVIDERS: Provider[] = [];
