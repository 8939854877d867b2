/**
 * The database instance registry (Tessera's extension of the KMS API): where managed database secrets
 * (`SecretType=Rds`) rotate. The administrator credentials stay in a secret; these calls only name it.
 */
import type { WireParams } from '../wire.js';
import { params } from '../wire.js';
import type { ApiResponse, Page, PageRequest } from './common.js';

/** MariaDB registers as `mysql` (answers always name `postgresql` or `mysql`). */
export type DatabaseEngine = 'postgresql' | 'mysql' | 'mariadb';
export type DatabaseTlsMode = 'disable' | 'require' | 'verify-full';

export interface RegisterDatabaseInstanceRequest {
  /** The id Rds secrets name in ExtendedConfig's `DBInstanceId`. */
  dbInstanceId: string;
  engine: DatabaseEngine;
  host: string;
  /** Default 5432 (PostgreSQL) or 3306 (MySQL/MariaDB). */
  port?: number | undefined;
  /** The database to connect to; PostgreSQL defaults to `postgres`. */
  database?: string | undefined;
  /** Default `disable`. */
  tlsMode?: DatabaseTlsMode | undefined;
  /** PEM certificates to trust (verify-full only). */
  caCertificate?: string | undefined;
  /** The secret whose current value is `{"AccountName","AccountPassword"}` of an administrator. */
  adminSecretName: string;
  description?: string | undefined;
}

export interface UpdateDatabaseInstanceRequest {
  dbInstanceId: string;
  host?: string | undefined;
  port?: number | undefined;
  /** An empty string clears it. */
  database?: string | undefined;
  tlsMode?: DatabaseTlsMode | undefined;
  /** An empty string clears it. */
  caCertificate?: string | undefined;
  adminSecretName?: string | undefined;
  description?: string | undefined;
}

export interface DatabaseInstance {
  dbInstanceId: string;
  engine: 'postgresql' | 'mysql';
  host: string;
  port: number;
  database?: string;
  tlsMode: DatabaseTlsMode;
  caCertificate?: string;
  adminSecretName: string;
  description: string;
  createTime: string;
  updateTime: string;
}

export type DatabaseInstanceResponse = DatabaseInstance & ApiResponse;

export interface ListDatabaseInstancesResponse extends Page {
  dbInstances: DatabaseInstance[];
}

export interface DeregisterDatabaseInstanceResponse extends ApiResponse {
  dbInstanceId: string;
}

export const databaseParams = {
  register(request: RegisterDatabaseInstanceRequest): WireParams {
    return params({
      DBInstanceId: request.dbInstanceId,
      Engine: request.engine,
      Host: request.host,
      Port: request.port,
      Database: request.database,
      TlsMode: request.tlsMode,
      CaCertificate: request.caCertificate,
      AdminSecretName: request.adminSecretName,
      Description: request.description,
    });
  },
  update(request: UpdateDatabaseInstanceRequest): WireParams {
    return params({
      DBInstanceId: request.dbInstanceId,
      Host: request.host,
      Port: request.port,
      Database: request.database,
      TlsMode: request.tlsMode,
      CaCertificate: request.caCertificate,
      AdminSecretName: request.adminSecretName,
      Description: request.description,
    });
  },
  byId(dbInstanceId: string): WireParams {
    return params({ DBInstanceId: dbInstanceId });
  },
  list(request: PageRequest): WireParams {
    return params({ PageNumber: request.pageNumber, PageSize: request.pageSize });
  },
};
