/** `cnab-trust serve`: publish a repository directory read-only over HTTP for TUF clients. */
export { startRepositoryServer, type RepositoryServerOptions, type RunningServer } from '../adapters/http/repository-server.js';
