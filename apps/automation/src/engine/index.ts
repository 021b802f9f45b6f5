import type { Provider } from '@nestjs/common';

// The engine: event intake, matching, runs and their steps. Filled by the engine work.
export const ENGINE_PROVIDERS: Provider[] = [];
