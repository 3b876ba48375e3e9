/** Every route of the REST API, in the order the OpenAPI document lists them. */
import { accountRoutes } from './account-routes.js';
import { commandRoutes } from './command-routes.js';
import type { RouteDeps } from './fields.js';
import { jobRoutes } from './job-routes.js';
import type { RouteSpec } from './route.js';

export const restRoutes = (deps: RouteDeps): RouteSpec[] => [...commandRoutes(deps), ...jobRoutes(deps), ...accountRoutes(deps)];
